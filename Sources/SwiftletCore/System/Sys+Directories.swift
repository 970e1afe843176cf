import CSwiftlet
import Glibc

/// Directory entries: create, remove, list, link and device nodes.
extension Sys {
    public static func mkdir(_ path: String, mode: mode_t = 0o755) throws(SystemError) {
        _ = try check("mkdir", path) { Glibc.mkdir(path, mode) }
    }

    public static func mkdirat(_ dirfd: Int32, _ name: String, mode: mode_t = 0o755, display: String? = nil) throws(SystemError) {
        _ = try check("mkdir", display ?? name) { Glibc.mkdirat(dirfd, name, mode) }
    }

    /// umask(2): sets the process's file mode creation mask for good (a create child before it
    /// makes anything in the container).
    public static func setUmask(_ mask: mode_t) {
        Glibc.umask(mask)
    }

    /// Runs `body` with the umask set to `mask` (0: what is made gets its `mode` itself rather
    /// than `mode & ~umask`), then puts the caller's back. For a single-threaded caller: the
    /// umask is the process's, and nothing else may create files meanwhile.
    public static func withUmask<T, E: Error>(_ mask: mode_t, _ body: () throws(E) -> T) throws(E) -> T {
        let saved = Glibc.umask(mask)
        defer { Glibc.umask(saved) }
        return try body()
    }

    /// mkdir -p for host paths (state root, cgroup directories).
    public static func mkdirAll(_ path: String, mode: mode_t = 0o755) throws(SystemError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + String(component)
            if Glibc.mkdir(current, mode) < 0 {
                let err = Glibc.errno
                if err != EEXIST { throw SystemError(errno: err, operation: "mkdir", path: current) }
            }
        }
    }

    public static func rmdir(_ path: String) throws(SystemError) {
        _ = try check("rmdir", path) { Glibc.rmdir(path) }
    }

    /// rmdir(2) of `path` below `dirfd` (unlinkat with AT_REMOVEDIR); `display` names it in errors.
    public static func rmdirat(_ dirfd: Int32, _ path: String, display: String) throws(SystemError) {
        _ = try check("rmdir", display) { Glibc.unlinkat(dirfd, path, AT_REMOVEDIR) }
    }

    public static func unlink(_ path: String) throws(SystemError) {
        _ = try check("unlink", path) { Glibc.unlink(path) }
    }

    public static func unlinkat(_ dirfd: Int32, _ name: String, directory: Bool = false) throws(SystemError) {
        _ = try check("unlink", name) { Glibc.unlinkat(dirfd, name, directory ? AT_REMOVEDIR : 0) }
    }

    /// Removes a directory tree that swiftlet itself created (the state dir): regular files,
    /// sockets and subdirectories, never following symlinks.
    public static func removeTree(_ path: String) throws(SystemError) {
        let dir = try open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW)
        for name in try listDirectory(dir.raw, path: path) {
            var st = Glibc.stat()
            if Glibc.fstatat(dir.raw, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && (st.st_mode & S_IFMT) == S_IFDIR {
                try removeTree(path + "/" + name)
            } else {
                try unlinkat(dir.raw, name)
            }
        }
        try rmdir(path)
    }

    public static func listDirectory(_ dirfd: Int32, path: String) throws(SystemError) -> [String] {
        try listDirectoryEntries(dirfd, path: path).map(\.name)
    }

    /// Names with readdir's d_type (DT_UNKNOWN where the filesystem does not report it).
    public static func listDirectoryEntries(_ dirfd: Int32, path: String) throws(SystemError) -> [(name: String, type: UInt8)] {
        let dupfd = try check("dup", path) { Glibc.fcntl(dirfd, F_DUPFD_CLOEXEC, 0) }
        guard let dir = Glibc.fdopendir(dupfd) else {
            let err = Glibc.errno
            Glibc.close(dupfd)
            throw SystemError(errno: err, operation: "opendir", path: path)
        }
        defer { Glibc.closedir(dir) }
        Glibc.rewinddir(dir)
        var entries: [(name: String, type: UInt8)] = []
        while true {
            // readdir(3) returns NULL both at the end and on an error; only errno, cleared
            // before each call, tells them apart.
            Glibc.errno = 0
            guard let entry = Glibc.readdir(dir) else {
                if Glibc.errno != 0 { throw SystemError(errno: Glibc.errno, operation: "readdir", path: path) }
                return entries
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { entries.append((name, entry.pointee.d_type)) }
        }
    }

    public static func listDirectory(_ path: String) throws(SystemError) -> [String] {
        let dir = try open(path, O_RDONLY | O_DIRECTORY)
        return try listDirectory(dir.raw, path: path)
    }

    public static func symlinkat(_ target: String, _ dirfd: Int32, _ name: String, display: String? = nil) throws(SystemError) {
        _ = try check("symlink", display ?? name) { Glibc.symlinkat(target, dirfd, name) }
    }

    /// mkfifo(3): a FIFO at `path` with `mode`.
    public static func mkfifo(_ path: String, mode: mode_t) throws(SystemError) {
        _ = try check("mkfifo", path) { Glibc.mkfifo(path, mode) }
    }

    public static func mknodat(_ dirfd: Int32, _ name: String, mode: mode_t, major: UInt32, minor: UInt32,
                               display: String? = nil) throws(SystemError) {
        _ = try check("mknod", display ?? name) { Glibc.mknodat(dirfd, name, mode, swl_makedev(major, minor)) }
    }
}
