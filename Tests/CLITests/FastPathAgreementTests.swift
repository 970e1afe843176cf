import ArgumentParser
import Foundation
import Testing

@testable import swiftlet

/// The fast command-line path (Sources/swiftlet/FastPath.swift) and ArgumentParser must read
/// the hot commands alike: the fast path parses what engines send, ArgumentParser everything
/// else, and the two are kept apart by hand. These tests walk every ArgumentParser command and
/// every flag (from `--experimental-dump-help`, ArgumentParser's own description of the tree)
/// and fail when a spelling is in one parser and not the other, when a spelling names another
/// option in each, when one reads as a flag what the other reads as an option, and when the
/// fast path accepts a command line ArgumentParser rejects.
@Suite struct FastPathAgreementTests {
    /// ArgumentParser's tree, as `swiftlet --experimental-dump-help` prints it.
    static let tree: ToolCommand = {
        var text = ""
        do { _ = try Swiftlet.parseAsRoot(["--experimental-dump-help"]) } catch { text = Swiftlet.fullMessage(for: error) }
        do { return try JSONDecoder().decode(ToolInfo.self, from: Data(text.utf8)).command } catch {
            Issue.record("cannot decode --experimental-dump-help: \(error)\n\(text.prefix(200))")
            return ToolCommand(commandName: "", arguments: [], subcommands: [])
        }
    }()

    static let hotNames = FastCommandLine.hotCommands.map(\.name)

    static func command(_ name: String) -> ToolCommand? { tree.subcommands?.first { $0.commandName == name } }

