import CSwiftlet
import Glibc

/// Throwing wrappers over libc and the CSwiftlet shim. This folder is the only Swift code that
/// imports Glibc; everything else calls `Sys`.
public enum Sys {}

extension Sys {
    public static func open(_ path: String, _ flags: Int32, mode: mode_t = 0) throws(SystemError) -> FileDescriptor {
        let fd = try check("open", path) { Glibc.open(path, flags | O_CLOEXEC, mode) }
        return FileDescriptor(fd)
    }

    public static func openat(_ dirfd: Int32, _ path: String, _ flags: Int32, mode: mode_t = 0, display: String? = nil)
        throws(SystemError) -> FileDescriptor
    {
        let fd = try check("open", display ?? path) { Glibc.openat(dirfd, path, flags | O_CLOEXEC, mode) }
        return FileDescriptor(fd)
    }

    /// openat2(2): `resolve` is a set of RESOLVE_* flags, e.g. RESOLVE_IN_ROOT to treat `dirfd`
    /// as the root for every symlink and `..` met on the way.
    public static func openat2(_ dirfd: Int32, _ path: String, _ flags: Int32, mode: mode_t = 0, resolve: UInt64,
                               display: String? = nil) throws(SystemError) -> FileDescriptor {
        // With `..` in the path, RESOLVE_IN_ROOT/RESOLVE_BENEATH fail with EAGAIN whenever any
        // rename or mount happened on the host during the lookup (openat2(2)): retry a bounded
        // number of times, as the man page advises, instead of failing a create at random.
        var attempts = 0
        let fd = try check("open", display ?? path) {
            while true {
                let fd = swl_openat2(dirfd, path, UInt64(UInt32(bitPattern: flags | O_CLOEXEC)), UInt64(mode), resolve)
                attempts += 1
                if fd >= 0 || Glibc.errno != EAGAIN || attempts >= 128 { return fd }
            }
        }
        return FileDescriptor(fd)
    }

