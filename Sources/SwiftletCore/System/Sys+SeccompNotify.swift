import CSwiftlet
import Glibc

/// Seccomp user notification and the few process calls the recorder needs.
extension Sys {
    public struct SeccompNotification: Sendable {
        public var id: UInt64
        public var pid: UInt32
        public var nr: Int32
        /// AUDIT_ARCH_* of the calling task's syscall ABI.
        public var arch: UInt32
    }

    /// SECCOMP_IOCTL_NOTIF_RECV. ENOENT: the caller went away between poll and receive.
    public static func receiveNotification(_ listener: Int32) throws(SystemError) -> SeccompNotification {
        var n = SeccompNotification(id: 0, pid: 0, nr: 0, arch: 0)
        _ = try check("ioctl SECCOMP_IOCTL_NOTIF_RECV") { swl_notif_recv(listener, &n.id, &n.pid, &n.nr, &n.arch) }
        return n
    }

    /// SECCOMP_IOCTL_NOTIF_SEND with SECCOMP_USER_NOTIF_FLAG_CONTINUE: the syscall runs as if
    /// no filter had stopped it. ENOENT: the caller was interrupted or died meanwhile.
    public static func continueNotification(_ listener: Int32, id: UInt64) throws(SystemError) {
        _ = try check("ioctl SECCOMP_IOCTL_NOTIF_SEND") { swl_notif_continue(listener, id) }
    }

    /// poll(2) of one descriptor without a timeout; the revents.
    public static func pollForever(_ fd: Int32, events: Int16) throws(SystemError) -> Int16 {
        var pfd = pollfd(fd: fd, events: events, revents: 0)
        _ = try check("poll") { Glibc.poll(&pfd, 1, -1) }
        return pfd.revents
    }

    /// recvmsg(2) of up to `capacity` bytes and at most one SCM_RIGHTS descriptor (-1: none).
    /// An empty result means end of file.
    public static func receiveBytes(_ fd: Int32, capacity: Int, attachedFD: inout Int32) throws(SystemError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: capacity)
        attachedFD = -1
        let n = try check("recvmsg") {
            buffer.withUnsafeMutableBytes { swl_recv_with_fd(fd, $0.baseAddress, $0.count, &attachedFD) }
        }
        return Array(buffer.prefix(Int(n)))
    }

    public static func setsid() { _ = Glibc.setsid() }

    public static func ignoreSignal(_ signal: Int32) { _ = Glibc.signal(signal, SIG_IGN) }
}

extension Sys {
    /// A malloc'ed C string handed over by a C library: copied, then freed.
    public static func takeCString(_ pointer: UnsafeMutablePointer<CChar>?) -> String? {
        guard let pointer else { return nil }
        defer { Glibc.free(pointer) }
        return String(cString: pointer)
    }
}
