import ArgumentParser
import SwiftletCore

struct Spec: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a default config.json to a bundle (like runc spec).",
        discussion: "An existing config.json is never overwritten.")
    @ParentCommand var top: Swiftlet
    @Option(name: [.short, .long], help: "Bundle directory to write config.json into.") var bundle: String = "."
    @Flag(help: "A config for an unprivileged user: user namespace mapping the caller to root, no network namespace.")
    var rootless = false

    func run() throws {
        try top.globals.runtime().writeSpec(bundle: bundle, rootless: rootless)
    }
}
