import ArgumentParser
import SwiftletCore

struct Features: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "(not implemented yet)")
    @ParentCommand var top: Swiftlet

    func run() throws { throw RuntimeError("features is not implemented yet") }
}
