/// The runtime's own handle on procfs: the only way swiftlet reads or writes a /proc file once
/// a container's mounts can exist.
///
/// Why: a container controls its /proc. A bind mount over `/proc/sys/...` or
/// `/proc/self/attr/...`, a symlink swapped in by a racing container that shares a mount, or a
/// fake procfs (a tmpfs at /proc) turns a write the runtime meant for the container's own
/// kernel state into a write of a host-global sysctl (CVE-2019-16884, CVE-2023-27561,
/// CVE-2025-52881). So the runtime never looks a /proc path up in the container's tree:
///
/// 1. It takes procfs before any container mount exists, while it is already in the container's
///    namespaces: a descriptor of the procfs root mounted at /proc in the mount namespace it
///    started from (the host's, copied into the container's new namespace). pivot_root then
///    detaches that copy with the old root: no mount table holds it any more, so nothing can
///    be mounted over anything in it, and the container never sees it. For `exec` it is the
///    host's /proc, opened before entering the container. Where that is not a procfs root
///    (a joined mount namespace whose /proc is something else), it makes an instance of its
///    own instead (`fsopen("proc")` + `fsmount`, detached from the start). A descriptor of an
///    existing mount costs nothing to let go of; a detached instance of its own costs an RCU
///    grace period when it is finally closed (the kernel dissolves it), which is why it is the
///    fallback and not the rule.
/// 2. It verifies what it got: `fstatfs` says PROC_SUPER_MAGIC and the directory is a procfs
///    root (inode 1), so a bind of some procfs subdirectory or a tmpfs can never stand in.
/// 3. Every lookup below it is `openat2` with RESOLVE_BENEATH (no `..` or absolute escape),
///    RESOLVE_NO_MAGICLINKS (no /proc/PID/fd, cwd, root or exe jump) and RESOLVE_NO_XDEV (no
///    mount crossed, so even a copy with submounts cannot be redirected), and the file opened is
///    checked to be on procfs again.
///
/// Users: oom_score_adj, timens_offsets and linux.sysctl in the create child, oom_score_adj in
/// the exec child, and swiftlet-init (SWL_P_PROC_FD) for LSM labels, setgroups and
/// cap_last_cap. runtime-spec config-linux.md "Sysctl", config.md "Process" (oomScoreAdj,
/// apparmorProfile, selinuxLabel).
public struct Procfs: ~Copyable {
    /// The root directory of the private procfs mount (O_CLOEXEC).
    public let root: FileDescriptor

    static let resolve = Linux.RESOLVE_BENEATH | Linux.RESOLVE_NO_MAGICLINKS | Linux.RESOLVE_NO_XDEV

    init(verifying root: consuming FileDescriptor, source: String) throws(SystemError) {
        let type = try Sys.fsType(fd: root.raw, path: source)
        let info = try Sys.fstat(root.raw, path: source)
        guard type == Linux.PROC_SUPER_MAGIC, info.kind == .directory, info.inode == Linux.PROC_ROOT_INO else {
            throw SystemError(errno: Errno.EXDEV, operation: "verify procfs root (not a procfs root directory)", path: source)
        }
        self.root = root
    }

    /// The procfs root at `/proc` of the caller's mount namespace, verified; else a new
    /// instance of its own (detached from the start).
    public static func open() throws(SystemError) -> Procfs {
        if let mounted = try? mountedAtProc() { return mounted }
        let attributes = Linux.MOUNT_ATTR_NOSUID | Linux.MOUNT_ATTR_NODEV | Linux.MOUNT_ATTR_NOEXEC
        return try Procfs(verifying: try Sys.newMount(type: "proc", attributes: attributes, display: "private procfs"),
                          source: "private procfs")
    }

    /// The procfs root mounted at `/proc` (RESOLVE_NO_XDEV keeps every lookup off the mounts
    /// below it).
    public static func mountedAtProc() throws(SystemError) -> Procfs {
        try Procfs(verifying: try Sys.open("/proc", Linux.O_PATH | Linux.O_DIRECTORY | Linux.O_NOFOLLOW), source: "/proc")
    }

    /// `path` (relative, e.g. `self/oom_score_adj`) opened below the handle, verified on procfs.
    public func open(_ path: String, _ flags: Int32) throws(SystemError) -> FileDescriptor {
        let display = "/proc/" + path
        let fd = try Sys.openat2(root.raw, path, flags | Linux.O_NOFOLLOW, resolve: Self.resolve, display: display)
        guard try Sys.fsType(fd: fd.raw, path: display) == Linux.PROC_SUPER_MAGIC else {
            throw SystemError(errno: Errno.EXDEV, operation: "verify procfs file (not on procfs)", path: display)
        }
        return fd
    }

