import SwiftletCore

/// Errors and warnings go to stderr as `swiftlet: message`, and to --log as well: JSON lines
/// `{"level":"error","msg":"...","time":"..."}` with --log-format json (containerd's shim and
/// conmon read these), logfmt-style lines otherwise. A RuntimeError's line also carries the
/// config.json field (or flag) it concerns and its errno when it has them:
/// `{"level":"error","msg":"...","field":"mounts[3]","errno":2,"time":"..."}` (the text
/// format stays runc's).
struct Logger {
    let path: String?
    let format: LogFormat
    let debug: Bool

    /// The logger from raw arguments, so errors from parsing itself are logged the same way.
    static func fromArguments(_ arguments: [String]) -> Logger {
        var path: String?
        var format = LogFormat.text
        var debug = false
        var i = 0
        while i < arguments.count {
            let a = arguments[i]
            func value() -> String? {
                if let eq = a.firstIndex(of: "=") { return String(a[a.index(after: eq)...]) }
                i += 1
                return i < arguments.count ? arguments[i] : nil
            }
            if a == "--log" || a.hasPrefix("--log=") { path = value() }
            else if a == "--log-format" || a.hasPrefix("--log-format=") { format = LogFormat(rawValue: value() ?? "") ?? .text }
            else if a == "--debug" { debug = true }
            i += 1
        }
        return Logger(path: path, format: format, debug: debug)
    }

    func error(_ message: String) {
        Console.writeError("swiftlet: \(message)\n")
        append(level: "error", message)
    }

    /// The one error line of a failed command, with the error's field and errno in --log.
    func error(_ error: RuntimeError) {
        let message = error.description
        Console.writeError("swiftlet: \(message)\n")
        append(level: "error", message, field: error.field, errno: error.errno)
    }

    func warning(_ message: String) {
        Console.writeError("swiftlet: warning: \(message)\n")
        append(level: "warning", message)
    }

    func debugLine(_ message: String) {
        guard debug else { return }
        if path == nil { Console.writeError("swiftlet: debug: \(message)\n") }
        append(level: "debug", message)
    }

    /// With `SWIFTLET_DEBUG_FDS=1`, a debug entry in --log listing the descriptors the runtime
    /// holds (`fds at start: 0 -> /dev/null, 1 -> ..., 2 -> ...`, `when` is start or exit):
    /// what it had at exit beyond what it inherited at start is a leak. Never on stderr, whose
    /// one error line is part of the CLI's contract (docs/reliability.md).
    func openDescriptors(_ when: String) {
        guard Sys.environment("SWIFTLET_DEBUG_FDS") == "1" else { return }
        let list = Sys.openDescriptors().map { "\($0.fd) -> \($0.target)" }.joined(separator: ", ")
        append(level: "debug", "fds at \(when): \(list)")
    }

    private func append(level: String, _ message: String, field: String? = nil, errno: Int32 = 0) {
        guard let path else { return }
        let time = Console.timestamp()
        let line: String
        switch format {
        case .json:
            var extra = ""
            if let field { extra += ",\"field\":\(Console.jsonString(field))" }
            if errno != 0 { extra += ",\"errno\":\(errno)" }
            line = "{\"level\":\"\(level)\",\"msg\":\(Console.jsonString(message))\(extra),\"time\":\"\(time)\"}\n"
        case .text:
            line = "time=\"\(time)\" level=\(level) msg=\(Console.jsonString(message))\n"
        }
        Console.append(path, line)
    }
}
