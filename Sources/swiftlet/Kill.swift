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
    @Argument(help: "Signal.") var signal: String = "SIGTERM"

    func run() throws {
        let number: Int32
        do { number = try Signals.parse(signal) } catch { throw RuntimeError(error) }
        try top.globals.runtime().kill(id: id, signal: number, all: all)
    }
}
