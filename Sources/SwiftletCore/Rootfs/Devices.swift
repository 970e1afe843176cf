import OCI

/// Device nodes and /dev symlinks. runtime-spec config-linux.md "Default Devices" and
/// "Devices". In a user namespace mknod(2) is not permitted: the host's node is bind-mounted
/// over an empty file instead (as runc does).
struct DeviceCreator {
    let root: Int32
    let inUserNamespace: Bool

    /// The devices every container gets (config-linux.md "Default Devices").
    static let defaults: [LinuxDevice] = [
        LinuxDevice(path: "/dev/null", type: "c", major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0),
        LinuxDevice(path: "/dev/zero", type: "c", major: 1, minor: 5, fileMode: 0o666, uid: 0, gid: 0),
        LinuxDevice(path: "/dev/full", type: "c", major: 1, minor: 7, fileMode: 0o666, uid: 0, gid: 0),
        LinuxDevice(path: "/dev/random", type: "c", major: 1, minor: 8, fileMode: 0o666, uid: 0, gid: 0),
        LinuxDevice(path: "/dev/urandom", type: "c", major: 1, minor: 9, fileMode: 0o666, uid: 0, gid: 0),
        LinuxDevice(path: "/dev/tty", type: "c", major: 5, minor: 0, fileMode: 0o666, uid: 0, gid: 0),
    ]

    /// Symlinks every /dev has (config-linux.md "Default Devices", and /dev/ptmx to the
    /// container's devpts instance).
    static let links: [(String, String)] = [
        ("/dev/fd", "/proc/self/fd"), ("/dev/stdin", "/proc/self/fd/0"),
        ("/dev/stdout", "/proc/self/fd/1"), ("/dev/stderr", "/proc/self/fd/2"),
    ]

    /// The default devices but those `linux.devices` lists itself (`configured`, by path):
    /// the config's entry is made instead, as runc merges them. (Rootless, a second bind over
    /// the default's bind could not replace it.)
    /// All of them live in /dev, which is resolved once for them (the child is the only process
    /// in its new mount namespace, so what the descriptor names cannot change meanwhile).
    func createDefaults(hasDevpts: Bool, configured: Set<String> = []) throws {
        let dev = try withContext("/dev") { try InRoot.mkdirAll(root, "/dev") }
        for device in Self.defaults where !configured.contains(device.path) {
            try withContext("linux.devices (default \(device.path)) (\(device.path))") {
                try make(device, dir: dev.raw, name: Self.name(device.path))
            }
        }
        for (link, target) in Self.links { try symlink(link, target, dir: dev.raw) }
        if Sys.exists("/proc/kcore") { try symlink("/dev/core", "/proc/kcore", dir: dev.raw) }
        if hasDevpts { try symlink("/dev/ptmx", "pts/ptmx", dir: dev.raw, replace: true) }
    }

    /// The last component of a /dev path.
    private static func name(_ path: String) -> String { InRoot.components(path).last ?? "." }

    /// A symlink at `path`, whose parent is `dir` (/dev).
    private func symlink(_ path: String, _ target: String, dir: Int32, replace: Bool = false) throws {
        try withContext("symlink \(path)") {
            let name = Self.name(path)
            if replace { try? Sys.unlinkat(dir, name) }
            do {
                try Sys.symlinkat(target, dir, name, display: path)
            } catch let error as SystemError where error.errno == Errno.EEXIST {}
        }
    }

    /// Creates one device node, replacing whatever is at its path.
    func create(_ device: LinuxDevice, field: String) throws {
        try withContext("\(field) (\(device.path))") {
            try InRoot.withParent(root, device.path) { dir, name in try make(device, dir: dir, name: name) }
        }
    }

