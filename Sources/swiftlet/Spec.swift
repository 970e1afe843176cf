import ArgumentParser
import SwiftletCore

struct Spec: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a default config.json to a bundle (like runc spec).",
        discussion: "An existing config.json is never overwritten.")
    @ParentCommand var top: Swiftlet
    @Option(name: [.short, .long], help: "Bundle directory to write config.json into.", completion: .directory) var bundle: String = "."
    @Flag(help: "A config for an unprivileged user: user namespace mapping the caller to root, no network namespace (with --hardened: the hardened config for the caller, docs/rootless.md).")
    var rootless = false
    @Flag(help: "A hardened config: read-only rootfs, no capabilities, default-deny seccomp, user namespace, non-root user, limits (docs/hardening.md).")
    var hardened = false
    @Option(name: .customLong("cap"), help: "With --hardened: a capability the process keeps (repeatable).")
    var caps: [String] = []

    func run() throws {
        try top.globals.runtime(needsState: false).writeSpec(bundle: bundle, rootless: rootless, hardened: hardened, capabilities: caps)
    }
}
