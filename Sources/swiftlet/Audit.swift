import ArgumentParser
import SwiftletCore

struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Report the security risks of a bundle's config.json.",
        discussion: """
            Each finding has a severity (high, medium, low), the JSON path, why it matters and the fix. \
            Exit status: 0 without high findings, 2 with at least one, 1 for usage errors or an \
            unreadable config.json. Rules: docs/hardening.md.
            """)
    @ParentCommand var top: Swiftlet
    @Option(name: [.short, .long], help: "Bundle directory holding config.json.", completion: .directory) var bundle: String = "."
    @Option(help: "Output format: text or json.") var format: LogFormat = .text

    func run() throws {
        let result = try top.globals.runtime(needsState: false).audit(bundle: bundle)
        let output = format == .json ? try AuditReport.json(result.findings, bundle: result.bundle)
            : AuditReport.text(result.findings, bundle: result.bundle)
        print(output, terminator: "")
        if result.findings.contains(where: { $0.severity == .high }) { throw ExitCode(Runtime.auditHighExitCode) }
    }
}
