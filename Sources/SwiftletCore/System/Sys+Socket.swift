import CSwiftlet
import Glibc

extension Sys {
    /// A SOCK_SEQPACKET socketpair: `first` for the parent, `second` for the child.
    public static func socketpair() throws(SystemError) -> FileDescriptorPair {
        var fds: [Int32] = [-1, -1]
        let type = Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        _ = try check("socketpair") { Glibc.socketpair(AF_UNIX, type, 0, &fds) }
        return FileDescriptorPair(FileDescriptor(fds[0]), FileDescriptor(fds[1]))
    }

    /// Calls `body` with a `sockaddr_un` for `path`. A path longer than `sun_path` (108 bytes:
    /// engines pass deep state roots such as dockerd's `--exec-root`) is reached through an
    /// O_PATH descriptor of its directory, `/proc/self/fd/N/NAME`, which bind(2) and connect(2)
    /// resolve like any path; the descriptor is closed when `body` returns.
    /// Calls `body` with a `sockaddr_un` for `path`. A path too long for `sun_path` (108 bytes;
    /// engines pass deep state roots such as dockerd's `--exec-root`) is reached through an
    /// O_PATH descriptor of its directory as `/proc/self/fd/N/NAME`, which bind(2) and connect(2)
    /// resolve like the full path.
    static func withUnixAddress<R>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> R) throws(SystemError) -> R {
        let bytes = Array(path.utf8)
        guard bytes.count >= unixPathCapacity, let slash = bytes.lastIndex(of: UInt8(ascii: "/")), slash > 0 else {
            return try withUnixAddressBytes(bytes, path, body)
        }
        let parent = String(decoding: bytes[..<slash], as: UTF8.self)
        let name = String(decoding: bytes[(slash + 1)...], as: UTF8.self)
        let directory = try open(parent, O_PATH | O_DIRECTORY)
        let result = try withUnixAddressBytes(Array("/proc/self/fd/\(directory.raw)/\(name)".utf8), path, body)
        _ = Glibc.close(directory.take())  // closed only here: the address names it until now
        return result
    }

    private static var unixPathCapacity: Int { MemoryLayout.size(ofValue: sockaddr_un().sun_path) }

    private static func withUnixAddressBytes<R>(_ bytes: [UInt8], _ path: String,
                                                _ body: (UnsafePointer<sockaddr>, socklen_t) -> R) throws(SystemError) -> R {
        guard bytes.count < unixPathCapacity else { throw SystemError(errno: ENAMETOOLONG, operation: "socket address", path: path) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        return withUnsafePointer(to: &addr) { ptr in
            ptr.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }

    /// A listening SOCK_SEQPACKET unix socket bound at `path`.
    public static func listenUnix(_ path: String) throws(SystemError) -> FileDescriptor {
        let type = Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let fd = FileDescriptor(try check("socket") { Glibc.socket(AF_UNIX, type, 0) })
        let bound = try withUnixAddress(path) { Glibc.bind(fd.raw, $0, $1) }
        if bound < 0 { throw SystemError(errno: Glibc.errno, operation: "bind", path: path) }
        _ = try check("listen", path) { Glibc.listen(fd.raw, 8) }
        return fd
    }

    /// Connects to a unix socket; `stream` for console sockets (SOCK_STREAM), otherwise SEQPACKET.
    public static func connectUnix(_ path: String, stream: Bool = false) throws(SystemError) -> FileDescriptor {
        let kind = stream ? Int32(SOCK_STREAM.rawValue) : Int32(SOCK_SEQPACKET.rawValue)
        let fd = FileDescriptor(try check("socket") { Glibc.socket(AF_UNIX, kind | Int32(SOCK_CLOEXEC.rawValue), 0) })
        while true {
            let rc = try withUnixAddress(path) { Glibc.connect(fd.raw, $0, $1) }
            if rc == 0 { break }
            let err = Glibc.errno
            if err == EINTR { continue }
            throw SystemError(errno: err, operation: "connect", path: path)
        }
        return fd
    }

    /// sendmsg of one `swl_msg` with an optional descriptor (SCM_RIGHTS). Only the sync
    /// protocol's `SyncChannel` (Process/SyncProtocol.swift) calls this and `receive`.
    public static func send(_ fd: Int32, _ message: swl_msg, attaching attached: Int32 = -1) throws(SystemError) {
        var msg = message
        _ = try check("sendmsg") { swl_send_with_fd(fd, &msg, MemoryLayout<swl_msg>.size, attached) }
    }

    /// Receives one message; nil on EOF (the peer closed or died). An attached fd, if any, is
    /// returned as its raw number in `attachedFD` (-1 if none): the caller owns it.
    public static func receive(_ fd: Int32, attachedFD: inout Int32) throws(SystemError) -> swl_msg? {
        var msg = swl_msg()
        attachedFD = -1
        let n = try check("recvmsg") { swl_recv_with_fd(fd, &msg, MemoryLayout<swl_msg>.size, &attachedFD) }
        if n == 0 { return nil }
        return msg
    }

    public static func receive(_ fd: Int32) throws(SystemError) -> swl_msg? {
        var attached: Int32 = -1
        let msg = try receive(fd, attachedFD: &attached)
        if attached >= 0 { _ = Glibc.close(attached) }
        return msg
    }
}

extension Sys {
    public static func sendBytes(_ fd: Int32, _ bytes: [UInt8], attaching attached: Int32 = -1) throws(SystemError) {
        _ = try check("sendmsg") { bytes.withUnsafeBytes { swl_send_with_fd(fd, $0.baseAddress, $0.count, attached) } }
    }

    /// close(2) of a raw descriptor that no FileDescriptor owns (in the child, or after `take()`).
    public static func closeRaw(_ fd: Int32) { _ = Glibc.close(fd) }
}
