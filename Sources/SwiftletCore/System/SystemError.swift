import Glibc

/// A failed system call: the errno captured on the line after the call, the operation and the
/// path (or other operand) it was applied to. Rendered as `mkdir /run/swiftlet/x: File exists`.
public struct SystemError: Error, CustomStringConvertible, Equatable {
    public let errno: Int32
    public let operation: String
    public let path: String?

    public init(errno: Int32, operation: String, path: String? = nil) {
        self.errno = errno
        self.operation = operation
        self.path = path
    }

    /// The C library's text for `errno` (`No such file or directory`).
    public var reason: String { Sys.describe(errno: errno) }

    public var description: String {
        if let path { return "\(operation) \(path): \(reason)" }
        return "\(operation): \(reason)"
    }
}

extension Sys {
    /// `strerror` text for an errno value.
    public static func describe(errno value: Int32) -> String {
        guard let text = strerror(value) else { return "errno \(value)" }
        return String(cString: text)
    }

    /// The single place that reads errno after a failed call and retries EINTR.
    /// `body` returns the raw syscall result; a negative value means failure.
    @inline(__always)
    static func check<T: BinaryInteger>(
        _ operation: String, _ path: String? = nil, retryOnInterrupt: Bool = true, _ body: () -> T
    ) throws(SystemError) -> T {
        while true {
            let result = body()
            if result >= 0 { return result }
            let err = Glibc.errno
            if err == EINTR && retryOnInterrupt { continue }
            throw SystemError(errno: err, operation: operation, path: path)
        }
    }
}
