import ArgumentParser
import SwiftletCore

struct Events: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "(not implemented yet)")
    @ParentCommand var top: Swiftlet

    func run() throws { throw RuntimeError("events is not implemented yet") }
}
