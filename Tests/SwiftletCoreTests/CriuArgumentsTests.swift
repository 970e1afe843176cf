import OCI
import Testing
@testable import SwiftletCore

/// checkpoint and restore's CRIU command lines (Checkpoint/CriuArguments.swift,
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
        let args = try CriuArguments.dump(
            pid: 42, rootfs: "/r", imageDir: "/img", workDir: "/w", options: options,
            binds: [("/data", "/srv/data")], devices: ["/dev/null"], maskedFiles: ["/proc/kcore"],
            externalNamespaces: [(.network, 4026531840)])
        #expect(Array(args.prefix(3)) == ["dump", "--tree", "42"])
        #expect(args.contains("--leave-running") && args.contains("--shell-job") && args.contains("--manage-cgroups=full"))
        #expect(args.contains("mnt[/data]:/data") && args.contains("mnt[/dev/null]:/dev/null"))
        #expect(args.contains("mnt[/proc/kcore]:/dev/null"))
        #expect(args.contains("net[4026531840]:extRootNetNS"))
        #expect(!args.contains("--tcp-established"))
    }

    /// swiftlet-init's memfd exe: CRIU's own key format (files-reg.c: `file[%x:%llx]`), passed
    /// at dump (pre-dump too: the exe is dumped there as well) and inherited at restore.
    @Test func initExeIsAnExternalFile() throws {
        let key = CriuArguments.fileKey(mountID: 0x1a, inode: 94766)
        #expect(key == "file[1a:1722e]")
        let args = try CriuArguments.dump(pid: 1, rootfs: "/r", imageDir: "/i", workDir: "/w", options: CheckpointOptions(),
                                      binds: [], devices: [], maskedFiles: [], externalNamespaces: [], externalFiles: [key])
        let index = args.firstIndex(of: key)
        #expect(index != nil && index.map { args[$0 - 1] } == "--external")
        let restore = try CriuArguments.restore(
            root: "/r", imageDir: "/i", workDir: "/w", pidFile: "/p", options: RestoreOptions(), cgroupRoot: nil,
            binds: [], devices: [], inherited: [(key, 4)], joined: [])
        #expect(restore.contains("fd[4]:file[1a:1722e]"))
    }

    @Test(arguments: [("3.17.1", false), ("3.18", false), ("3.19", true), ("3.19.1", true), ("4.0", true), ("unknown", false)])
    func noNewPrivsFromCriu319(version: String, restores: Bool) throws {
        #expect(CriuTool.restoresNoNewPrivs(version) == restores)
    }

    @Test func preDumpHasNoMountsAndTracksMemory() throws {
        var options = CheckpointOptions()
        options.preDump = true
        options.leaveRunning = true
        let args = try CriuArguments.dump(pid: 1, rootfs: "/r", imageDir: "/i", workDir: "/w", options: options,
                                      binds: [("/data", "/srv")], devices: [], maskedFiles: [], externalNamespaces: [])
        #expect(args.first == "pre-dump")
        #expect(args.contains("--track-mem") && !args.contains("--leave-running"))
        #expect(!args.contains("mnt[/data]:/data"))
    }

    @Test func restoreArguments() throws {
        var options = RestoreOptions()
        options.tcpEstablished = true
        let args = try CriuArguments.restore(
            root: "/state/c/criu-root", imageDir: "/img", workDir: "/w", pidFile: "/state/c/criu.pid", options: options,
            cgroupRoot: "/swiftlet/c", binds: [("/data", "/srv/new")], devices: ["/dev/zero"],
            inherited: [("extRootNetNS", 3)], joined: [("uts", "/run/uts")])
        #expect(args.first == "restore")
        #expect(args.contains("--restore-detached") && args.contains("--restore-sibling") && args.contains("--tcp-established"))
        #expect(args.contains("mnt[/data]:/srv/new") && args.contains("mnt[/dev/zero]:/dev/zero"))
        #expect(args.contains("mnt[/dev/null]:/dev/null"))
        #expect(args.contains("fd[3]:extRootNetNS") && args.contains("uts:/run/uts"))
        #expect(args.contains("/swiftlet/c"))
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

    static func dump(_ options: CheckpointOptions, statusFD: Int32? = nil) throws -> [String] {
        try CriuArguments.dump(pid: 1, rootfs: "/r", imageDir: "/i", workDir: "/w", options: options, binds: [],
                               devices: [], maskedFiles: [], externalNamespaces: [], statusFD: statusFD)
    }

    static func restore(_ options: RestoreOptions) throws -> [String] {
        try CriuArguments.restore(root: "/r", imageDir: "/i", workDir: "/w", pidFile: "/p", options: options,
                                  cgroupRoot: nil, binds: [], devices: [], inherited: [], joined: [])
    }

    /// `args` has `flag` followed by `value`.
    static func has(_ args: [String], _ flag: String, _ value: String) -> Bool {
        zip(args, args.dropFirst()).contains { $0 == flag && $1 == value }
    }

    @Test func lazyPagesServeAtThePageServerAddress() throws {
        var options = CheckpointOptions()
        options.lazyPages = true
        options.pageServer = "192.0.2.1:27"
        let args = try Self.dump(options, statusFD: 3)
        #expect(args.contains("--lazy-pages") && !args.contains("--page-server"))
        #expect(Self.has(args, "--address", "192.0.2.1") && Self.has(args, "--port", "27"))
        #expect(Self.has(args, "--status-fd", "3"))
    }

    @Test func pageServerWithoutLazyPagesSendsThePages() throws {
        var options = CheckpointOptions()
        options.pageServer = "[::1]:1234"
        options.autoDedup = true
        let args = try Self.dump(options)
        #expect(args.contains("--page-server") && !args.contains("--lazy-pages") && args.contains("--auto-dedup"))
        #expect(Self.has(args, "--address", "::1") && Self.has(args, "--port", "1234"))
        // --status-fd means something only with --lazy-pages (runc ignores it otherwise).
        #expect(!(try Self.dump(CheckpointOptions(), statusFD: nil)).contains("--status-fd"))
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
        let args = try Self.dump(options)
        #expect(Self.has(args, "--empty-ns", "net") && args.filter { $0 == "--empty-ns" }.count == 1)
        var restore = RestoreOptions()
        restore.emptyNamespaces = ["network"]
        #expect(Self.has(try Self.restore(restore), "--empty-ns", "net"))
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
        let args = try Self.restore(options)
        #expect(args.contains("--lazy-pages") && args.contains("--auto-dedup"))
        #expect(Self.has(args, "--lsm-profile", "apparmor:my-profile"))
        #expect(Self.has(args, "--lsm-mount-context", "system_u:object_r:container_file_t:s0"))
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

    // MARK: hooks at restore (CRIU's setup-namespaces step, through an action script)

    @Test func restoreActionScriptOnlyWithHooks() throws {
        #expect(!(try Self.restore(RestoreOptions())).contains("--action-script"))
        let args = try CriuArguments.restore(
            root: "/r", imageDir: "/i", workDir: "/w", pidFile: "/p", options: RestoreOptions(), cgroupRoot: nil,
            binds: [], devices: [], inherited: [], joined: [], actionScript: "exit 0")
        #expect(Array(args.suffix(2)) == ["--action-script", "exit 0"])
    }

    /// The script waits for the runtime only at setup-namespaces, and quotes the FIFO paths as
    /// single sh words whatever the state root's name holds.
    @Test func restoreHookScript() {
        let script = CriuRestoreHooks.script(request: "/run/s/c/criu-hooks.request", answer: "/run/it's/a")
        #expect(script.hasPrefix("[ \"$CRTOOLS_SCRIPT_ACTION\" = setup-namespaces ] || exit 0; "))
        #expect(script.contains("echo \"$CRTOOLS_INIT_PID\" > '/run/s/c/criu-hooks.request'"))
        #expect(script.contains("read -r answer < '/run/it'\\''s/a'"))
        #expect(script.hasSuffix("[ \"$answer\" = ok ]"))
    }

    @Test(arguments: [("4242\n", Int32(4242)), ("17", 17), ("", nil), ("0\n", nil), ("x\n", nil), ("-3\n", nil)] as [(String, Int32?)])
    func restoreHookPid(text: String, pid: Int32?) {
        #expect(CriuRestoreHooks.pid(Array(text.utf8)) == pid)
    }
}
