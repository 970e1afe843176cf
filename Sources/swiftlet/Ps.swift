import ArgumentParser
import SwiftletCore

struct Ps: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "(not implemented yet)")
    @ParentCommand var top: Swiftlet

    func run() throws { throw RuntimeError("ps is not implemented yet") }
}
