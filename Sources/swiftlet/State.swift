import ArgumentParser
import SwiftletCore

struct State: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print a container's state as JSON.")
    @ParentCommand var top: Swiftlet
    @Argument(help: "Container id.", completion: .containerID) var id: String

    func run() throws { try Console.printJSON(try top.globals.runtime().state(id: id)) }
}

extension State {
    static let fastGrammar = FastCommandLine.Grammar { line, globals in
        { try Console.printJSON(try globals.runtime().state(id: line.positionals[0])) }
    }
}
