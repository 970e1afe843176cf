import ArgumentParser
import OCI
import SwiftletCore

struct State: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a container's state as JSON.",
        discussion: "Indented as runc prints it: ociVersion, id, pid, status, bundle, rootfs, created, annotations, owner.")
    @ParentCommand var top: Swiftlet
    @Argument(help: "Container id.", completion: .containerID) var id: String

    func run() throws { Console.print(try top.globals.runtime().state(id: id).jsonValue().goText(indent: "  ")) }
}

extension State {
    static let fastGrammar = FastCommandLine.Grammar { line, globals in
        { Console.print(try globals.runtime().state(id: line.positionals[0]).jsonValue().goText(indent: "  ")) }
    }
}
