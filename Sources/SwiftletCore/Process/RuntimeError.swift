import OCI

/// An error of the runtime with its full context, shown to the user as one line:
/// `mounts[2] (/data): mount /data: No such file or directory`.
public struct RuntimeError: Error, CustomStringConvertible {
    public let description: String
    /// errno of the underlying failure, 0 when there is none.
    public let errno: Int32

    public init(_ message: String, errno: Int32 = 0) {
        self.description = message
        self.errno = errno
    }

    /// `context: operation path: reason`.
    public init(_ context: String, _ error: SystemError) {
        self.description = "\(context): \(error)"
        self.errno = error.errno
    }

    public init(_ error: SpecError) {
        self.description = error.description
        self.errno = 0
    }
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
