import FoundationEssentials
import OCI

/// The pure part of checkpoint and restore: CRIU's RPC options (`criu_opts`,
/// Checkpoint/CriuRPC.swift; the same meaning as criu(8) 3.17's flags) from the container's
/// config.json and the options. Unit-tested (Tests/SwiftletCoreTests/CriuArgumentsTests).
///
/// CRIU dumps every mount of the container's mount namespace itself, except those whose source
/// lies outside the container: those must be named external (`mnt[MOUNTPOINT]:KEY`) at dump
/// and given back as `mnt[KEY]:HOST-PATH` at restore (criu(8) "External
/// resources"). For a swiftlet container they are the bind mounts of config.json (`mounts[]`
/// with `bind`/`rbind` or type `bind`), the device nodes bound from the host (in a user
/// namespace), and each masked file, a bind of the host's null device (key `/dev/null`, as runc
/// names it, so the images are interchangeable). Namespaces joined by path (`linux.namespaces[].path`)
/// are the host's, not the container's: the network and pid ones are external at dump
/// (`net[INODE]:extRootNetNS`) and inherited at restore (`inherit_fd` {extRootNetNS, N});
/// the others are joined by CRIU at restore (`join_ns`).
public enum CriuArguments {
    /// The mounts of `mounts` CRIU must treat as external: (destination, host source).
    public static func bindMounts(_ mounts: [Mount], bundle: String) -> [(destination: String, source: String)] {
        mounts.compactMap { mount in
            let options = mount.options ?? []
            guard mount.type == "bind" || options.contains("bind") || options.contains("rbind"),
                  let source = mount.source else { return nil }
            let destination = mount.destination.hasPrefix("/") ? mount.destination : "/" + mount.destination
            return (destination, source.hasPrefix("/") ? source : bundle + "/" + source)
        }
    }

    /// The device paths of the container: the defaults every container gets and `linux.devices`.
    public static func devicePaths(_ devices: [LinuxDevice]?) -> [String] {
        var paths = DeviceCreator.defaults.map(\.path)
        for device in devices ?? [] where !paths.contains(device.path) { paths.append(device.path) }
        return paths
    }

