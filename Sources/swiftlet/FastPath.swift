import SwiftletCore

/// The plain command lines engines send for the hot commands (`create`, `start`, `run`,
/// `delete`, `kill`, `state`, `exec`, `list`, `ps`), parsed without swift-argument-parser.
///
/// Why: ArgumentParser's root parse builds the whole command tree by reflection (Mirror,
/// String(describing:) of every command type, conformance scans over the static binary's
/// protocol records): about 22 M instructions, 80% of what `swiftlet start` executes
/// (docs/performance.md). This parser accepts only what it can read exactly as ArgumentParser
/// would and *declines* everything else: `--help`, `--version`, an unknown or repeated flag, a
/// missing value, `--`, combined short flags, a value that looks like a flag, a missing or
/// extra argument. A declined command line goes to ArgumentParser, so help, errors and every
/// other command behave exactly as before.
struct FastCommandLine {
    /// Values by key (a flag's value is ""); the key is the long name without dashes.
    // Room for every option up front: growing a dictionary goes through an unspecialized
    // path whose first use costs a conformance scan (docs/performance.md, item 12).
    private(set) var values = [String: String](minimumCapacity: 16)
    private(set) var positionals: [String] = []

    func has(_ key: String) -> Bool { values[key] != nil }
    func value(_ key: String) -> String? { values[key] }

    /// What one command accepts, besides the global options.
    struct Grammar: Sendable {
        /// Flag spellings -> key (`-f`, `--force` -> `force`).
        var flags: [String: String] = [:]
        /// Option spellings -> key; long ones also take `--name=value`.
        var options: [String: String] = [:]
        var minPositionals = 1
        var maxPositionals = 1
        /// `exec`: everything after the first positional is passed through untouched.
        var passthroughAfterFirst = false
        /// Builds the command's action, or nil to decline (a value it cannot convert).
        var action: @Sendable (FastCommandLine, GlobalValues) -> (() throws -> Void)?
    }

    /// runc's global options (the same names as `GlobalOptions`).
    struct GlobalValues {
        var root: String?
        var log: String?
        var logFormat = LogFormat.text
        var debug = false
        var systemdCgroup = false

        func runtime() throws -> Runtime {
            try GlobalOptions.makeRuntime(root: root, log: log, logFormat: logFormat, debug: debug,
                                          systemdCgroup: systemdCgroup)
        }
    }

    static let globalFlags = ["--debug": "debug", "--systemd-cgroup": "systemd-cgroup"]
    static let globalOptions = ["--root": "root", "--log": "log", "--log-format": "log-format", "--criu": "criu"]

    /// The grammar of a hot command. A switch rather than a dictionary of all of them: each
    /// grammar is a lazily initialized static, and only the one in use is built.
    static func grammar(of command: String) -> Grammar? {
        switch command {
        case "create": Create.fastGrammar
        case "start": Start.fastGrammar
        case "run": Run.fastGrammar
        case "delete": Delete.fastGrammar
        case "kill": Kill.fastGrammar
        case "state": State.fastGrammar
        case "exec": Exec.fastGrammar
        case "list": List.fastGrammar
        case "ps": Ps.fastGrammar
        default: nil
        }
    }

    /// The action for `arguments` (without argv[0]), or nil when ArgumentParser must parse it.
    static func action(for arguments: [String]) -> (() throws -> Void)? {
        var command: Grammar?
        var line = FastCommandLine()
        var globals = [String: String](minimumCapacity: 8)
        var i = 0
        while i < arguments.count {
            let arg = arguments[i]
            i += 1
            if let grammar = command, grammar.passthroughAfterFirst, !line.positionals.isEmpty {
                line.positionals.append(arg)
                continue
            }
            if arg.hasPrefix("-") {
                var name = arg
                var inline: String?
                if arg.hasPrefix("--"), let eq = arg.firstIndex(of: "=") {
                    name = String(arg[..<eq])
                    inline = String(arg[arg.index(after: eq)...])
                }
                let isGlobal = globalFlags[name] != nil || globalOptions[name] != nil
                let flags = isGlobal ? globalFlags : (command?.flags ?? [:])
                let options = isGlobal ? globalOptions : (command?.options ?? [:])
                if let key = flags[name], inline == nil {
                    if isGlobal { guard globals.updateValue("", forKey: key) == nil else { return nil } }
                    else { guard line.values.updateValue("", forKey: key) == nil else { return nil } }
                    continue
                }
                guard let key = options[name] else { return nil }
                let value: String
                if let inline {
                    value = inline
                } else {
                    guard i < arguments.count, !arguments[i].hasPrefix("-") else { return nil }
                    value = arguments[i]
                    i += 1
                }
                if isGlobal { guard globals.updateValue(value, forKey: key) == nil else { return nil } }
                else { guard line.values.updateValue(value, forKey: key) == nil else { return nil } }
                continue
            }
            if command == nil {
                guard let grammar = grammar(of: arg) else { return nil }
                command = grammar
                continue
            }
            line.positionals.append(arg)
            if let grammar = command, !grammar.passthroughAfterFirst, line.positionals.count > grammar.maxPositionals {
                return nil
            }
        }
        guard let grammar = command, line.positionals.count >= grammar.minPositionals else { return nil }
        var g = GlobalValues()
        if let root = globals["root"] { g.root = root }
        g.log = globals["log"]
        if let format = globals["log-format"] {
            guard let parsed = LogFormat(rawValue: format) else { return nil }
            g.logFormat = parsed
        }
        g.debug = globals["debug"] != nil
        g.systemdCgroup = globals["systemd-cgroup"] != nil
        // runc's --rootless was taken out before (Swiftlet.takeRuncRootless); --criu is only for
        // checkpoint and restore, which are not hot commands.
        return grammar.action(line, g)
    }
}
