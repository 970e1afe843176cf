import FoundationEssentials
import OCI

/// The pure part of checkpoint and restore: CRIU's command lines (criu(8) 3.17) from the
/// container's config.json and the options. Unit-tested (Tests/SwiftletCoreTests/CriuArgumentsTests).
///
/// CRIU dumps every mount of the container's mount namespace itself, except those whose source
/// lies outside the container: those must be named `--external mnt[MOUNTPOINT]:KEY` at dump
/// and given back as `--external mnt[KEY]:HOST-PATH` at restore (criu(8) "External
/// resources"). For a swiftlet container they are the bind mounts of config.json (`mounts[]`
/// with `bind`/`rbind` or type `bind`), the device nodes bound from the host (in a user
/// namespace), and each masked file, a bind of the host's null device (key `/dev/null`, as runc
/// names it, so the images are interchangeable). Namespaces joined by path (`linux.namespaces[].path`)
/// are the host's, not the container's: the network and pid ones are external at dump
/// (`--external net[INODE]:extRootNetNS`) and inherited at restore (`--inherit-fd
/// fd[N]:extRootNetNS`); the others are joined by CRIU at restore (`--join-ns`).
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

    /// What both commands pass: the flags runc's of the same name map to.
    static func common(tcpEstablished: Bool, extUnixSk: Bool, shellJob: Bool, fileLocks: Bool,
                       manageCgroupsMode: String?) -> [String] {
        var args: [String] = []
        if tcpEstablished { args.append("--tcp-established") }
        if extUnixSk { args.append("--ext-unix-sk") }
        if shellJob { args.append("--shell-job") }
        if fileLocks { args.append("--file-locks") }
        args.append(manageCgroupsMode.map { "--manage-cgroups=\($0)" } ?? "--manage-cgroups")
        return args
    }

    /// `criu dump` (or `pre-dump`) of the tree under `pid`, whose root is `rootfs`.
    /// `externalNamespaces`: (type, inode) of the network and pid namespaces joined by path;
    /// `externalFiles`: keys of files CRIU must not dump (swiftlet-init's memfd exe).
    public static func dump(pid: Int32, rootfs: String, imageDir: String, workDir: String, options: CheckpointOptions,
                            binds: [(destination: String, source: String)], devices: [String], maskedFiles: [String],
                            externalNamespaces: [(LinuxNamespaceType, UInt64)], externalFiles: [String] = [],
                            statusFD: Int32? = nil) throws -> [String] {
        var args = [options.preDump ? "pre-dump" : "dump", "--tree", "\(pid)", "--images-dir", imageDir,
                    "--work-dir", workDir, "--log-file", options.preDump ? "pre-dump.log" : "dump.log", "-v4",
                    "--root", rootfs]
        args += common(tcpEstablished: options.tcpEstablished, extUnixSk: options.extUnixSk, shellJob: options.shellJob,
                       fileLocks: options.fileLocks, manageCgroupsMode: options.manageCgroupsMode)
        if options.leaveRunning && !options.preDump { args.append("--leave-running") }
        if let parent = options.parentPath { args += ["--prev-images-dir", parent, "--track-mem"] }
        if options.preDump { args.append("--track-mem") }
        if options.autoDedup { args.append("--auto-dedup") }
        let server = try options.pageServer.map(CriuPageServer.parse)
        if options.lazyPages {
            // CRIU's lazy dump is itself the page server, listening at ADDRESS:PORT.
            args.append("--lazy-pages")
            if let server { args += ["--address", server.address, "--port", "\(server.port)"] }
            if let statusFD { args += ["--status-fd", "\(statusFD)"] }
        } else if let server {
            args += ["--page-server", "--address", server.address, "--port", "\(server.port)"]
        }
        for name in try CriuEmptyNamespaces.criuNames(options.emptyNamespaces) { args += ["--empty-ns", name] }
        for (type, inode) in externalNamespaces {
            args += ["--external", "\(type == .network ? "net" : "pid")[\(inode)]:\(namespaceKey(type))"]
        }
        for key in externalFiles { args += ["--external", key] }
        if !options.preDump {
            for bind in binds { args += ["--external", "mnt[\(bind.destination)]:\(bind.destination)"] }
            for path in devices { args += ["--external", "mnt[\(path)]:\(path)"] }
            for path in maskedFiles { args += ["--external", "mnt[\(path)]:/dev/null"] }
        }
        return args
    }

    /// `criu restore` below `root` (a mount point: the rootfs bound there), detached, the
    /// restored init a sibling of CRIU (the runtime's child), its pid in `pidFile`.
    /// `inherited`: (key, fd number) of the namespaces handed down; `joined`: (CRIU's name, path).
    public static func restore(root: String, imageDir: String, workDir: String, pidFile: String, options: RestoreOptions,
                               cgroupRoot: String?, binds: [(destination: String, source: String)], devices: [String],
                               inherited: [(String, Int32)], joined: [(String, String)], actionScript: String? = nil) throws -> [String] {
        var args = ["restore", "--images-dir", imageDir, "--work-dir", workDir, "--log-file", "restore.log", "-v4",
                    "--root", root, "--restore-detached", "--restore-sibling", "--pidfile", pidFile, "--evasive-devices"]
        args += common(tcpEstablished: options.tcpEstablished, extUnixSk: options.extUnixSk, shellJob: options.shellJob,
                       fileLocks: options.fileLocks, manageCgroupsMode: options.manageCgroupsMode)
        if let cgroupRoot { args += ["--cgroup-root", cgroupRoot] }
        if options.lazyPages { args.append("--lazy-pages") }
        if options.autoDedup { args.append("--auto-dedup") }
        for name in try CriuEmptyNamespaces.criuNames(options.emptyNamespaces) { args += ["--empty-ns", name] }
        if let profile = try CriuLSMProfile.check(options.lsmProfile) { args += ["--lsm-profile", profile] }
        if let context = options.lsmMountContext {
            guard !context.isEmpty else { throw RuntimeError("--lsm-mount-context: empty", errno: Errno.EINVAL) }
            args += ["--lsm-mount-context", context]
        }
        for bind in binds { args += ["--external", "mnt[\(bind.destination)]:\(bind.source)"] }
        for path in devices { args += ["--external", "mnt[\(path)]:\(path)"] }
        args += ["--external", "mnt[/dev/null]:/dev/null"]
        for (key, fd) in inherited { args += ["--inherit-fd", "fd[\(fd)]:\(key)"] }
        for (name, path) in joined { args += ["--join-ns", "\(name):\(path)"] }
        if let actionScript { args += ["--action-script", actionScript] }
        return args
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