    /// Reads to end of file straight into the result's storage (no bounce buffer: procfs and
    /// cgroupfs files report size 0, so the buffer grows by doubling from 4 KiB).
    public static func readAll(_ fd: borrowing FileDescriptor, path: String) throws(SystemError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 4096)
        var used = 0
        while true {
            if used == out.count { out.append(contentsOf: repeatElement(0, count: out.count)) }
            let n = try check("read", path) {
                out.withUnsafeMutableBytes { Glibc.read(fd.raw, $0.baseAddress.map { $0 + used }, $0.count - used) }
            }
            if n == 0 { break }
            used += n
        }
        out.removeLast(out.count - used)
        return out
    }

    public static func readFile(_ path: String) throws(SystemError) -> [UInt8] {
        let fd = try open(path, O_RDONLY)
        return try readAll(fd, path: path)
    }

    /// Reads a small text file (procfs, cgroupfs) without its trailing newline.
    public static func readText(_ path: String) throws(SystemError) -> String {
        let bytes = try readFile(path)
        var text = String(decoding: bytes, as: UTF8.self)
        while text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    public static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(SystemError) {
        var offset = 0
        while offset < bytes.count {
            let n = try check("write", path) {
                bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress.map { $0 + offset }, $0.count - offset) }
            }
            offset += n
        }
    }

    /// One write(2) of `bytes[offset...]` to a non-blocking `fd`: the count written, 0 when the
    /// fd would block (EAGAIN).
    public static func writeSome(_ fd: Int32, _ bytes: [UInt8], from offset: Int, path: String) throws(SystemError) -> Int {
        let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress.map { $0 + offset }, $0.count - offset) }
        let err = errno
        if n >= 0 { return n }
        if err == Glibc.EAGAIN || err == Glibc.EINTR { return 0 }
        throw SystemError(errno: err, operation: "write", path: path)
    }

    /// Writes `text` to an existing file (procfs, sysfs, cgroupfs) in one write(2), as the
    /// kernel interfaces expect.
    public static func writeText(_ path: String, _ text: String, dirfd: Int32 = AT_FDCWD) throws(SystemError) {
        let fd = try openat(dirfd, path, O_WRONLY)
        try writeAll(fd.raw, Array(text.utf8), path: path)
    }

    /// Writes a file atomically: a temporary file in the same directory, then rename, so a
    /// reader sees the old or the new content, never a mix. No fsync (as runc and crun): what
    /// this writes (state.json, pid files) describes processes that do not survive a crash of
    /// the machine, and an fsync costs 5-10 ms on ext4 on every create/start.
    ///
    /// An existing file is replaced by swapping the two names (renameat2 RENAME_EXCHANGE) and
    /// unlinking the old content, not by rename(2) over it: on ext4 a rename that replaces a
    /// file starts writeback of the new one first (the auto_da_alloc heuristic), 0.4-2.5 ms
    /// per write on this host against 0.02 ms for the swap. Readers see the same thing either
    /// way: the old file or the new one under `path`, never a mix and never no file.
    public static func writeFileAtomically(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o644) throws(SystemError) {
        let tmp = path + ".tmp"
        let fd = try open(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode: mode)
        do throws(SystemError) {
            try writeAll(fd.raw, bytes, path: tmp)
            if swl_rename_exchange(tmp, path) == 0 {
                _ = Glibc.unlink(tmp)  // the old content; a leftover is truncated by the next write
                return
            }
            let err = Glibc.errno
            // ENOENT: nothing to replace yet; EINVAL: a filesystem without RENAME_EXCHANGE.
            guard err == ENOENT || err == EINVAL || err == ENOSYS else {
                throw SystemError(errno: err, operation: "rename", path: path)
            }
            _ = try check("rename", path) { Glibc.rename(tmp, path) }
        } catch {
            _ = Glibc.unlink(tmp)
            throw error
        }
    }

    public static func mkdir(_ path: String, mode: mode_t = 0o755) throws(SystemError) {
        _ = try check("mkdir", path) { Glibc.mkdir(path, mode) }
    }

    public static func mkdirat(_ dirfd: Int32, _ name: String, mode: mode_t = 0o755, display: String? = nil) throws(SystemError) {
        _ = try check("mkdir", display ?? name) { Glibc.mkdirat(dirfd, name, mode) }
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
        while let entry = Glibc.readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { entries.append((name, entry.pointee.d_type)) }
        }
        return entries
    }

    public static func listDirectory(_ path: String) throws(SystemError) -> [String] {
        let dir = try open(path, O_RDONLY | O_DIRECTORY)
        return try listDirectory(dir.raw, path: path)
    }

    public enum FileKind: Equatable, Sendable { case directory, regular, symlink, charDevice, blockDevice, fifo, socket, other }

    public struct FileInfo {
        public let kind: FileKind
        public let mode: UInt32
        public let uid: UInt32
        public let gid: UInt32
        public let rdevMajor: UInt32
        public let rdevMinor: UInt32
        public let device: UInt64
        public let inode: UInt64
        public let size: Int64
    }

    static func info(_ st: stat) -> FileInfo {
        let kind: FileKind
        switch st.st_mode & S_IFMT {
        case S_IFDIR: kind = .directory
        case S_IFREG: kind = .regular
        case S_IFLNK: kind = .symlink
        case S_IFCHR: kind = .charDevice
        case S_IFBLK: kind = .blockDevice
        case S_IFIFO: kind = .fifo
        case S_IFSOCK: kind = .socket
        default: kind = .other
        }
        return FileInfo(kind: kind, mode: st.st_mode & 0o7777, uid: st.st_uid, gid: st.st_gid,
                        rdevMajor: swl_major(st.st_rdev), rdevMinor: swl_minor(st.st_rdev),
                        device: UInt64(st.st_dev), inode: UInt64(st.st_ino), size: Int64(st.st_size))
    }

    /// stat(2), or lstat(2) with `followSymlinks: false`.
    public static func stat(_ path: String, followSymlinks: Bool = true) throws(SystemError) -> FileInfo {
        var st = Glibc.stat()
        _ = try check(followSymlinks ? "stat" : "lstat", path) { swl_stat(path, followSymlinks ? 1 : 0, &st) }
        return info(st)
    }

    public static func fstat(_ fd: Int32, path: String) throws(SystemError) -> FileInfo {
        var st = Glibc.stat()
        _ = try check("stat", path) { Glibc.fstat(fd, &st) }
        return info(st)
    }

    public static func exists(_ path: String) -> Bool { Glibc.access(path, F_OK) == 0 }

    public static func isExecutable(_ path: String) -> Bool {
        var st = Glibc.stat()
        let rc = swl_stat(path, 1, &st)
        guard rc == 0, (st.st_mode & S_IFMT) == S_IFREG else { return false }
        return Glibc.access(path, X_OK) == 0
    }

    public static func symlinkat(_ target: String, _ dirfd: Int32, _ name: String, display: String? = nil) throws(SystemError) {
        _ = try check("symlink", display ?? name) { Glibc.symlinkat(target, dirfd, name) }
    }

    public static func mknodat(_ dirfd: Int32, _ name: String, mode: mode_t, major: UInt32, minor: UInt32,
                               display: String? = nil) throws(SystemError) {
        _ = try check("mknod", display ?? name) { Glibc.mknodat(dirfd, name, mode, swl_makedev(major, minor)) }
    }

    public static func fchown(_ fd: Int32, uid: UInt32, gid: UInt32, path: String) throws(SystemError) {
        _ = try check("chown", path) { Glibc.fchown(fd, uid, gid) }
    }

    public static func fchmod(_ fd: Int32, mode: mode_t, path: String) throws(SystemError) {
        _ = try check("chmod", path) { Glibc.fchmod(fd, mode) }
    }

    /// An exclusive flock(2) on an open descriptor; blocks until it is granted.
    public static func lockExclusive(_ fd: Int32, path: String) throws(SystemError) {
        _ = try check("flock", path) { swl_flock(fd, LOCK_EX) }
    }

    public static func fcntl(_ fd: Int32, _ cmd: Int32, _ value: Int32, operation: String = "fcntl") throws(SystemError) -> Int32 {
        try check(operation) { swl_fcntl_int(fd, cmd, value) }
    }

    public static func setCloexec(_ fd: Int32, _ on: Bool) throws(SystemError) {
        let flags = try fcntl(fd, F_GETFD, 0)
        _ = try fcntl(fd, F_SETFD, on ? flags | FD_CLOEXEC : flags & ~FD_CLOEXEC)
    }

    public static func dup(_ fd: Int32, minimum: Int32 = 3) throws(SystemError) -> FileDescriptor {
        FileDescriptor(try fcntl(fd, F_DUPFD_CLOEXEC, minimum, operation: "dup"))
    }

    public static func dup2(_ fd: Int32, _ target: Int32) throws(SystemError) {
        _ = try check("dup2") { Glibc.dup2(fd, target) }
    }

    public static func closeRange(from first: UInt32, cloexecOnly: Bool) throws(SystemError) {
        _ = try check("close_range") { swl_close_range(first, UInt32.max, cloexecOnly ? Linux.CLOSE_RANGE_CLOEXEC : 0) }
    }

    public static func fsType(_ path: String) throws(SystemError) -> Int {
        Int(try check("statfs", path) { swl_statfs_type(path) })
    }

    /// A sealed, executable, close-on-exec memfd holding a copy of the file at `path`: nobody
    /// (not even root) can write it any more, and executing it does not expose a host file.
    /// The kernel copies it (sendfile), so the runtime never reads the program into its memory.
    public static func sealedMemfd(name: String, copying path: String) throws(SystemError) -> FileDescriptor {
        let source = try open(path, O_RDONLY)
        var fd = swl_memfd_create(name, Linux.MFD_CLOEXEC | Linux.MFD_ALLOW_SEALING | Linux.MFD_EXEC)
        if fd < 0 && Glibc.errno == EINVAL {  // kernels before 6.3 do not know MFD_EXEC
            fd = swl_memfd_create(name, Linux.MFD_CLOEXEC | Linux.MFD_ALLOW_SEALING)
        }
        if fd < 0 { throw SystemError(errno: Glibc.errno, operation: "memfd_create", path: name) }
        let memfd = FileDescriptor(fd)
        while true {
            let n = try check("sendfile", path) { Glibc.sendfile(memfd.raw, source.raw, nil, 1 << 30) }
            if n == 0 { break }
        }
        let seals = Linux.F_SEAL_SEAL | Linux.F_SEAL_SHRINK | Linux.F_SEAL_GROW | Linux.F_SEAL_WRITE
        _ = try fcntl(memfd.raw, Linux.F_ADD_SEALS, seals, operation: "seal memfd")
        return memfd
    }

    /// A plain (writable, unsealed) memfd for handing data to a child.
    public static func memfd(name: String, bytes: [UInt8]) throws(SystemError) -> FileDescriptor {
        let fd = FileDescriptor(try check("memfd_create", name) { swl_memfd_create(name, Linux.MFD_CLOEXEC) })
        try writeAll(fd.raw, bytes, path: "memfd:" + name)
        _ = try check("lseek", name) { Glibc.lseek(fd.raw, 0, SEEK_SET) }
        return fd
    }
}

