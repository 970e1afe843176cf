import Glibc

/// An owned file descriptor that closes itself. Non-copyable, so ownership is explicit: pass it
/// `borrowing` to use it, `consuming` (or `take()`) to give it away.
public struct FileDescriptor: ~Copyable {
    public let raw: Int32

    public init(_ raw: Int32) { self.raw = raw }

    /// Gives up ownership: the caller is now responsible for closing the number.
    public consuming func take() -> Int32 {
        let fd = raw
        discard self
        return fd
    }

    deinit { _ = Glibc.close(raw) }
}

/// Two descriptors made together (a pipe, a socketpair).
public struct FileDescriptorPair: ~Copyable {
    public var first: FileDescriptor
    public var second: FileDescriptor

    public init(_ first: consuming FileDescriptor, _ second: consuming FileDescriptor) {
        self.first = first
        self.second = second
    }
}
