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
///
/// Every spelling the fast path reads is in the tables below (`globalFlags`, `globalOptions`,
/// `hotCommands`, each command's `fastGrammar`), and every spelling it leaves to ArgumentParser
/// on purpose is listed beside them (`Grammar.leftToArgumentParser`, `builtInSpellings`):
/// Tests/CLITests/FastPathAgreementTests.swift walks every ArgumentParser command and flag and
/// fails when the two disagree (a flag added to one parser and not the other, a spelling
/// mapped to another option, a flag read as an option).
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
        /// ArgumentParser captures everything after the first positional (`exec`'s command,
        /// `ps`'s ps arguments), and then reads no global option after the command name
        /// either: the fast path declines those, and whatever follows the first positional
        /// unless it passes it through.
        var capturesAfterFirst = false
        /// `exec`: everything after the first positional is passed through untouched.
        var passthroughAfterFirst = false
        /// The command's other spellings in ArgumentParser, which this grammar declines on
        /// purpose (a command line with one of them is parsed by ArgumentParser). Read only by
        /// the agreement test: a spelling in neither list nor the tables above fails it.
        var leftToArgumentParser: [String] = []
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

    /// ArgumentParser's own spellings, in every command: the fast path declines them all
    /// (help and version text come from ArgumentParser).
    static let builtInSpellings = ["-h", "--help", "--version"]

    /// The hot commands and their grammars: the one list of what the fast path parses. A
    /// closure per command rather than the grammars themselves: each grammar is a lazily
    /// initialized static, and only the one in use is built.
    static let hotCommands: [(name: String, grammar: @Sendable () -> Grammar)] = [
        ("create", { Create.fastGrammar }), ("start", { Start.fastGrammar }), ("run", { Run.fastGrammar }),
        ("delete", { Delete.fastGrammar }), ("kill", { Kill.fastGrammar }), ("state", { State.fastGrammar }),
        ("exec", { Exec.fastGrammar }), ("list", { List.fastGrammar }), ("ps", { Ps.fastGrammar }),
    ]

    /// The grammar of a hot command, nil for every other command.
    static func grammar(of command: String) -> Grammar? {
        for entry in hotCommands where entry.name == command { return entry.grammar() }
        return nil
    }

    /// The action for `arguments` (without argv[0]), or nil when ArgumentParser must parse it.
    static func action(for arguments: [String]) -> (() throws -> Void)? {
        guard let parsed = parse(arguments) else { return nil }
        return parsed.grammar.action(parsed.line, parsed.globals)
    }

    /// A command line the fast path reads: the command's grammar, its flags, options and
    /// positionals, and the global options.
    struct Parsed {
        var command: String
        var grammar: Grammar
        var line: FastCommandLine
        var globals: GlobalValues
    }

    /// `arguments` read by the tables, or nil when ArgumentParser must parse them.
    static func parse(_ arguments: [String]) -> Parsed? {
        var command: (name: String, grammar: Grammar)?
        var line = FastCommandLine()
        var globals = [String: String](minimumCapacity: 8)
        var i = 0
        while i < arguments.count {
            let arg = arguments[i]
            i += 1
            if let grammar = command?.grammar, grammar.capturesAfterFirst, !line.positionals.isEmpty {
                guard grammar.passthroughAfterFirst else { return nil }
                line.positionals.append(arg)
                continue
            }
            if arg.hasPrefix("-") {
                var name = arg
                var inline: String?
                if arg.hasPrefix("--"), let eq = arg.firstIndex(of: "=") {
                    name = String(arg[..<eq])
                    inline = String(arg[arg.index(after: eq)...])
                    // ArgumentParser takes `--name=` as a missing value (and the next argument).
                    guard inline != "" else { return nil }
                }
                let isGlobal = globalFlags[name] != nil || globalOptions[name] != nil
                if isGlobal, let grammar = command?.grammar, grammar.capturesAfterFirst { return nil }
                let flags = isGlobal ? globalFlags : (command?.grammar.flags ?? [:])
                let options = isGlobal ? globalOptions : (command?.grammar.options ?? [:])
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
            guard let grammar = command?.grammar else {
                guard let grammar = grammar(of: arg) else { return nil }
                command = (arg, grammar)
                continue
            }
            line.positionals.append(arg)
            if !grammar.passthroughAfterFirst, line.positionals.count > grammar.maxPositionals { return nil }
        }
        guard let command, line.positionals.count >= command.grammar.minPositionals else { return nil }
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
        return Parsed(command: command.name, grammar: command.grammar, line: line, globals: g)
    }
}
