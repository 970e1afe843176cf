import FoundationEssentials

/// Resource limits by number (asm-generic/resource.h, the same on x86_64 and arm64), the
/// names config.md "POSIX process" `rlimits[].type` uses.
public enum Rlimit: Int32, NumberedNames {
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

    public static let names: [String] = [
        "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE", "RLIMIT_RSS",
        "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS",
        "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME",
    ]
}
