import ArgumentParser
import SwiftletCore

/// `events [--stats] [--interval D] ID`, as runc: one JSON object per line on stdout.
struct Events: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a container's resource usage and OOM events as JSON lines.",
        discussion: "Without --stats, prints a stats event every interval and an oom event on each OOM kill until the container stops.")
    @ParentCommand var top: Swiftlet
    @Flag(help: "Print the usage once and exit.") var stats = false
    @Option(help: "Time between stats events (Go duration: 5s, 500ms, 1m).") var interval: String = "5s"
    @Argument(help: "Container id.", completion: .containerID) var id: String

    func run() throws {
        let runtime = try top.globals.runtime()
        if stats {
            Console.print(try runtime.stats(id: id).json())
            return
        }
        guard let ms = GoDuration.milliseconds(interval) else {
            throw RuntimeError("--interval: invalid duration \"\(interval)\" (expected e.g. 5s, 500ms; at least 1ms)")
        }
        try runtime.events(id: id, intervalMs: ms) { event in Console.print(event.json()) }
    }
}
