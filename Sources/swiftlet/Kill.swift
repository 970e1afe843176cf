import ArgumentParser
import OCI
import SwiftletCore

struct Kill: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send a signal to a container (default SIGTERM).",
        discussion: "SIGNAL is a name with or without SIG (TERM, SIGKILL) or a number.")
    @ParentCommand var top: Swiftlet
    @Flag(name: [.short, .long], help: "Signal every process of the container.") var all = false
    @Argument(help: "Container id.") var id: String
    /// An array that also takes what looks like an option, so that `kill ID -1` is refused as
    /// a signal ("swiftlet: signal ...") rather than as an unknown flag.
    @Argument(parsing: .allUnrecognized, help: "Signal (default SIGTERM).") var signal: [String] = []

    func run() throws {
        guard signal.count <= 1 else { throw RuntimeError("kill: expected one signal, got \(signal.count): \(signal.joined(separator: " "))") }
        let number: Int32
        do { number = try Signals.parse(signal.first ?? "SIGTERM") } catch { throw RuntimeError(error) }
        try top.globals.runtime().kill(id: id, signal: number, all: all)
    }
}
