import Foundation
import Glibc
import OCI
import Testing

/// process.terminal with --console-socket (runc's protocol): the runtime sends the pty master
/// over the unix socket with SCM_RIGHTS; the container's stdio is the slave.
@Suite(.enabled(if: Harness.ready, Harness.skipComment), .timeLimit(.minutes(1)))
struct ConsoleTests {
    @Test func consoleSocketReceivesWorkingPty() async throws {
        try await withSandbox("console") { sb in
            let id = sb.newID()
            var spec = sb.shell(id: id, """
                tty; [ -t 0 ] && [ -t 1 ] && echo stdio-is-tty; stty size
                read line; echo "got:$line"
                """)
            spec.process?.terminal = true
            spec.process?.consoleSize = Box(height: 33, width: 101)
            let bundle = try sb.bundle(spec, name: "b")
            let socket = try ConsoleSocket(path: sb.dir + "/console.sock")
            defer { socket.close() }

            async let created = sb.create(id, bundle: bundle, extra: ["--console-socket", socket.path])
            let received = try await Task.detached { try socket.receive(timeout: 20) }.value
            let master = received.fd
            defer { Glibc.close(master) }
            let outcome = try await created
            try #require(outcome.status == 0, "\(outcome)")
            sb.rememberInit(try #require(try await sb.state(id)).pid)
            #expect(isatty(master) == 1, "the received descriptor is not a terminal")

            try await sb.mustStart(id)
            let input = Array("hello\n".utf8)
            #expect(write(master, input, input.count) == input.count)
            let text = try await Task.detached { try readUntilHangup(master, timeout: 15) }.value
            let lines = text.replacingOccurrences(of: "\r", with: "").split(separator: "\n").map(String.init)
            #expect(lines.first?.hasPrefix("/dev/pts/") == true || lines.first == "/dev/console", "\(lines)")
            #expect(lines.contains("stdio-is-tty"), "\(lines)")
            #expect(lines.contains("33 101"), "\(lines)")
            #expect(lines.contains("got:hello"), "\(lines)")
            #expect(try await sb.waitForStatus(id, "stopped"))
        }
    }

    /// terminal: true needs a console socket; a socket without terminal is an error too.
    @Test(arguments: [true, false])
    func terminalAndSocketGoTogether(terminal: Bool) async throws {
        try await withSandbox("consolebad") { sb in
            let id = sb.newID()
            var spec = sb.shell(id: id, "true")
            spec.process?.terminal = terminal
            let extra = terminal ? [] : ["--console-socket", sb.dir + "/nobody.sock"]
            let outcome = try await sb.create(id, bundle: try sb.bundle(spec, name: "b"), extra: extra)
            #expect(outcome.status == 1 && outcome.stderrLines.count == 1, "\(outcome)")
            #expect(outcome.stderr.contains("console-socket"), "\(outcome)")
            #expect(sb.leftovers(ids: [id]).isEmpty)
        }
    }
}

/// The caller's end of --console-socket, in Swift: listen, accept one connection, receive one
/// descriptor with recvmsg(2) and SCM_RIGHTS.
final class ConsoleSocket: @unchecked Sendable {
    let path: String
    private let listener: Int32

    init(path: String) throws {
        self.path = path
        listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard listener >= 0 else { throw HarnessError("socket: errno \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw HarnessError("socket path too long: \(path)") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(listener, 1) == 0 else { throw HarnessError("bind/listen \(path): errno \(errno)") }
    }

    /// The first descriptor sent by the first connection, and the bytes that came with it.
    func receive(timeout: Double) throws -> (fd: Int32, payload: [UInt8]) {
        var pfd = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
        guard poll(&pfd, 1, Int32(timeout * 1000)) == 1 else { throw HarnessError("no connection on \(path) in \(timeout)s") }
        let connection = accept(listener, nil, nil)
        guard connection >= 0 else { throw HarnessError("accept: errno \(errno)") }
        defer { Glibc.close(connection) }

        var data = [UInt8](repeating: 0, count: 4096)
        // struct cmsghdr { size_t cmsg_len; int cmsg_level; int cmsg_type; } then the data,
        // aligned to size_t: CMSG_SPACE(sizeof(int)) on 64-bit Linux is 24 bytes.
        var control = [UInt8](repeating: 0, count: 64)
        var count = 0
        var fd: Int32 = -1
        data.withUnsafeMutableBytes { dataBuffer in
            control.withUnsafeMutableBytes { controlBuffer in
                var iov = iovec(iov_base: dataBuffer.baseAddress, iov_len: dataBuffer.count)
                withUnsafeMutablePointer(to: &iov) { iovPointer in
                    var message = msghdr()
                    message.msg_iov = iovPointer
                    message.msg_iovlen = 1
                    message.msg_control = controlBuffer.baseAddress
                    message.msg_controllen = controlBuffer.count
                    count = recvmsg(connection, &message, Int32(MSG_CMSG_CLOEXEC))
                    let headerSize = MemoryLayout<Int>.size + 8
                    guard count >= 0, message.msg_controllen >= headerSize + 4 else { return }
                    let length = controlBuffer.load(fromByteOffset: 0, as: Int.self)
                    let level = controlBuffer.load(fromByteOffset: MemoryLayout<Int>.size, as: Int32.self)
                    let type = controlBuffer.load(fromByteOffset: MemoryLayout<Int>.size + 4, as: Int32.self)
                    let scmRights: Int32 = 1
                    if level == SOL_SOCKET && type == scmRights && length >= headerSize + 4 {
                        fd = controlBuffer.load(fromByteOffset: headerSize, as: Int32.self)
                    }
                }
            }
        }
        guard count >= 0 else { throw HarnessError("recvmsg: errno \(errno)") }
        guard fd >= 0 else { throw HarnessError("no descriptor received (\(count) bytes)") }
        return (fd, Array(data.prefix(count)))
    }

    func close() {
        Glibc.close(listener)
        unlink(path)
    }
}

/// Everything read from a pty master until every slave is closed (EIO) or `timeout` passes.
func readUntilHangup(_ master: Int32, timeout: Double) throws -> String {
    var output: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        var pfd = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
        let ready = poll(&pfd, 1, 100)
        if ready < 0 && errno != EINTR { throw HarnessError("poll: errno \(errno)") }
        guard ready > 0 else { continue }
        let n = read(master, &buffer, buffer.count)
        if n > 0 {
            output += buffer.prefix(n)
        } else if n == 0 || errno == EIO {
            return String(decoding: output, as: UTF8.self)
        } else if errno != EINTR && errno != EAGAIN {
            throw HarnessError("read pty: errno \(errno)")
        }
    }
    throw HarnessError("pty did not hang up in \(timeout)s; read so far: \(String(decoding: output, as: UTF8.self).debugDescription)")
}
