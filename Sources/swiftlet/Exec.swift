import ArgumentParser
import SwiftletCore

struct Exec: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "(not implemented yet)")
    @ParentCommand var top: Swiftlet

    func run() throws { throw RuntimeError("exec is not implemented yet") }
}
