import CSwiftlet
import Glibc

extension Sys {
    public static let POLLIN = Int16(Glibc.POLLIN)
    public static let POLLOUT = Int16(Glibc.POLLOUT)

    /// poll(2) over (fd, events) pairs; returns each one's revents.
    public static func poll(_ fds: [(Int32, Int16)], timeoutMs: Int32) throws(SystemError) -> [Int16] {
        var pollfds = fds.map { pollfd(fd: $0.0, events: $0.1, revents: 0) }
        _ = try check("poll") { Glibc.poll(&pollfds, nfds_t(pollfds.count), timeoutMs) }
        return pollfds.map { $0.revents }
    }

    /// True when `fd` is readable within the timeout.
    public static func poll1(_ fd: Int32, timeoutMs: Int32) -> Bool {
        var p = pollfd(fd: fd, events: POLLIN, revents: 0)
        return Glibc.poll(&p, 1, timeoutMs) > 0
    }

    /// One read(2) from `from` written fully to `to`; false on EOF or error.
    public static func copyAvailable(from: Int32, to: Int32) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 16384)
        let n = buffer.withUnsafeMutableBytes { Glibc.read(from, $0.baseAddress, $0.count) }
        if n <= 0 { return false }
        return (try? writeAll(to, Array(buffer[0..<n]), path: "terminal")) != nil
    }

    public static func blockAllSignals() throws(SystemError) -> [UInt8] {
        var saved = [UInt8](repeating: 0, count: 128)
        _ = try check("sigprocmask") { saved.withUnsafeMutableBytes { swl_block_all_signals($0.baseAddress) } }
        return saved
    }

    public static func restoreSignalMask(_ saved: [UInt8]) {
        _ = saved.withUnsafeBytes { swl_restore_sigmask($0.baseAddress) }
    }

    public static func signalfdAll() throws(SystemError) -> FileDescriptor {
        FileDescriptor(try check("signalfd") { swl_signalfd_all() })
    }

    public static func readSignal(_ fd: Int32) -> Int32 { swl_signalfd_read(fd) }

    public static func makeRaw(_ fd: Int32) -> [UInt8]? {
        var saved = [UInt8](repeating: 0, count: Int(SWL_TERMIOS_SIZE))
        let rc = saved.withUnsafeMutableBytes { swl_tty_make_raw(fd, $0.baseAddress) }
        return rc == 0 ? saved : nil
    }

    public static func restoreTerminal(_ fd: Int32, _ saved: [UInt8]) {
        _ = saved.withUnsafeBytes { swl_tty_restore(fd, $0.baseAddress) }
    }
}
