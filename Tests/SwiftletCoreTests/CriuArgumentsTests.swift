import OCI
import Testing
@testable import SwiftletCore

/// checkpoint and restore's CRIU RPC options (Checkpoint/CriuArguments.swift,
/// docs/checkpoint.md): which mounts are external and under which keys, the namespaces joined
/// by path, runc's flags.
@Suite struct CriuArgumentsTests {
    static let mounts = [
        Mount(destination: "/proc", type: "proc", source: "proc", options: nil),
        Mount(destination: "/data", type: "none", source: "/srv/data", options: ["rbind", "rw"]),
        Mount(destination: "cache", type: "bind", source: "cache", options: nil),
        Mount(destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid"]),
    ]

    @Test func bindMountsAreTheExternalOnes() throws {
        let binds = CriuArguments.bindMounts(Self.mounts, bundle: "/b")
        #expect(binds.map(\.destination) == ["/data", "/cache"])
        #expect(binds.map(\.source) == ["/srv/data", "/b/cache"])
    }

    @Test func devicesAreTheDefaultsAndTheConfigs() throws {
        let extra = LinuxDevice(path: "/dev/fuse", type: "c", major: 10, minor: 229, fileMode: nil, uid: nil, gid: nil)
        let paths = CriuArguments.devicePaths([extra, DeviceCreator.defaults[0]])
        #expect(paths.first == "/dev/null")
        #expect(paths.last == "/dev/fuse")
        #expect(paths.filter { $0 == "/dev/null" }.count == 1)
    }

    static let mountinfo = """
        100 90 0:50 / / ro,relatime - overlay overlay rw
        101 100 0:5 /null /proc/kcore ro,nosuid - devtmpfs udev rw
        102 100 0:60 / /proc/acpi ro,relatime - tmpfs tmpfs ro,size=0k
        103 100 0:5 /null /proc/timer\\040list ro - devtmpfs udev rw
        104 100 0:22 /sys /proc/sys ro,nosuid - proc proc rw
        """

    @Test(arguments: [
        (["/proc/kcore", "/proc/acpi", "/proc/keys"], ["/proc/kcore"]),
        (["/proc/timer list", "/proc/sys"], ["/proc/timer list", "/proc/sys"]),
        ([], []),
    ])
    func maskedFilesAreTheNullBinds(masked: [String], files: [String]) {
        // /proc/sys here is a bind of a procfs subdirectory (root /sys): not a tmpfs, so a file
        // mount by the rule; readonlyPaths never reach this function, only maskedPaths do.
        #expect(CriuArguments.maskedFiles(masked, mountinfo: Self.mountinfo) == files)
    }

    @Test func dumpArguments() throws {
        var options = CheckpointOptions()
        options.leaveRunning = true
        options.shellJob = true
        options.manageCgroupsMode = "full"
        let opts = try CriuArguments.dump(
            pid: 42, rootfs: "/r", imagesDirFD: 5, workDirFD: 6, options: options,
            binds: [("/data", "/srv/data")], devices: ["/dev/null"], maskedFiles: ["/proc/kcore"],
            externalNamespaces: [(.network, 4026531840)])
        #expect(opts.pid == 42 && opts.imagesDirFD == 5 && opts.workDirFD == 6 && opts.root == "/r")
        #expect(opts.logFile == "dump.log" && opts.logLevel == 4)
        #expect(opts.leaveRunning && opts.shellJob && opts.manageCgroups && opts.manageCgroupsMode == .full)
        #expect(opts.external.contains("mnt[/data]:/data") && opts.external.contains("mnt[/dev/null]:/dev/null"))
        #expect(opts.external.contains("mnt[/proc/kcore]:/dev/null"))
        #expect(opts.external.contains("net[4026531840]:extRootNetNS"))
        #expect(!opts.tcpEstablished)
        // A terminal container's pty slave has its master outside the tree (runc sets it too).
        #expect(opts.orphanPtsMaster)
    }

    /// swiftlet-init's memfd exe: CRIU's own key format (files-reg.c: `file[%x:%llx]`), passed
    /// at dump (pre-dump too: the exe is dumped there as well) and inherited at restore.
    @Test func initExeIsAnExternalFile() throws {
        let key = CriuArguments.fileKey(mountID: 0x1a, inode: 94766)
        #expect(key == "file[1a:1722e]")
        let opts = try CriuArguments.dump(pid: 1, rootfs: "/r", imagesDirFD: 3, workDirFD: 3, options: CheckpointOptions(),
                                      binds: [], devices: [], maskedFiles: [], externalNamespaces: [], externalFiles: [key])
        #expect(opts.external.contains(key))
        let restore = try CriuArguments.restore(
            root: "/r", imagesDirFD: 3, workDirFD: 3, options: RestoreOptions(), cgroupRoots: [],
            binds: [], devices: [], inherited: [(key, 4)], joined: [])
        #expect(restore.inheritFDs.map(\.key) == ["file[1a:1722e]"] && restore.inheritFDs.map(\.fd) == [4])
    }

    @Test(arguments: [("3.17.1", false), ("3.18", false), ("3.19", true), ("3.19.1", true), ("4.0", true), ("unknown", false)])
    func noNewPrivsFromCriu319(version: String, restores: Bool) throws {
        #expect(CriuTool.restoresNoNewPrivs(version) == restores)
    }

    @Test func preDumpHasNoMountsAndTracksMemory() throws {
        var options = CheckpointOptions()
        options.preDump = true
        options.leaveRunning = true
        let opts = try CriuArguments.dump(pid: 1, rootfs: "/r", imagesDirFD: 3, workDirFD: 3, options: options,
                                      binds: [("/data", "/srv")], devices: [], maskedFiles: [], externalNamespaces: [])
        #expect(opts.logFile == "pre-dump.log")
        #expect(opts.trackMem && !opts.leaveRunning)
        #expect(!opts.external.contains("mnt[/data]:/data"))
    }

    @Test func restoreArguments() throws {
        var options = RestoreOptions()
        options.tcpEstablished = true
        let opts = try CriuArguments.restore(
            root: "/state/c/criu-root", imagesDirFD: 5, workDirFD: 6, options: options,
            cgroupRoots: [(nil, "/swiftlet/c"), ("cpu,cpuacct", "/swiftlet/c")], binds: [("/data", "/srv/new")],
            devices: ["/dev/zero"], inherited: [("extRootNetNS", 4)], joined: [("uts", "/run/uts")])
        #expect(opts.root == "/state/c/criu-root" && opts.imagesDirFD == 5 && opts.workDirFD == 6)
        #expect(opts.logFile == "restore.log" && opts.restoreSibling && opts.notifyScripts && opts.evasiveDevices)
        #expect(opts.tcpEstablished && opts.manageCgroups && opts.manageCgroupsMode == nil)
        #expect(opts.external.contains("mnt[/data]:/srv/new") && opts.external.contains("mnt[/dev/zero]:/dev/zero"))
        #expect(opts.external.contains("mnt[/dev/null]:/dev/null"))
        #expect(opts.inheritFDs.map(\.key) == ["extRootNetNS"] && opts.inheritFDs.map(\.fd) == [4])
        #expect(opts.joinNamespaces.map(\.ns) == ["uts"] && opts.joinNamespaces.map(\.file) == ["/run/uts"])
        #expect(opts.cgroupRoots.map(\.controllers) == [nil, "cpu,cpuacct"] && opts.cgroupRoots.map(\.path) == ["/swiftlet/c", "/swiftlet/c"])
        // No console asked for: no orphan-pts-master notification.
        #expect(!opts.orphanPtsMaster)
        let terminal = try CriuArguments.restore(
            root: "/r", imagesDirFD: 3, workDirFD: 3, options: RestoreOptions(), cgroupRoots: [], binds: [], devices: [],
            inherited: [], joined: [], terminal: true)
        #expect(terminal.orphanPtsMaster)
    }

    @Test(arguments: ["soft", "full", "strict", "ignore"])
    func cgroupModes(mode: String) throws {
        #expect(try CriuCgroupMode.check(mode) == mode)
    }

    @Test func unknownCgroupModeNamesTheFlag() throws {
        #expect(throws: RuntimeError.self) { try CriuCgroupMode.check("bogus") }
    }

    @Test func criuOutputParsing() throws {
        #expect(CriuTool.parseVersion("Version: 3.17.1\n") == "3.17.1")
        let check = "Warn (a.c:1): x\nError (criu/vdso.c:613): vdso: Failed to fill self vdso symtable\nError (b): y\n"
        #expect(CriuTool.firstError(check) == "vdso: Failed to fill self vdso symtable")
        #expect(CriuTool.firstError("Looks good.\n") == "Looks good.")
    }

    // MARK: the process's stdio (descriptors.json, runc's name and shape)

    @Test func descriptorsAreRuncsShape() throws {
        let bytes = try CriuArguments.descriptorsJSON(["/dev/null", "pipe:[12345]", nil])
        #expect(String(decoding: bytes, as: UTF8.self) == #"["/dev/null","pipe:[12345]",""]"#)
        #expect(try CriuArguments.parseDescriptors(bytes) == ["/dev/null", "pipe:[12345]", ""])
        // runc's own file reads back the same way.
        let runc = Array(#"["pipe:[7]","pipe:[8]","pipe:[9]"]"#.utf8)
        #expect(try CriuArguments.parseDescriptors(runc) == ["pipe:[7]", "pipe:[8]", "pipe:[9]"])
        #expect(throws: (any Error).self) { try CriuArguments.parseDescriptors(Array("{".utf8)) }
    }

    @Test func pipesAreHandedOverOncePerPipe() {
        let inherits = CriuArguments.pipeInherits(["/dev/null", "pipe:[20]", "pipe:[20]", "pipe:[30]"])
        #expect(inherits.map(\.key) == ["pipe:[20]"])
        #expect(inherits.map(\.fd) == [1])
        let all = CriuArguments.pipeInherits(["pipe:[1]", "pipe:[2]", "pipe:[3]"])
        #expect(all.map(\.fd) == [0, 1, 2])
        #expect(CriuArguments.pipeInherits(["/dev/pts/0", "socket:[5]", "", "pipe:[9"]).isEmpty)
    }

    // MARK: an init from before exeimage.c

    @Test func initStillMappingItsMemfdIsDetected() {
        let old = """
            00400000-00401000 r--p 00000000 00:01 1234                               /memfd:swiftlet-init (deleted)
            7ffd1000-7ffd2000 rw-p 00000000 00:00 0                                  [stack]
            """
        let moved = """
            00400000-00401000 r--p 00000000 00:00 0 
            7ffd1000-7ffd2000 rw-p 00000000 00:00 0                                  [stack]
            7ffd3000-7ffd4000 r--p 00000000 08:01 99                                 /usr/lib/x86_64-linux-gnu/libc.so.6
            """
        #expect(CriuArguments.mapsMemfd(old))
        #expect(!CriuArguments.mapsMemfd(moved))
        #expect(!CriuArguments.mapsMemfd(""))
    }

    // MARK: runc's remaining flags

    static func dump(_ options: CheckpointOptions, statusFD: Int32? = nil) throws -> CriuOpts {
        try CriuArguments.dump(pid: 1, rootfs: "/r", imagesDirFD: 3, workDirFD: 3, options: options, binds: [],
                               devices: [], maskedFiles: [], externalNamespaces: [], statusFD: statusFD)
    }

    static func restore(_ options: RestoreOptions) throws -> CriuOpts {
        try CriuArguments.restore(root: "/r", imagesDirFD: 3, workDirFD: 3, options: options,
                                  cgroupRoots: [], binds: [], devices: [], inherited: [], joined: [])
    }

    @Test func lazyPagesServeAtThePageServerAddress() throws {
        var options = CheckpointOptions()
        options.lazyPages = true
        options.pageServer = "192.0.2.1:27"
        let opts = try Self.dump(options, statusFD: 9)
        #expect(opts.lazyPages && opts.pageServer?.address == "192.0.2.1" && opts.pageServer?.port == 27)
        #expect(opts.statusFD == 9)
    }

    @Test func pageServerWithoutLazyPagesSendsThePages() throws {
        var options = CheckpointOptions()
        options.pageServer = "[::1]:1234"
        options.autoDedup = true
        let opts = try Self.dump(options)
        #expect(!opts.lazyPages && opts.autoDedup)
        #expect(opts.pageServer?.address == "::1" && opts.pageServer?.port == 1234)
        // --status-fd means something only with --lazy-pages (runc ignores it otherwise).
        #expect(try Self.dump(options, statusFD: 9).statusFD == nil)
    }

    @Test(arguments: ["nocolon", ":27", "host:", "host:0", "host:65536", "host:x1"])
    func badPageServerNamesTheFlag(value: String) {
        var options = CheckpointOptions()
        options.pageServer = value
        let error = #expect(throws: RuntimeError.self) { try Self.dump(options) }
        #expect(error?.description.hasPrefix("--page-server: ") == true)
    }

    @Test func emptyNetworkNamespace() throws {
        var options = CheckpointOptions()
        options.emptyNamespaces = ["network", "network"]
        #expect(try Self.dump(options).emptyNamespaces == 0x4000_0000)  // CLONE_NEWNET
        var restore = RestoreOptions()
        restore.emptyNamespaces = ["network"]
        #expect(try Self.restore(restore).emptyNamespaces == 0x4000_0000)
    }

    @Test(arguments: ["pid", "net", "", "ipc"])
    func otherEmptyNamespacesAreRefused(name: String) {
        var options = CheckpointOptions()
        options.emptyNamespaces = [name]
        let error = #expect(throws: RuntimeError.self) { try Self.dump(options) }
        #expect(error?.description.hasPrefix("--empty-ns: \"\(name)\"") == true)
    }

    @Test func restoreFlags() throws {
        var options = RestoreOptions()
        options.lazyPages = true
        options.autoDedup = true
        options.lsmProfile = "apparmor:my-profile"
        options.lsmMountContext = "system_u:object_r:container_file_t:s0"
        let opts = try Self.restore(options)
        #expect(opts.lazyPages && opts.autoDedup)
        #expect(opts.lsmProfile == "apparmor:my-profile")
        #expect(opts.lsmMountContext == "system_u:object_r:container_file_t:s0")
    }

    @Test(arguments: ["my-profile", "smack:x", "apparmor:", ":x"])
    func badLSMProfileNamesTheFlag(value: String) {
        var options = RestoreOptions()
        options.lsmProfile = value
        let error = #expect(throws: RuntimeError.self) { try Self.restore(options) }
        #expect(error?.description.hasPrefix("--lsm-profile: ") == true)
    }

    // MARK: mount points made before a restore

    @Test func restoreMakesMountpointsNotBelowFilesystems() {
        let mounts = [
            Mount(destination: "/proc", type: "proc", source: "proc", options: nil),
            Mount(destination: "/dev", type: "tmpfs", source: "tmpfs", options: nil),
            Mount(destination: "/dev/shm", type: "bind", source: "/srv/shm", options: ["rbind"]),
            Mount(destination: "/etc/hosts", type: "bind", source: "/srv/hosts", options: ["bind"]),
            Mount(destination: "/proc/x", type: "none", source: "/x", options: ["rbind"]),
            Mount(destination: "data/", type: "none", source: "data", options: ["bind"]),
        ]
        let needed = RestoreMountpoints.needed(mounts)
        #expect(needed.map(\.index) == [0, 1, 3, 5])
        #expect(RestoreMountpoints.normalized("data/") == "/data")
    }
}