    @Test func everyHotCommandIsAnArgumentParserCommand() {
        #expect(Set(Self.hotNames).count == Self.hotNames.count, "a hot command listed twice")
        let names = (Self.tree.subcommands ?? []).map(\.commandName)
        #expect(names.count > 10, "ArgumentParser's tree has its subcommands")
        for name in Self.hotNames { #expect(names.contains(name), "fast path command \(name) is not an ArgumentParser command") }
        for name in names where !Self.hotNames.contains(name) { #expect(FastCommandLine.grammar(of: name) == nil) }
    }

    @Test func globalSpellingsAgree() {
        let root = Self.tree.arguments ?? []
        Self.expectAgreement(ap: root, flags: FastCommandLine.globalFlags, options: FastCommandLine.globalOptions,
                             left: [], where: "global options")
    }

    @Test(arguments: FastCommandLine.hotCommands.map(\.name))
    func commandSpellingsAgree(_ name: String) throws {
        let ap = try #require(Self.command(name), "no ArgumentParser command \(name)")
        let grammar = try #require(FastCommandLine.grammar(of: name))
        Self.expectAgreement(ap: ap.arguments ?? [], flags: grammar.flags, options: grammar.options,
                             left: grammar.leftToArgumentParser, where: name)
    }

    /// Positionals: the fast path's minimum is ArgumentParser's required ones, it takes no more
    /// than ArgumentParser can, and only a command whose last positional captures everything
    /// (`exec`'s command) passes the rest through.
    @Test(arguments: FastCommandLine.hotCommands.map(\.name))
    func positionalsAgree(_ name: String) throws {
        let ap = try #require(Self.command(name))
        let grammar = try #require(FastCommandLine.grammar(of: name))
        let positionals = (ap.arguments ?? []).filter { $0.kind == "positional" }
        #expect(grammar.minPositionals == positionals.filter { !$0.isOptional }.count, "\(name): required positionals")
        if !positionals.contains(where: \.isRepeating) {
            #expect(grammar.maxPositionals <= positionals.count, "\(name): more positionals than ArgumentParser takes")
        }
        let captures = positionals.last?.parsingStrategy == "allRemainingInput"
        #expect(grammar.capturesAfterFirst == captures, "\(name): ArgumentParser captures what follows the first positional")
        if grammar.passthroughAfterFirst { #expect(captures, "\(name): passthrough") }
    }

    /// Every command line built from the tables, with values ArgumentParser takes and values it
    /// refuses: what the fast path accepts, ArgumentParser accepts as the same command; each
    /// spelling in the tables is accepted with some value (no dead entries). The lines also
    /// carry global options before and after the command, and unknown, repeated and missing
    /// ones, which the fast path must decline.
    @Test(arguments: FastCommandLine.hotCommands.map(\.name))
    func fastPathAcceptsOnlyWhatArgumentParserAccepts(_ name: String) throws {
        let grammar = try #require(FastCommandLine.grammar(of: name))
        let positionals = Array(["c1", "9", "x"].prefix(grammar.minPositionals))
        let values = ["1", "json", "table", "text", "x", "-1", ""]
        var lines: [[String]] = [[name] + positionals]
        var accepted: Set<String> = []
        var missing: Set<String> = []
        for (spelling, _) in grammar.flags {
            lines.append([name, spelling] + positionals)
            lines.append([name, spelling, spelling] + positionals)
            lines.append([name, spelling + "=1"] + positionals)
        }
        for (spelling, _) in grammar.options {
            lines.append([name, spelling] + positionals)
            for value in values {
                lines.append([name, spelling, value] + positionals)
                lines.append([name, spelling, value, spelling, value] + positionals)
                if spelling.hasPrefix("--") { lines.append([name, spelling + "=" + value] + positionals) }
            }
        }
        for (spelling, _) in FastCommandLine.globalFlags {
            lines.append([spelling, name] + positionals)
            lines.append([name, spelling] + positionals)
            lines.append([name] + positionals + [spelling])
        }
        for (spelling, _) in FastCommandLine.globalOptions {
            for value in ["/tmp/x", "json", "bogus", ""] {
                lines.append([spelling, value, name] + positionals)
                lines.append([name, spelling, value] + positionals)
                lines.append([name] + positionals + [spelling, value])
                lines.append([spelling + "=" + value, name] + positionals)
            }
        }
        for spelling in grammar.leftToArgumentParser + FastCommandLine.builtInSpellings + ["--nope", "-z", "--"] {
            lines.append([name, spelling] + positionals)
            lines.append([name] + positionals + [spelling])
        }
        lines.append([name] + positionals + ["extra", "more", "-x"])
        lines.append([name] + positionals + ["--", "x"])
        lines.append([name] + positionals.dropLast())

        for line in lines {
            guard let fast = FastCommandLine.parse(line) else { continue }
            #expect(fast.command == name)
            let action = FastCommandLine.action(for: line)
            for arg in line where grammar.flags[arg] != nil || grammar.options[arg] != nil { accepted.insert(arg) }
            for arg in line { if let eq = arg.firstIndex(of: "="), arg.hasPrefix("--") { accepted.insert(String(arg[..<eq])) } }
            let parsed: ParsableCommand
            do { parsed = try Swiftlet.parseAsRoot(line) } catch {
                if action != nil { Issue.record("fast path accepts \(line), ArgumentParser rejects it: \(Swiftlet.message(for: error))") }
                continue
            }
            guard let observed = parsed as? Observed else {
                Issue.record("fast path reads \(line) as \(name), ArgumentParser as \(type(of: parsed))")
                continue
            }
            missing.formUnion(Self.expectSameReading(fast, observed, line))
        }
        for key in missing.sorted() { Issue.record("\(name): no ArgumentParser value for the fast path's \(key) in Observed") }
        for spelling in Array(grammar.flags.keys) + Array(grammar.options.keys) {
            #expect(accepted.contains(spelling), "\(name): the fast path never accepts \(spelling)")
        }
    }

    /// What the fast path read from `line` is what ArgumentParser read: the positionals, each
    /// flag and option the fast path read (as the values the command acts on), and the global
    /// options. Returns the fast path's keys `Observed` has no value for.
    static func expectSameReading(_ fast: FastCommandLine.Parsed, _ ap: Observed, _ line: [String]) -> Set<String> {
        #expect(fast.line.positionals == ap.positionals, "\(line): positionals")
        let values = ap.values
        var missing: Set<String> = []
        for key in fast.grammar.flags.values {
            guard let value = values[key] else { missing.insert(key); continue }
            #expect(value == (fast.line.has(key) ? "true" : "false"), "\(line): \(key)")
        }
        for key in fast.grammar.options.values {
            guard let value = values[key] else { missing.insert(key); continue }
            #expect(value == (fast.line.value(key) ?? Self.defaults[key] ?? "nil"), "\(line): \(key)")
        }
        let g = ap.globals
        #expect(fast.globals.root == g.root && fast.globals.log == g.log && fast.globals.logFormat == g.logFormat
                && fast.globals.debug == g.debug && fast.globals.systemdCgroup == g.systemdCgroup, "\(line): global options")
        return missing
    }

    /// ArgumentParser's defaults of the options the fast path reads (nil: no default).
    static let defaults = ["bundle": ".", "preserve-fds": "0", "format": "table"]

    /// ArgumentParser's spellings of one command (or of the root) against the fast tables.
    static func expectAgreement(ap: [ToolArgument], flags: [String: String], options: [String: String],
                                left: [String], where context: String) {
        var apSpellings: [String: ToolArgument] = [:]
        for argument in ap where argument.kind != "positional" {
            for name in argument.names ?? [] { apSpellings[name.spelling] = argument }
        }
        let fast = Set(flags.keys).union(options.keys)
        #expect(Set(flags.keys).isDisjoint(with: options.keys), "\(context): a spelling both flag and option")
        #expect(fast.isDisjoint(with: left), "\(context): a spelling both read and left to ArgumentParser")
        let builtIns = Set(FastCommandLine.builtInSpellings)
        let expected = fast.union(left).union(builtIns)
        for spelling in apSpellings.keys.sorted() where !expected.contains(spelling) {
            Issue.record("\(context): ArgumentParser has \(spelling); add it to the fast grammar or to leftToArgumentParser")
        }
        for spelling in expected.subtracting(builtIns).sorted() where apSpellings[spelling] == nil {
            Issue.record("\(context): the fast path lists \(spelling), which ArgumentParser does not have")
        }
        for (table, kind) in [(flags, "flag"), (options, "option")] {
            for (spelling, key) in table {
                guard let argument = apSpellings[spelling] else { continue }
                #expect(argument.kind == kind, "\(context): \(spelling) is a fast \(kind), an ArgumentParser \(argument.kind)")
                let long = argument.names?.first { $0.kind == "long" }?.name
                #expect(long == key, "\(context): \(spelling) is \(key) in the fast path, --\(long ?? "?") in ArgumentParser")
            }
        }
    }
}

/// The part of ArgumentParser's `--experimental-dump-help` (ToolInfoV0) these tests read.
struct ToolInfo: Decodable, Sendable { let command: ToolCommand }

struct ToolCommand: Decodable, Sendable {
    let commandName: String
    let arguments: [ToolArgument]?
    let subcommands: [ToolCommand]?
}

struct ToolArgument: Decodable, Sendable {
    /// positional, option or flag.
    let kind: String
    let names: [ToolName]?
    let isOptional: Bool
    let isRepeating: Bool
    let parsingStrategy: String?
}

struct ToolName: Decodable, Sendable {
    /// short, long or longWithSingleDash.
    let kind: String
    let name: String

    var spelling: String { kind == "long" ? "--" + name : "-" + name }
}

/// What an ArgumentParser command read, by the fast path's keys (flags as "true"/"false",
/// options as their value or "nil"), for `expectSameReading`.
protocol Observed {
    var globals: GlobalOptions { get }
    var positionals: [String] { get }
    var values: [String: String] { get }
}

private func text(_ value: (some CustomStringConvertible)?) -> String { value.map(\.description) ?? "nil" }

extension CreateFlags {
    var observed: [String: String] {
        ["bundle": bundle, "pid-file": text(pidFile), "console-socket": text(consoleSocket), "no-pivot": "\(noPivot)",
         "no-new-keyring": "\(noNewKeyring)", "preserve-fds": "\(preserveFDs)", "seccomp-record": text(seccompRecord)]
    }
}

extension Create: Observed {
    var globals: GlobalOptions { top.globals }
    var positionals: [String] { [id] }
    var values: [String: String] { flags.observed }
}

extension Run: Observed {
    var globals: GlobalOptions { top.globals }
    var positionals: [String] { [id] }
    var values: [String: String] {
        flags.observed.merging(["detach": "\(detach)", "keep": "\(keep)", "no-subreaper": "\(noSubreaper)"]) { $1 }
    }
}

extension Start: Observed {
    var globals: GlobalOptions { top.globals }
    var positionals: [String] { [id] }
    var values: [String: String] { [:] }
}

extension State: Observed {
    var globals: GlobalOptions { top.globals }
    var positionals: [String] { [id] }
    var values: [String: String] { [:] }
}

extension Delete: Observed {
    var globals: GlobalOptions { top.globals }
    var positionals: [String] { [id] }
    var values: [String: String] { ["force": "\(force)"] }
}

extension Kill: Observed {
    var globals: GlobalOptions { top.globals }
    var positionals: [String] { [id] + signal }
    var values: [String: String] { ["all": "\(all)"] }
}

extension List: Observed {
    var globals: GlobalOptions { top.globals }
    var positionals: [String] { [] }
    var values: [String: String] { ["format": format.rawValue, "quiet": "\(quiet)"] }
}

extension Ps: Observed {
    var globals: GlobalOptions { top.globals }
    var positionals: [String] { [id] + psArguments }
    var values: [String: String] { ["format": format.rawValue] }
}

extension Exec: Observed {
    var globals: GlobalOptions { top.globals }
    var positionals: [String] { [id] + command }
    var values: [String: String] {
        ["process": text(process), "tty": "\(tty)", "console-socket": text(consoleSocket), "detach": "\(detach)",
         "pid-file": text(pidFile)]
    }
}
