import OCI

/// `swiftlet audit`'s rule engine: pure functions from a config.json (and a few host facts) to
/// findings. No file or syscall here; Runtime+Audit.swift reads the bundle and probes the host.
/// Each rule is a function in an `AuditRules+X.swift` file; docs/hardening.md lists them.
public enum Audit {
    /// Every rule, in report order.
    static let rules: [@Sendable (Spec, AuditHost) -> [AuditFinding]] = [
        AuditRules.privileged, AuditRules.dangerousCapabilities,
        AuditRules.seccomp, AuditRules.appArmor, AuditRules.noNewPrivileges,
        AuditRules.rootWithoutUserNamespace, AuditRules.hostNamespaces,
        AuditRules.writableRootfs, AuditRules.sensitiveMounts, AuditRules.maskedPaths, AuditRules.readonlyPaths,
        AuditRules.memoryLimit, AuditRules.pidsLimit, AuditRules.sysctls, AuditRules.devices, AuditRules.deviceCgroup,
    ]

    /// The findings, most severe first (stable within a severity).
    public static func run(_ spec: Spec, host: AuditHost) -> [AuditFinding] {
        let all = rules.flatMap { $0(spec, host) }
        return AuditSeverity.allCases.flatMap { severity in all.filter { $0.severity == severity } }
    }

    /// The rule ids, for `--help` and the docs.
    public static let ruleIDs = [
        "privileged", "dangerous-capability", "seccomp-missing", "seccomp-allow-default", "apparmor-unconfined",
        "no-new-privileges", "root-without-userns", "host-namespace", "writable-rootfs", "sensitive-mount",
        "masked-paths", "readonly-paths", "memory-limit", "pids-limit", "dangerous-sysctl", "dangerous-device",
        "device-cgroup-allow-all",
    ]
}

/// The rules; one concern per file (AuditRules+Capabilities.swift, ...).
enum AuditRules {}
