import ArgumentParser
import SwiftletCore

struct Start: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Start a created container's process.")
    @ParentCommand var top: Swiftlet
    @Argument(help: "Container id.", completion: .containerID) var id: String

    func run() throws { try top.globals.runtime().start(id: id) }
}

extension Start {
    static let fastGrammar = FastCommandLine.Grammar { line, globals in
        { try globals.runtime().start(id: line.positionals[0]) }
    }
}