extension Sys {
    public static func chmod(_ path: String, mode: UInt32) throws(SystemError) {
        _ = try check("chmod", path) { Glibc.chmod(path, mode_t(mode)) }
    }

    public static func chown(_ path: String, uid: UInt32, gid: UInt32) throws(SystemError) {
        _ = try check("chown", path) { Glibc.chown(path, uid, gid) }
    }
}

extension Sys {
    @discardableResult
    /// The CLONE_NEW* type of the namespace file at `path` (ioctl NS_GET_NSTYPE, linux/nsfs.h);
    /// ENOTTY when it is not a namespace file.
    public static func namespaceType(_ path: String) throws(SystemError) -> UInt64 {
        let fd = try open(path, O_RDONLY)
        let type = try check("ioctl NS_GET_NSTYPE", path) { swl_ioctl_int(fd.raw, 0xb703, 0) }
        return UInt64(type)
    }

    public static func ioctl(_ fd: Int32, _ request: UInt, _ value: Int32, operation: String) throws(SystemError) -> Int32 {
        try check(operation) { swl_ioctl_int(fd, request, value) }
    }

    /// TIOCSPTLCK takes a pointer to the new lock state.
    public static func unlockpt(_ fd: Int32) throws(SystemError) {
        var unlock: Int32 = 0
        _ = try check("unlockpt") { swl_ioctl_ptr(fd, UInt(Linux.TIOCSPTLCK), &unlock) }
    }

