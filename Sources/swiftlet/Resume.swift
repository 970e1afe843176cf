import ArgumentParser
import SwiftletCore

struct Resume: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "(not implemented yet)")
    @ParentCommand var top: Swiftlet

    func run() throws { throw RuntimeError("resume is not implemented yet") }
}
