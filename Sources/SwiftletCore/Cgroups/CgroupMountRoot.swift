/// The host's cgroup mount root, /sys/fs/cgroup, opened once (O_PATH) by the first operation of
/// a command that needs it: the hierarchies' mount points and the cgroups below them are then
/// looked up from this descriptor instead of by their full paths.
///
/// Why: /sys is sysfs, a kernfs filesystem, and a lookup that passes through it (the `fs` of
/// /sys/fs/cgroup) revalidates that dentry under the sysfs root's kernfs lock. Creating a
/// network namespace holds the same lock for writing while it registers the namespace's
/// loopback device in sysfs, and tearing one down holds it again. With many containers
/// starting at once, every full-path open, rmdir or bind source under /sys/fs/cgroup waited
/// behind other containers' network namespaces, and both CPUs could sit idle meanwhile
/// (docs/performance.md item 34). A lookup from this descriptor starts on the tmpfs mounted at
/// /sys/fs/cgroup and enters kernfs only in the cgroup hierarchy itself.
///
/// Paths elsewhere (a hierarchy mounted outside /sys/fs/cgroup) are used as they are, and so is
/// every path when /sys/fs/cgroup cannot be opened: the descriptor saves lookups and changes no
/// result, since it is the same directory the full path names. It is opened where the first
/// cgroup operation happens, in the mount namespace the command runs in, like the full-path
/// lookups it replaces.
public final class CgroupMountRoot {
    static let path = "/sys/fs/cgroup"
    private static let prefix = path + "/"

    private var handle: FileDescriptor?
    private var unavailable = false

    public init() {}

    /// The root descriptor and the rest of `path` (without a leading slash) when `path` lies
    /// below /sys/fs/cgroup; nil for any other path, or when the root cannot be opened.
    func split(_ path: String) -> (fd: Int32, relative: String)? {
        guard let relative = Self.relative(path), let fd = descriptor() else { return nil }
        return (fd, relative)
    }

    /// The part of `path` below /sys/fs/cgroup (`memory/c1` for /sys/fs/cgroup/memory/c1), nil
    /// for /sys/fs/cgroup itself and anything outside it.
    static func relative(_ path: String) -> String? {
        guard path.hasPrefix(prefix), let relative = String(path.utf8.dropFirst(prefix.utf8.count)),
              !relative.isEmpty else { return nil }
        return relative
    }

    /// The root itself, opened on first use. A failure is remembered (not retried per call):
    /// the callers fall back to full paths, which then report any real error themselves.
    func descriptor() -> Int32? {
        if let raw = handle?.raw { return raw }
        if unavailable { return nil }
        guard let opened = try? Sys.openDirectoryPath(Self.path) else {
            unavailable = true
            return nil
        }
        let raw = opened.raw
        handle = consume opened
        return raw
    }

    /// `path` (a directory: a hierarchy's mount point or a cgroup) as an O_PATH descriptor.
    func openDirectory(_ path: String) throws(SystemError) -> FileDescriptor {
        if let (fd, relative) = split(path) {
            return try Sys.openat(fd, relative, Linux.O_PATH | Linux.O_DIRECTORY, display: path)
        }
        return try Sys.openDirectoryPath(path)
    }

    /// `file` in the cgroup directory `directory`, opened with `flags`.
    func openFile(in directory: String, _ file: String, _ flags: Int32) throws(SystemError) -> FileDescriptor {
        let path = directory + "/" + file
        if let (fd, relative) = split(path) { return try Sys.openat(fd, relative, flags, display: path) }
        return try Sys.open(path, flags)
    }

    /// A small file (a cgroup's interface file), without its trailing newline.
    func readText(_ path: String) throws(SystemError) -> String {
        if let (fd, relative) = split(path) { return try Sys.readText(at: fd, relative, display: path) }
        return try Sys.readText(path)
    }

    /// rmdir(2) of the cgroup directory `path`.
    func removeDirectory(_ path: String) throws(SystemError) {
        if let (fd, relative) = split(path) {
            try Sys.rmdirat(fd, relative, display: path)
        } else {
            try Sys.rmdir(path)
        }
    }

    /// The filesystem type (statfs f_type) of `path`, /sys/fs/cgroup itself included.
    func fsType(_ path: String) throws(SystemError) -> Int {
        if path == Self.path, let fd = descriptor() { return try Sys.fsType(fd: fd, path: path) }
        if let (fd, relative) = split(path) {
            let dir = try Sys.openat(fd, relative, Linux.O_PATH | Linux.O_DIRECTORY, display: path)
            return try Sys.fsType(fd: dir.raw, path: path)
        }
        return try Sys.fsType(path)
    }
}
