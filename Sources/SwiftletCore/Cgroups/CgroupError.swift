/// A cgroup failure: a system call on a cgroupfs path (errno, operation, path) or an invalid
/// value, with the config field involved when known, e.g.
/// `linux.resources.memory.limit: write /sys/fs/cgroup/c1/memory.max: Invalid argument` or
/// `linux.resources.cpu.period: must be between 1000 and 1000000, got 500`.
public struct CgroupError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The errno of the failed call; nil for a validation error.
    public let errno: Int32?
    /// What was attempted: `write`, `mkdir`, `rmdir`, `validate`, ...
    public let operation: String
    /// The cgroupfs path involved, if any.
    public let path: String?
    /// The config.json field, e.g. `linux.resources.pids.limit`; nil when not tied to one.
    public let field: String?
    /// Why, for validation errors (and extra context for system errors).
    public let message: String?

    public init(errno: Int32? = nil, operation: String, path: String? = nil, field: String? = nil, message: String? = nil) {
        self.errno = errno
        self.operation = operation
        self.path = path
        self.field = field
        self.message = message
    }

    /// A system error, tagged with the config field it was applying.
    public init(_ error: SystemError, field: String? = nil, message: String? = nil) {
        self.init(errno: error.errno, operation: error.operation, path: error.path, field: field, message: message)
    }

    /// An invalid value for `field`.
    public static func invalid(_ field: String, _ message: String) -> CgroupError {
        CgroupError(operation: "validate", field: field, message: message)
    }

    public var description: String {
        var text = ""
        if let field { text += field + ": " }
        if let errno {
            text += operation
            if let path { text += " " + path }
            text += ": " + Sys.describe(errno: errno)
            if let message { text += " (" + message + ")" }
        } else {
            if let path { text += path + ": " }
            text += message ?? operation
        }
        return text
    }
}
