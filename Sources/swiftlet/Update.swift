import ArgumentParser
import SwiftletCore

struct Update: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "(not implemented yet)")
    @ParentCommand var top: Swiftlet

    func run() throws { throw RuntimeError("update is not implemented yet") }
}
