import Glibc

/// An errno value: the one definition of every errno the runtime names (swift-system's
/// `Errno`, reduced to what we branch on or report). `SystemError.errno` and
/// `RuntimeError.errno` keep the raw `Int32` the kernel gave (0: none); compare them with
/// these (`error.errno == Errno.ENOENT`) and pass these where an errno is reported
/// (`RuntimeError("...", errno: Errno.EINVAL)`). Taken from Glibc, so the numbers are the
/// platform's, never written out by hand.
public struct Errno: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32

    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let EPERM = Errno(rawValue: Glibc.EPERM)
    public static let ENOENT = Errno(rawValue: Glibc.ENOENT)
    public static let ESRCH = Errno(rawValue: Glibc.ESRCH)
    public static let EBADF = Errno(rawValue: Glibc.EBADF)
    public static let EINTR = Errno(rawValue: Glibc.EINTR)
    public static let EAGAIN = Errno(rawValue: Glibc.EAGAIN)
    public static let EWOULDBLOCK = Errno(rawValue: Glibc.EWOULDBLOCK)
    public static let EACCES = Errno(rawValue: Glibc.EACCES)
    public static let EBUSY = Errno(rawValue: Glibc.EBUSY)
    public static let EEXIST = Errno(rawValue: Glibc.EEXIST)
    public static let EXDEV = Errno(rawValue: Glibc.EXDEV)
    public static let ENODEV = Errno(rawValue: Glibc.ENODEV)
    public static let ENOTDIR = Errno(rawValue: Glibc.ENOTDIR)
    public static let EINVAL = Errno(rawValue: Glibc.EINVAL)
    public static let ENOEXEC = Errno(rawValue: Glibc.ENOEXEC)
    public static let ENOTTY = Errno(rawValue: Glibc.ENOTTY)
    public static let ENOSPC = Errno(rawValue: Glibc.ENOSPC)
    public static let EPIPE = Errno(rawValue: Glibc.EPIPE)
    public static let EROFS = Errno(rawValue: Glibc.EROFS)
    public static let ENOSYS = Errno(rawValue: Glibc.ENOSYS)
    public static let ENOTEMPTY = Errno(rawValue: Glibc.ENOTEMPTY)
    public static let ELOOP = Errno(rawValue: Glibc.ELOOP)
    public static let EPROTO = Errno(rawValue: Glibc.EPROTO)
    public static let EOPNOTSUPP = Errno(rawValue: Glibc.EOPNOTSUPP)
    public static let ECONNREFUSED = Errno(rawValue: Glibc.ECONNREFUSED)
    public static let EDQUOT = Errno(rawValue: Glibc.EDQUOT)

    /// The C library's text (`No such file or directory`).
    public var description: String { Sys.describe(errno: rawValue) }

    /// The symbolic name (`ENOENT`), for machine-readable output; nil for values not named here.
    public var name: String? {
        Self.names[rawValue]
    }

    private static let names: [Int32: String] = [
        Glibc.EPERM: "EPERM", Glibc.ENOENT: "ENOENT", Glibc.ESRCH: "ESRCH", Glibc.EINTR: "EINTR", Glibc.EIO: "EIO",
        Glibc.ENXIO: "ENXIO", Glibc.E2BIG: "E2BIG", Glibc.ENOEXEC: "ENOEXEC", Glibc.EBADF: "EBADF", Glibc.ECHILD: "ECHILD",
        Glibc.EAGAIN: "EAGAIN", Glibc.ENOMEM: "ENOMEM", Glibc.EACCES: "EACCES", Glibc.EFAULT: "EFAULT", Glibc.EBUSY: "EBUSY",
        Glibc.EEXIST: "EEXIST", Glibc.EXDEV: "EXDEV", Glibc.ENODEV: "ENODEV", Glibc.ENOTDIR: "ENOTDIR", Glibc.EISDIR: "EISDIR",
        Glibc.EINVAL: "EINVAL", Glibc.ENFILE: "ENFILE", Glibc.EMFILE: "EMFILE", Glibc.ENOTTY: "ENOTTY", Glibc.ETXTBSY: "ETXTBSY",
        Glibc.EFBIG: "EFBIG", Glibc.ENOSPC: "ENOSPC", Glibc.ESPIPE: "ESPIPE", Glibc.EROFS: "EROFS", Glibc.EMLINK: "EMLINK",
        Glibc.EPIPE: "EPIPE", Glibc.ERANGE: "ERANGE", Glibc.ENAMETOOLONG: "ENAMETOOLONG", Glibc.ENOSYS: "ENOSYS",
        Glibc.ENOTEMPTY: "ENOTEMPTY", Glibc.ELOOP: "ELOOP", Glibc.EPROTO: "EPROTO", Glibc.EMSGSIZE: "EMSGSIZE",
        Glibc.EOPNOTSUPP: "EOPNOTSUPP", Glibc.ECONNREFUSED: "ECONNREFUSED", Glibc.EDQUOT: "EDQUOT",
        Glibc.EOVERFLOW: "EOVERFLOW", Glibc.EPROTONOSUPPORT: "EPROTONOSUPPORT", Glibc.EAFNOSUPPORT: "EAFNOSUPPORT",
    ]

    /// `error.errno == Errno.ENOENT` for the raw values errors carry.
    public static func == (lhs: Int32, rhs: Errno) -> Bool { lhs == rhs.rawValue }
    public static func != (lhs: Int32, rhs: Errno) -> Bool { lhs != rhs.rawValue }
    public static func == (lhs: Int32?, rhs: Errno) -> Bool { lhs == rhs.rawValue }
    public static func != (lhs: Int32?, rhs: Errno) -> Bool { lhs != rhs.rawValue }
    /// `case Errno.ENOENT:` in a switch over a raw errno.
    public static func ~= (pattern: Errno, value: Int32) -> Bool { pattern.rawValue == value }
}

extension SystemError {
    public init(errno: Errno, operation: String, path: String? = nil) {
        self.init(errno: errno.rawValue, operation: operation, path: path)
    }
}