    /// Makes `device` as `name` in `dir`, replacing whatever is there.
    private func make(_ device: LinuxDevice, dir: Int32, name: String) throws {
        let typeBits: UInt32
        switch device.type {
        case "b": typeBits = Linux.S_IFBLK
        case "p": typeBits = Linux.S_IFIFO
        default: typeBits = Linux.S_IFCHR
        }
        let mode = (device.fileMode ?? 0o666) & 0o7777
        let major = UInt32(truncatingIfNeeded: device.major ?? 0)
        let minor = UInt32(truncatingIfNeeded: device.minor ?? 0)
        let uid = device.uid ?? 0, gid = device.gid ?? 0
        try? Sys.unlinkat(dir, name)
        if inUserNamespace && typeBits != Linux.S_IFIFO {
            try bindHostDevice(device.path, dir: dir, name: name)
            return
        }
        // With the umask cleared, the node gets the mode itself (as runc makes device nodes).
        try Sys.withUmask(0) { () throws(SystemError) in
            try Sys.mknodat(dir, name, mode: typeBits | mode, major: major, minor: minor, display: device.path)
        }
        let node = try Sys.openat(dir, name, Linux.O_PATH | Linux.O_NOFOLLOW, display: device.path)
        // What was just made, not something swapped in since: chmod/chown through the
        // magic link would follow a symlink (resolved against the host's root here).
        let made = try Sys.fstat(node.raw, path: device.path)
        guard made.kind == Self.kind(of: typeBits),
              typeBits == Linux.S_IFIFO || (made.rdevMajor == major && made.rdevMinor == minor) else {
            throw RuntimeError("\(device.path): replaced while it was being created", errno: Errno.EXDEV)
        }
        // Made with the umask cleared and by the container's root, a node usually has its mode
        // and owner already (the default devices always do); only what differs is changed.
        // fchmod/fchown do not work on O_PATH descriptors: go through the magic link.
        let path = InRoot.procPath(node.raw)
        if made.mode != mode { try Sys.chmod(path, mode: mode) }
        if made.uid != uid || made.gid != gid { try Sys.chown(path, uid: uid, gid: gid) }
    }

    static func kind(of typeBits: UInt32) -> Sys.FileKind {
        switch typeBits {
        case Linux.S_IFBLK: return .blockDevice
        case Linux.S_IFIFO: return .fifo
        default: return .charDevice
        }
    }

    private func bindHostDevice(_ path: String, dir: Int32, name: String) throws {
        // Already the host's node there (a /dev bound from the host, as rootless podman's
        // --privileged has it; the user may not unlink it): nothing to do. Same type and
        // numbers as the host's node at that path, which the user could open on the host anyway.
        if try Self.isHostNode(path, dir: dir, name: name) { return }
        _ = try Sys.openat(dir, name, Linux.O_CREAT | Linux.O_WRONLY | Linux.O_NOFOLLOW, mode: 0o644, display: path)
        let target = try Sys.openat(dir, name, Linux.O_PATH | Linux.O_NOFOLLOW, display: path)
        guard try Sys.fstat(target.raw, path: path).kind == .regular else {
            throw RuntimeError("\(path): replaced while it was being created", errno: Errno.EXDEV)
        }
        try Sys.mount(source: path, target: InRoot.procPath(target.raw), type: nil, flags: Linux.MS_BIND, data: nil,
                      display: path)
    }
}

extension DeviceCreator {
    /// Whether `name` in `dir` is a device node with the type and numbers of the host's `path`
    /// (false when either is missing or not a device).
    static func isHostNode(_ path: String, dir: Int32, name: String) throws -> Bool {
        let here: Sys.FileInfo
        do {
            let node = try Sys.openat(dir, name, Linux.O_PATH | Linux.O_NOFOLLOW, display: path)
            here = try Sys.fstat(node.raw, path: path)
        } catch {
            if error.errno == Errno.ENOENT { return false }
            throw RuntimeError(path, error)
        }
        guard here.kind == .charDevice || here.kind == .blockDevice else { return false }
        let host: Sys.FileInfo
        do { host = try Sys.stat(path, followSymlinks: false) } catch { return false }
        return host.kind == here.kind && host.rdevMajor == here.rdevMajor && host.rdevMinor == here.rdevMinor
    }

    /// Device cgroup rules appended after `linux.resources.devices` (runc's AllowedDevices,
    /// without its /dev/net/tun): mknod of any device, so the runtime can make the nodes, and
    /// the default devices and the container's ptys stay usable under a deny-all rule.
    ///
    /// `linux.devices` only makes nodes (config-linux.md "Devices"): whether the container may
    /// use them is `linux.resources.devices`' to say ("Allowed Device list", in order, the last
    /// match winning), so a deny-all keeps a listed /dev/kmsg closed. A `linux.devices` entry
    /// at the path of a default device replaces it, and that default's rule goes too (as in
    /// runc), except the null device's: the runtime itself opens the null device (1:3, verified)
    /// after the child joined the container's cgroup, to mask files with it (`NullDevice`), and
    /// to move the process's stdio onto the container's own (`StdioNull`). runc 1.1.5 drops it
    /// too and then fails its own reopen of /dev/null with EPERM; the null device grants nothing.
    /// /dev/console needs no rule: it is a bind of the pty (136:N), never 5:1, the host's console.
    static func cgroupRules(for devices: [LinuxDevice]?) -> [LinuxDeviceCgroup] {
        let paths = Set((devices ?? []).map(\.path))
        let replaced = defaults.filter { paths.contains($0.path) && $0.path != "/dev/null" }
        return CgroupConversion.defaultAllowedDevices.filter { rule in
            !replaced.contains { $0.major == rule.major && $0.minor == rule.minor && rule.type == "c" }
        }
    }
}
