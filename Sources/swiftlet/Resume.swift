import ArgumentParser
import SwiftletCore

struct Resume: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Thaw a paused container.")
    @ParentCommand var top: Swiftlet
    @Argument(help: "Container id.", completion: .containerID) var id: String

    func run() throws { try top.globals.runtime().resume(id: id) }
}
