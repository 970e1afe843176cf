import FoundationEssentials
import OCI

/// `swiftlet audit`'s two output formats. Text: one block per finding, for people. JSON: an
/// object with `findings` and a per-severity `summary`, for CI gates.
public enum AuditReport {
    public static func text(_ findings: [AuditFinding], bundle: String) -> String {
        guard !findings.isEmpty else { return "\(bundle): no findings\n" }
        var out = ""
        for f in findings {
            out += "\(f.severity.rawValue.uppercased()) \(f.path): \(f.message) [\(f.rule)]\n"
            out += "  why: \(f.why)\n"
            out += "  fix: \(f.fix)\n"
        }
        out += summaryLine(findings) + "\n"
        return out
    }

    public static func summaryLine(_ findings: [AuditFinding]) -> String {
        AuditSeverity.allCases.map { s in "\(findings.filter { $0.severity == s }.count) \(s.rawValue)" }
            .joined(separator: ", ")
    }

    struct Document: Encodable {
        var bundle: String
        var findings: [AuditFinding]
        var summary: [String: Int]
    }

    public static func json(_ findings: [AuditFinding], bundle: String) throws -> String {
        var summary: [String: Int] = [:]
        for s in AuditSeverity.allCases { summary[s.rawValue] = findings.filter { $0.severity == s }.count }
        let data = try OCIJSON.encode(Document(bundle: bundle, findings: findings, summary: summary), prettyPrinted: true)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
