import OCI

/// How bad a finding is. `high`: a known container escape or host takeover path (the audit
/// exits non-zero); `medium`: a missing layer of defence; `low`: worth knowing.
public enum AuditSeverity: String, Sendable, Codable, CaseIterable, Comparable {
    case high, medium, low

    public static func < (a: Self, b: Self) -> Bool { a.rank < b.rank }
    var rank: Int { self == .high ? 0 : self == .medium ? 1 : 2 }
}

/// One risk in a config.json: which rule, where (the JSON path, as in every swiftlet error),
/// what was found, why it matters and how to fix it.
public struct AuditFinding: Sendable, Codable, Equatable {
    public var rule: String
    public var severity: AuditSeverity
    public var path: String
    public var message: String
    public var why: String
    public var fix: String

    public init(rule: String, severity: AuditSeverity, path: String, message: String, why: String, fix: String) {
        self.rule = rule
        self.severity = severity
        self.path = path
        self.message = message
        self.why = why
        self.fix = fix
    }
}

/// The facts about the host the rules depend on (passed in, so the rules stay pure).
public struct AuditHost: Sendable, Equatable {
    /// AppArmor is enabled: an unconfined process is then a choice, not a limitation.
    public var appArmor: Bool

    public init(appArmor: Bool) { self.appArmor = appArmor }
}
