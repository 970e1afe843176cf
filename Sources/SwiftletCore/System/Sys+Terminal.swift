import CSwiftlet
import Glibc

/// Terminals: ioctls on a pty, window size.
extension Sys {
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