    /// The masked paths that are mounts of the null device in the container, from its
    /// mountinfo: a masked file is a bind of a file (root not `/`), a masked directory an
    /// empty tmpfs (internal to the container, CRIU dumps it).
    public static func maskedFiles(_ masked: [String], mountinfo: String) -> [String] {
        var fileMounts = Set<String>()
        for line in mountinfo.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            // id parent major:minor root mountpoint options ... - fstype source super
            guard fields.count >= 5, let dash = fields.firstIndex(of: "-"), dash + 1 < fields.count else { continue }
            if fields[3] != "/" && fields[dash + 1] != "tmpfs" { fileMounts.insert(unescape(String(fields[4]))) }
        }
        return masked.filter { fileMounts.contains($0) }
    }

    /// mountinfo's octal escapes (`\040` for a space).
    static func unescape(_ text: String) -> String {
        guard text.contains("\\") else { return text }
        var out: [UInt8] = []
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "\\"), i + 3 < bytes.count,
               let value = UInt8(String(decoding: bytes[(i + 1)...(i + 3)], as: UTF8.self), radix: 8) {
                out.append(value)
                i += 4
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The image file that records swiftlet-init's external exe key for restore (the role of
    /// runc's descriptors.json).
    public static let initExeFile = "swiftlet-init-exe"

    /// The image file that records the process's stdio for restore: runc's name and shape (a
    /// JSON array, index = descriptor number 0-2, each the `/proc/PID/fd/N` link target:
    /// `["/dev/null","pipe:[12345]","pipe:[12346]"]`), so engines that read runc's images read
    /// ours. An fd the process did not have is recorded as "".
    public static let descriptorsFile = "descriptors.json"

    /// descriptors.json's content for `targets` (the link targets of fds 0-2, nil: not open).
    public static func descriptorsJSON(_ targets: [String?]) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return Array(try encoder.encode(targets.map { $0 ?? "" }))
    }

    /// descriptors.json read back (ours or runc's): the link targets by descriptor number.
    public static func parseDescriptors(_ bytes: [UInt8]) throws -> [String] {
        try JSONDecoder().decode([String].self, from: Data(bytes))
    }

    /// The stdio descriptors restore hands to CRIU for recorded `descriptors` (descriptors.json):
    /// (CRIU's key `pipe:[INODE]`, the restore's own fd number) for each recorded pipe, as
    /// runc does: the dumped process's end of an engine's pipe becomes restore's descriptor of
    /// the same number (conmon's or the shim's new pipe). Other kinds (the null device, a file
    /// or a tty of the container) CRIU restores itself. A pipe recorded twice (stdout and
    /// stderr on one pipe) is handed over once, from the first descriptor.
    public static func pipeInherits(_ descriptors: [String]) -> [(key: String, fd: Int32)] {
        var seen = Set<String>()
        var result: [(key: String, fd: Int32)] = []
        for (index, target) in descriptors.prefix(3).enumerated()
        where target.hasPrefix("pipe:[") && target.hasSuffix("]") && !seen.contains(target) {
            seen.insert(target)
            result.append((target, Int32(index)))
        }
        return result
    }

    /// Whether `maps` (/proc/PID/maps of a container's init) still maps a memfd: an init from
    /// before swiftlet-init moved its segments off its memfd (exeimage.c). CRIU dumps such an
    /// init but cannot restore the images ("No entry for reg-file-ID"), so checkpoint refuses.
    public static func mapsMemfd(_ maps: String) -> Bool {
        for line in maps.split(separator: "\n") {
            // start-end perms offset dev inode path: the path is the sixth field.
            let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            if fields.count == 6, fields[5].trimmingPrefix(while: { $0 == " " }).hasPrefix("/memfd:") { return true }
        }
        return false
    }

    /// CRIU's key of an external file (`--external file[MNTID:INODE]`, both hex, as CRIU
    /// formats it in files-reg.c).
    public static func fileKey(mountID: UInt64, inode: UInt64) -> String {
        "file[\(String(mountID, radix: 16)):\(String(inode, radix: 16))]"
    }

    /// CRIU's key for an external namespace of `type` (runc's: `extRootNetNS`, `extRootPidNS`).
    public static func namespaceKey(_ type: LinuxNamespaceType) -> String {
        type == .network ? "extRootNetNS" : "extRootPidNS"
    }

    /// What both requests set: runc's flags of the same name, and the cgroups managed by CRIU
    /// (`manage_cgroups`, soft unless `--manage-cgroups-mode` says otherwise).
    static func common(_ opts: inout CriuOpts, tcpEstablished: Bool, extUnixSk: Bool, shellJob: Bool, fileLocks: Bool,
                       manageCgroupsMode: String?) throws {
        opts.tcpEstablished = tcpEstablished
        opts.extUnixSk = extUnixSk
        opts.shellJob = shellJob
        opts.fileLocks = fileLocks
        opts.manageCgroups = true
        if let mode = try CriuCgroupMode.check(manageCgroupsMode) { opts.manageCgroupsMode = CriuCgroupModeNumber(flag: mode) }
    }

    /// CLONE_NEWNET (`empty_ns` is a mask of clone flags; CRIU 3.17 accepts only this one).
    static let cloneNewNet: UInt32 = 0x4000_0000

    /// The dump (or pre-dump: `preDump`) request's options for the tree under `pid`, whose
    /// root is `rootfs`; `imagesDirFD`/`workDirFD` are the runtime's descriptors of the
    /// directories. `externalNamespaces`: (type, inode) of the network and pid namespaces joined
    /// by path; `externalFiles`: keys of files CRIU must not dump (swiftlet-init's memfd exe).
    /// `orphan_pts_master` is set as runc sets it: a terminal container's pty slave (its
    /// stdio, and /dev/console bound from it) has its master outside the tree, with the engine,
    /// which CRIU refuses to dump otherwise ("Found slave peer index N without correspond master
    /// peer", "Unable to find a master for /0": tty.c).
    static func dump(pid: Int32, rootfs: String, imagesDirFD: Int32, workDirFD: Int32, options: CheckpointOptions,
                     binds: [(destination: String, source: String)], devices: [String], maskedFiles: [String],
                     externalNamespaces: [(LinuxNamespaceType, UInt64)], externalFiles: [String] = [],
                     statusFD: Int32? = nil) throws -> CriuOpts {
        var opts = CriuOpts()
        opts.imagesDirFD = imagesDirFD
        opts.workDirFD = workDirFD
        opts.pid = pid
        opts.logFile = options.preDump ? "pre-dump.log" : "dump.log"
        opts.root = rootfs
        try common(&opts, tcpEstablished: options.tcpEstablished, extUnixSk: options.extUnixSk, shellJob: options.shellJob,
                   fileLocks: options.fileLocks, manageCgroupsMode: options.manageCgroupsMode)
        opts.leaveRunning = options.leaveRunning && !options.preDump
        if let parent = options.parentPath {
            opts.parentImage = parent
            opts.trackMem = true
        }
        if options.preDump { opts.trackMem = true }
        opts.autoDedup = options.autoDedup
        let server = try options.pageServer.map(CriuPageServer.parse)
        if let server { opts.pageServer = (server.address, Int32(server.port)) }
        if options.lazyPages {
            // CRIU's lazy dump is itself the page server, listening on the port.
            opts.lazyPages = true
            opts.statusFD = statusFD
        }
        if try CriuEmptyNamespaces.criuNames(options.emptyNamespaces).contains("net") { opts.emptyNamespaces = cloneNewNet }
        for (type, inode) in externalNamespaces {
            opts.external.append("\(type == .network ? "net" : "pid")[\(inode)]:\(namespaceKey(type))")
        }
        opts.external += externalFiles
        if !options.preDump {
            for bind in binds { opts.external.append("mnt[\(bind.destination)]:\(bind.destination)") }
            for path in devices { opts.external.append("mnt[\(path)]:\(path)") }
            for path in maskedFiles { opts.external.append("mnt[\(path)]:/dev/null") }
        }
        opts.orphanPtsMaster = true
        return opts
    }

    /// The restore request's options below `root` (a mount point: the rootfs bound there), the
    /// restored init a sibling of CRIU (`rst_sibling`: the runtime's child), every step
    /// notified (`notify_scripts`: the hooks run at setup-namespaces). `inherited`: (key, fd
    /// number in CRIU) of the namespaces, the init's exe and the stdio pipes handed down;
    /// `joined`: (CRIU's name, path); `cgroupRoots`: (controllers or nil for cgroup v2, path).
    /// `terminal`: `orphan_pts_master`, CRIU makes the console's new pty pair in the restored
    /// devpts and hands the master back in an orphan-pts-master notification.
    static func restore(root: String, imagesDirFD: Int32, workDirFD: Int32, options: RestoreOptions,
                        cgroupRoots: [(String?, String)], binds: [(destination: String, source: String)],
                        devices: [String], inherited: [(String, Int32)], joined: [(String, String)],
                        terminal: Bool = false) throws -> CriuOpts {
        var opts = CriuOpts()
        opts.imagesDirFD = imagesDirFD
        opts.workDirFD = workDirFD
        opts.logFile = "restore.log"
        opts.root = root
        opts.restoreSibling = true
        opts.evasiveDevices = true
        opts.notifyScripts = true
        try common(&opts, tcpEstablished: options.tcpEstablished, extUnixSk: options.extUnixSk, shellJob: options.shellJob,
                   fileLocks: options.fileLocks, manageCgroupsMode: options.manageCgroupsMode)
        opts.cgroupRoots = cgroupRoots.map { (controllers: $0.0, path: $0.1) }
        opts.lazyPages = options.lazyPages
        opts.autoDedup = options.autoDedup
        if try CriuEmptyNamespaces.criuNames(options.emptyNamespaces).contains("net") { opts.emptyNamespaces = cloneNewNet }
        opts.lsmProfile = try CriuLSMProfile.check(options.lsmProfile)
        if let context = options.lsmMountContext {
            guard !context.isEmpty else { throw RuntimeError("--lsm-mount-context: empty", errno: Errno.EINVAL) }
            opts.lsmMountContext = context
        }
        for bind in binds { opts.external.append("mnt[\(bind.destination)]:\(bind.source)") }
        for path in devices { opts.external.append("mnt[\(path)]:\(path)") }
        opts.external.append("mnt[/dev/null]:/dev/null")
        opts.inheritFDs = inherited.map { (key: $0.0, fd: $0.1) }
        opts.joinNamespaces = joined.map { (ns: $0.0, file: $0.1) }
        opts.orphanPtsMaster = terminal
        return opts
    }

    /// CRIU's name of a namespace type for `--join-ns` (nil: CRIU cannot join it).
    public static func joinName(_ type: LinuxNamespaceType) -> String? {
        switch type {
        case .ipc: "ipc"
        case .uts: "uts"
        case .mount: "mnt"
        case .user: "user"
        case .time: "time"
        default: nil
        }
    }
}
