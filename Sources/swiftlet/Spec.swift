import ArgumentParser
import SwiftletCore

struct Spec: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "(not implemented yet)")
    @ParentCommand var top: Swiftlet

    func run() throws { throw RuntimeError("spec is not implemented yet") }
}
