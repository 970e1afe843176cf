import CSwiftlet
import Glibc

/// Wrappers `exec` (and `spec`) need beyond the rest of `Sys`: namespace identities, the
/// caller's gid, file status flags of a descriptor.
extension Sys {
    public static func getegid() -> UInt32 { Glibc.getegid() }

    /// The identity of a namespace file (`/proc/PID/ns/net`): device and inode, which is what
    /// tells two namespaces apart. nil when the kernel has no such namespace type (ENOENT).
    public static func namespaceIdentity(_ path: String) throws(SystemError) -> (device: UInt64, inode: UInt64)? {
        do {
            let info = try stat(path)
            return (info.device, info.inode)
        } catch {
            if error.errno == ENOENT { return nil }
            throw error
        }
    }

    /// Sets or clears O_NONBLOCK on an open file description.
    public static func setNonBlocking(_ fd: Int32, _ on: Bool) throws(SystemError) {
        let flags = try fcntl(fd, F_GETFL, 0, operation: "fcntl F_GETFL")
        _ = try fcntl(fd, F_SETFL, on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK, operation: "fcntl F_SETFL")
    }

    /// The file status flags (F_GETFL: access mode, O_APPEND, O_NONBLOCK, ...) of `fd`.
    public static func fileStatusFlags(_ fd: Int32) throws(SystemError) -> Int32 {
        try fcntl(fd, F_GETFL, 0, operation: "fcntl F_GETFL")
    }

    /// Whether `fd` is open in this process (fcntl F_GETFD succeeds).
    public static func isOpen(_ fd: Int32) -> Bool { swl_fcntl_int(fd, F_GETFD, 0) >= 0 }
}