    /// The whole of `path` (`123/mountinfo`), read through the verified handle.
    public func read(_ path: String) throws(SystemError) -> [UInt8] {
        let fd = try open(path, Linux.O_RDONLY)
        return try Sys.readAll(fd, path: "/proc/" + path)
    }

    /// Writes `text` to `path` in one write(2), as procfs files expect.
    public func write(_ path: String, _ text: String) throws(SystemError) {
        let fd = try open(path, Linux.O_WRONLY)
        try Sys.writeAll(fd.raw, Array(text.utf8), path: "/proc/" + path)
    }

    /// The identity of the program process `pid` runs (`/proc/PID/exe`): the mount id the
    /// kernel reports for it (`mnt_id` in fdinfo, the id CRIU keys external files by) and its
    /// inode. The one lookup here that follows a magic link: only `exe` of a pid directory
    /// found below the verified root, opened O_PATH (nothing is read or written through it) and
    /// only looked at. For checkpoint (swiftlet-init's exe is a sealed memfd, docs/checkpoint.md).
    public func executableIdentity(_ pid: Int32) throws(SystemError) -> (mountID: UInt64, inode: UInt64) {
        let directory = try open("\(pid)", Linux.O_PATH | Linux.O_DIRECTORY)
        let exe = try Sys.openat(directory.raw, "exe", Linux.O_PATH, display: "/proc/\(pid)/exe")
        let inode = try Sys.fstat(exe.raw, path: "/proc/\(pid)/exe").inode
        let fdinfo = String(decoding: try read("self/fdinfo/\(exe.raw)"), as: UTF8.self)
        for line in fdinfo.split(separator: "\n") where line.hasPrefix("mnt_id:") {
            if let id = UInt64(line.dropFirst("mnt_id:".count).trimmingPrefix(while: { $0 == " " || $0 == "\t" })) {
                return (id, inode)
            }
        }
        throw SystemError(errno: Errno.EPROTO, operation: "no mnt_id in fdinfo", path: "/proc/self/fdinfo/\(exe.raw)")
    }

    /// The link targets of descriptors `fds` of process `pid` (`/proc/PID/fd/N`: `pipe:[12345]`,
    /// `/dev/null`, `socket:[...]`), nil for a descriptor the process does not have. The links
    /// are read with readlinkat(2) on the fd directory found below the verified root: nothing
    /// is followed or opened through them. For checkpoint (the process's stdio,
    /// docs/checkpoint.md "The process's stdio").
    public func descriptorTargets(_ pid: Int32, _ fds: [Int32]) throws(SystemError) -> [String?] {
        let directory = try open("\(pid)/fd", Linux.O_PATH | Linux.O_DIRECTORY)
        var targets: [String?] = []
        for fd in fds {
            do {
                targets.append(try Sys.readlinkat(directory.raw, "\(fd)", display: "/proc/\(pid)/fd/\(fd)"))
            } catch where error.errno == Errno.ENOENT {
                targets.append(nil)
            }
        }
        return targets
    }

    /// The namespace of kind `kind` (`pid`, `mnt`, ...) process `pid` is in, as its link reads
    /// (`pid:[4026532198]`): read with readlinkat(2) on the ns directory found below the
    /// verified root, nothing followed. For checkpoint (which processes share the init's).
    public func namespaceLink(_ pid: Int32, _ kind: String) throws(SystemError) -> String {
        let directory = try open("\(pid)/ns", Linux.O_PATH | Linux.O_DIRECTORY)
        return try Sys.readlinkat(directory.raw, kind, display: "/proc/\(pid)/ns/\(kind)")
    }

    /// The children of process `pid` (`/proc/PID/task/PID/children`, its main thread's).
    public func children(_ pid: Int32) throws(SystemError) -> [Int32] {
        let text = String(decoding: try read("\(pid)/task/\(pid)/children"), as: UTF8.self)
        return text.split(separator: " ").compactMap { Int32($0.trimmingPrefix(while: { $0 == "\n" })) }
    }

    /// The file for linux.sysctl key `key` (`net.ipv4.ip_forward` -> `sys/net/ipv4/ip_forward`).
    public static func sysctlPath(_ key: String) -> String { "sys/" + key.replacing(".", with: "/") }
}
