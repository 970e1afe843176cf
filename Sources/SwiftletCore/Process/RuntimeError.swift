import OCI

/// An error of the runtime with its full context, shown to the user as one line:
/// `mounts[2] (/data): mount /data: No such file or directory`. Besides the line it keeps what
/// a machine reads (`--log-format json`'s `field` and `errno` keys): the errno, the config.json
/// field (or command-line flag) it concerns, and the typed cause it was made from.
public struct RuntimeError: Error, CustomStringConvertible {
    public let description: String
    /// errno of the underlying failure, 0 when there is none.
    public let errno: Int32
    /// The typed error this one was made from (SystemError, SpecError, CgroupError, ...), when
    /// there was one.
    public let cause: (any Error)?
    private let explicitField: String?

    public init(_ message: String, errno: Int32 = 0) {
        self.description = message
        self.errno = errno
        self.cause = nil
        self.explicitField = nil
    }

    public init(_ message: String, errno: Errno) {
        self.init(message, errno: errno.rawValue)
    }

    /// `context: operation path: reason`.
    public init(_ context: String, _ error: SystemError) {
        self.description = "\(context): \(error)"
        self.errno = error.errno
        self.cause = error
        self.explicitField = nil
    }

    public init(_ error: SpecError) {
        self.description = error.description
        self.errno = 0
        self.cause = error
        self.explicitField = error.path
    }

    /// `context: cause`, keeping the cause's errno and field (a CgroupError's
    /// `linux.resources...`).
    public init(_ context: String, cause: any Error) {
        self.description = "\(context): \(cause)"
        self.cause = cause
        switch cause {
        case let e as SystemError:
            self.errno = e.errno
            self.explicitField = nil
        case let e as CgroupError:
            self.errno = e.errno ?? 0
            self.explicitField = e.field
        case let e as RuntimeError:
            self.errno = e.errno
            self.explicitField = e.field
        case let e as SpecError:
            self.errno = 0
            self.explicitField = e.path
        default:
            self.errno = 0
            self.explicitField = nil
        }
    }

    /// The config.json field or command-line flag the failure concerns (`linux.sysctl`,
    /// `mounts[3]`, `--pid-file`): the cause's own when it has one, else the one the line
    /// starts with. nil when the error is not about one.
    public var field: String? { explicitField ?? Self.leadingField(description) }

    /// The field a one-line error starts with: the text before the first `: `, ` (` or space,
    /// when it is a path into config.json (a top-level member of the runtime-spec, then
    /// members and indices) or a `--flag`. Errors from the child arrive as text over the sync
    /// socket and keep their field this way.
    static func leadingField(_ line: String) -> String? {
        let end = line.firstIndex { $0 == ":" || $0 == " " } ?? line.endIndex
        let head = String(line[..<end])
        if head.hasPrefix("--") && head.count > 2 { return head }
        let root = head.prefix { $0 != "." && $0 != "[" }
        guard specRoots.contains(String(root)) else { return nil }
        return head
    }

    /// The top-level members of config.json (runtime-spec config.md).
    static let specRoots: Set<String> = [
        "ociVersion", "root", "mounts", "process", "hostname", "domainname", "hooks", "annotations", "linux", "solaris",
        "windows", "vm", "zos", "freebsd",
    ]
}

/// Runs `body`, adding `context` to any SystemError it throws.
@inline(__always)
func withContext<T: ~Copyable>(_ context: @autoclosure () -> String, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as SystemError {
        throw RuntimeError(context(), error)
    }
}
