import ArgumentParser
import SwiftletCore

struct Delete: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Delete a container (and its state, cgroup, processes with --force).")
    @ParentCommand var top: Swiftlet
    @Flag(name: [.short, .long], help: "Kill a running container first.") var force = false
    @Argument(help: "Container id.", completion: .containerID) var id: String

    func run() throws { try top.globals.runtime().delete(id: id, force: force) }
}

extension Delete {
    static let fastGrammar = FastCommandLine.Grammar(flags: ["-f": "force", "--force": "force"]) { line, globals in
        { try globals.runtime().delete(id: line.positionals[0], force: line.has("force")) }
    }
}
