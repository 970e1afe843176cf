import CSwiftlet
import Glibc

/// What a file is and who owns it: stat, filesystem and namespace type, mode and owner.
extension Sys {
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

    public static func fchown(_ fd: Int32, uid: UInt32, gid: UInt32, path: String) throws(SystemError) {
        _ = try check("chown", path) { Glibc.fchown(fd, uid, gid) }
    }

    public static func fchmod(_ fd: Int32, mode: mode_t, path: String) throws(SystemError) {
        _ = try check("chmod", path) { Glibc.fchmod(fd, mode) }
    }

    public static func fsType(_ path: String) throws(SystemError) -> Int {
        Int(try check("statfs", path) { swl_statfs_type(path) })
    }

    public static func chmod(_ path: String, mode: UInt32) throws(SystemError) {
        _ = try check("chmod", path) { Glibc.chmod(path, mode_t(mode)) }
    }

    public static func chown(_ path: String, uid: UInt32, gid: UInt32) throws(SystemError) {
        _ = try check("chown", path) { Glibc.chown(path, uid, gid) }
    }

    @discardableResult
    /// The CLONE_NEW* type of the namespace file at `path` (ioctl NS_GET_NSTYPE, linux/nsfs.h);
    /// ENOTTY when it is not a namespace file.
    public static func namespaceType(_ path: String) throws(SystemError) -> UInt64 {
        let fd = try open(path, O_RDONLY)
        let type = try check("ioctl NS_GET_NSTYPE", path) { swl_ioctl_int(fd.raw, 0xb703, 0) }
        return UInt64(type)
    }
}
