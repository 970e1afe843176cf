import ArgumentParser
import OCI
import SwiftletCore

struct Kill: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send a signal to a container (default SIGTERM).",
        discussion: "SIGNAL is a name with or without SIG (TERM, SIGKILL) or a number; 0 only checks that the container's init can be signalled.")
    @ParentCommand var top: Swiftlet
    @Flag(name: [.short, .long], help: "Signal every process of the container.") var all = false
    @Argument(help: "Container id.", completion: .containerID) var id: String
    /// An array that also takes what looks like an option, so that `kill ID -1` is refused as
    /// a signal ("swiftlet: signal ...") rather than as an unknown flag.
    @Argument(parsing: .allUnrecognized, help: "Signal (default SIGTERM).") var signal: [String] = []

    func run() throws { try Self.send(top.globals.runtime(), id: id, signal: signal, all: all) }
}

extension Kill {
    /// `kill [--all] ID [SIGNAL]`; a signal that starts with `-` declines (ArgumentParser's
    /// `.allUnrecognized` rules apply to it).
    static let fastGrammar = FastCommandLine.Grammar(flags: ["-a": "all", "--all": "all"], maxPositionals: 2) { line, globals in
        { try send(globals.runtime(), id: line.positionals[0], signal: Array(line.positionals.dropFirst()), all: line.has("all")) }
    }

    static func send(_ runtime: @autoclosure () throws -> Runtime, id: String, signal: [String], all: Bool) throws {
        guard signal.count <= 1 else { throw RuntimeError("kill: expected one signal, got \(signal.count): \(signal.joined(separator: " "))") }
        let number: Int32
        do { number = try Signals.parse(signal.first ?? "SIGTERM", allowingZero: true) } catch { throw RuntimeError(error) }
        try runtime().kill(id: id, signal: number, all: all)
    }
}