    public static func setWindowSize(_ fd: Int32, rows: UInt16, cols: UInt16) throws(SystemError) {
        _ = try check("set window size") { swl_set_winsize(fd, rows, cols) }
    }

    public static func windowSize(_ fd: Int32) -> (rows: UInt16, cols: UInt16)? {
        var rows: UInt16 = 0
        var cols: UInt16 = 0
        return swl_get_winsize(fd, &rows, &cols) == 0 ? (rows, cols) : nil
    }
}

extension Sys {
    /// flock(LOCK_EX|LOCK_NB): true when the lock was free (it is held until `fd` closes).
    public static func tryLock(_ fd: Int32) -> Bool { swl_flock(fd, LOCK_EX | LOCK_NB) == 0 }
}

extension Sys {
    public static func writeStandardOutput(_ text: String) { _ = try? writeAll(1, Array(text.utf8), path: "stdout") }
    public static func writeStandardError(_ text: String) { _ = try? writeAll(2, Array(text.utf8), path: "stderr") }

    /// Appends one line to a log file (O_APPEND keeps concurrent writers' lines whole).
    public static func appendLine(_ path: String, _ line: String) {
        guard let fd = try? open(path, O_WRONLY | O_CREAT | O_APPEND, mode: 0o644) else { return }
        _ = try? writeAll(fd.raw, Array(line.utf8), path: path)
    }

    /// exit(3): flushes and exits (the CLI's normal way out).
    public static func exitProcess(_ code: Int32) -> Never { Glibc.exit(code) }
}
