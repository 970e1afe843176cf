import FoundationEssentials

/// Signal names and numbers for `kill` (runtime.md "Kill"), as Linux numbers them on x86_64
/// and arm64 (asm-generic/signal.h). Accepts what runc accepts — `9`, `KILL`, `SIGKILL`, any
/// case — plus the real-time forms `RTMIN+n` and `RTMAX-n`.
public enum Signals {
    /// The 31 standard signals, numbers 1...31.
    public static let standard: [(name: String, number: Int32)] = [
        ("SIGHUP", 1), ("SIGINT", 2), ("SIGQUIT", 3), ("SIGILL", 4), ("SIGTRAP", 5), ("SIGABRT", 6),
        ("SIGBUS", 7), ("SIGFPE", 8), ("SIGKILL", 9), ("SIGUSR1", 10), ("SIGSEGV", 11), ("SIGUSR2", 12),
        ("SIGPIPE", 13), ("SIGALRM", 14), ("SIGTERM", 15), ("SIGSTKFLT", 16), ("SIGCHLD", 17),
        ("SIGCONT", 18), ("SIGSTOP", 19), ("SIGTSTP", 20), ("SIGTTIN", 21), ("SIGTTOU", 22),
        ("SIGURG", 23), ("SIGXCPU", 24), ("SIGXFSZ", 25), ("SIGVTALRM", 26), ("SIGPROF", 27),
        ("SIGWINCH", 28), ("SIGIO", 29), ("SIGPWR", 30), ("SIGSYS", 31),
    ]

    /// Other names Linux gives the same numbers.
    public static let aliases: [String: Int32] = ["SIGIOT": 6, "SIGCLD": 17, "SIGPOLL": 29]

    /// SIGRTMIN as the kernel defines it (glibc reserves 32 and 33 for itself).
    public static let realtimeMinimum: Int32 = 34
    /// SIGRTMAX; also the highest signal number (_NSIG - 1).
    public static let realtimeMaximum: Int32 = 64

    private static let byName: [String: Int32] = Dictionary(
        uniqueKeysWithValues: standard.map { ($0.name, $0.number) }).merging(aliases) { first, _ in first }

    /// Parses `9`, `KILL`, `SIGKILL`, `sigkill`, `RTMIN+3`, `SIGRTMAX-1`. Numbers must be in
    /// 1...64, or 0...64 with `allowingZero` (`kill ID 0`: runc's, and kill(2)'s, check that
    /// the process can be signalled, delivering nothing). Errors use the path `signal`.
    public static func parse(_ text: String, allowingZero: Bool = false) throws(SpecError) -> Int32 {
        if !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) {
            let lowest: Int32 = allowingZero ? 0 : 1
            guard let number = Int32(text), (lowest...realtimeMaximum).contains(number) else {
                throw SpecError(path: "signal", message: "signal \(text) is out of range (\(lowest)-\(realtimeMaximum))")
            }
            return number
        }
        var name = text.uppercased()
        if name.hasPrefix("SIG") {
            name.removeFirst(3)
        }
        if let number = realtime(name) {
            return number
        }
        guard !name.isEmpty, let number = byName["SIG" + name] else {
            throw SpecError(path: "signal", message: "unknown signal \(JSONPath.quoted(text))")
        }
        return number
    }

    /// `SIGKILL` for 9, `SIGRTMIN+2` for 36, `SIGRTMAX-1` for 63 (as `kill -l` prints them),
    /// `signal N` for numbers without a name.
    public static func name(of number: Int32) -> String {
        if let entry = standard.first(where: { $0.number == number }) {
            return entry.name
        }
        switch number {
        case realtimeMinimum:
            return "SIGRTMIN"
        case realtimeMaximum:
            return "SIGRTMAX"
        case (realtimeMinimum + 1)...(realtimeMinimum + 15):
            return "SIGRTMIN+\(number - realtimeMinimum)"
        case (realtimeMinimum + 16)..<realtimeMaximum:
            return "SIGRTMAX-\(realtimeMaximum - number)"
        default:
            return "signal \(number)"
        }
    }

    /// `RTMIN`, `RTMIN+n`, `RTMAX`, `RTMAX-n` (name without `SIG`), within 34...64.
    private static func realtime(_ name: String) -> Int32? {
        let base: Int32
        let sign: Int32
        let rest: Substring
        if name.hasPrefix("RTMIN") {
            base = realtimeMinimum
            sign = 1
            rest = name.dropFirst(5)
        } else if name.hasPrefix("RTMAX") {
            base = realtimeMaximum
            sign = -1
            rest = name.dropFirst(5)
        } else {
            return nil
        }
        if rest.isEmpty {
            return base
        }
        let expectedSign: Character = sign > 0 ? "+" : "-"
        let digits = rest.dropFirst()
        guard rest.first == expectedSign, !digits.isEmpty,
              digits.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
              let offset = Int32(digits) else {
            return nil
        }
        let number = base + sign * offset
        return (realtimeMinimum...realtimeMaximum).contains(number) ? number : nil
    }
}
