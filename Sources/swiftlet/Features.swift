import ArgumentParser
import SwiftletCore

struct Features: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print what this runtime implements (runtime-spec features.md JSON).")
    @ParentCommand var top: Swiftlet

    func run() throws {
        let features = SwiftletCore.Runtime.features()
        do {
            let data = try features.encoded(prettyPrinted: true)
            Console.print(String(decoding: data, as: UTF8.self))
        } catch {
            throw RuntimeError(error)
        }
    }
}
