import CSwiftlet
import Glibc

extension Sys {
    /// A NETLINK_ROUTE socket (rtnetlink(7)) in the caller's current network namespace; a
    /// socket stays in the namespace it was made in.
    public static func routeSocket() throws(SystemError) -> FileDescriptor {
        let type = Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        return FileDescriptor(try check("socket", "NETLINK_ROUTE") { Glibc.socket(AF_NETLINK, type, 0 /* NETLINK_ROUTE */) })
    }

    /// One netlink request to the kernel.
    public static func netlinkSend(_ fd: Int32, _ bytes: [UInt8]) throws(SystemError) {
        let sent = try check("sendto", "netlink") { bytes.withUnsafeBytes { swl_netlink_send(fd, $0.baseAddress, $0.count) } }
        guard sent == bytes.count else { throw SystemError(errno: EMSGSIZE, operation: "sendto", path: "netlink") }
    }

    /// One datagram from the kernel (a dump comes as several).
    public static func netlinkReceive(_ fd: Int32) throws(SystemError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = try check("recv", "netlink") { buffer.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress, $0.count, 0) } }
        return Array(buffer[..<count])
    }

    /// The network namespace a socket belongs to (SIOCGSKNS, Linux 4.9), as a descriptor
    /// setns(2) takes: how the runtime finds its way back after entering another one.
    public static func socketNamespace(_ fd: Int32) throws(SystemError) -> FileDescriptor {
        FileDescriptor(try check("ioctl", "SIOCGSKNS") { swl_ioctl_int(fd, 0x894C /* SIOCGSKNS */, 0) })
    }
}
