import ArgumentParser
import SwiftletCore

struct Pause: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Freeze every process of a container (its cgroup's freezer).")
    @ParentCommand var top: Swiftlet
    @Argument(help: "Container id.", completion: .containerID) var id: String

    func run() throws { try top.globals.runtime().pause(id: id) }
}
