import CSwiftlet
import Glibc

/// The *at calls a tree copy needs (the `tmpcopyup` mount option), relative to directory
/// descriptors and never following a symlink.
extension Sys {
    /// fstatat(2) with AT_SYMLINK_NOFOLLOW.
    public static func lstatat(_ dirfd: Int32, _ name: String, display: String) throws(SystemError) -> FileInfo {
        var st = Glibc.stat()
        _ = try check("lstat", display) { Glibc.fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) }
        return info(st)
    }

    /// readlinkat(2): the target of the symlink `name` in `dirfd`.
    public static func readlinkat(_ dirfd: Int32, _ name: String, display: String) throws(SystemError) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let capacity = buffer.count
        let n = try check("readlink", display) { Glibc.readlinkat(dirfd, name, &buffer, capacity) }
        return String(decoding: buffer[..<Int(n)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// fchownat(2) with AT_SYMLINK_NOFOLLOW (owns a symlink itself).
    public static func lchownat(_ dirfd: Int32, _ name: String, uid: UInt32, gid: UInt32, display: String) throws(SystemError) {
        _ = try check("chown", display) { Glibc.fchownat(dirfd, name, uid, gid, AT_SYMLINK_NOFOLLOW) }
    }

    /// fchmodat(2) of a node `name` just made in `dirfd` (mknod's mode is subject to the umask).
    public static func chmodat(_ dirfd: Int32, _ name: String, mode: UInt32, display: String) throws(SystemError) {
        _ = try check("chmod", display) { Glibc.fchmodat(dirfd, name, mode, 0) }
    }

    /// Copies everything readable from `source` to `target` (both open descriptors).
    public static func copyData(from source: Int32, to target: Int32, display: String) throws(SystemError) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = try check("read", display) { buffer.withUnsafeMutableBytes { Glibc.read(source, $0.baseAddress, $0.count) } }
            if n == 0 { return }
            try writeAll(target, Array(buffer[..<Int(n)]), path: display)
        }
    }
}
