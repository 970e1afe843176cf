import ArgumentParser
import SwiftletCore

struct Pause: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "(not implemented yet)")
    @ParentCommand var top: Swiftlet

    func run() throws { throw RuntimeError("pause is not implemented yet") }
}
