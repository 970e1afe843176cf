import FoundationEssentials

/// Resource limits by number (asm-generic/resource.h, the same on x86_64 and arm64), the
/// names config.md "POSIX process" `rlimits[].type` uses.
public enum Rlimit: Int32, CaseIterable, Sendable {
    case cpu = 0
    case fsize = 1
    case data = 2
    case stack = 3
    case core = 4
    case rss = 5
    case nproc = 6
    case nofile = 7
    case memlock = 8
    /// RLIMIT_AS.
    case addressSpace = 9
    case locks = 10
    case sigpending = 11
    case msgqueue = 12
    case nice = 13
    case rtprio = 14
    case rttime = 15

    private static let names: [String] = [
        "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE", "RLIMIT_RSS",
        "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS",
        "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME",
    ]

    /// Every `RLIMIT_*` name and its number (16 entries).
    public static let byName: [String: Int32] = Dictionary(
        uniqueKeysWithValues: allCases.map { ($0.name, $0.rawValue) })

    /// The number of `RLIMIT_*` name `name`, or nil if unknown.
    public static func number(of name: String) -> Int32? {
        index(of: name)
    }

    /// A scan of `names` (whose positions are the numbers): a create looks up a handful of
    /// names, and building `byName` (hashing every entry) cost more than all of those scans.
    private static func index(of name: String) -> Int32? {
        for (number, candidate) in names.enumerated() where candidate == name {
            return Int32(number)
        }
        return nil
    }

    /// The limit called `name` (`RLIMIT_NOFILE`), or nil if unknown.
    public init?(name: String) {
        guard let number = Rlimit.index(of: name) else { return nil }
        self.init(rawValue: number)
    }

    /// `RLIMIT_CPU`, ...
    public var name: String { Rlimit.names[Int(rawValue)] }
}
