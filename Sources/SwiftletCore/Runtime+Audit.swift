import OCI

extension Runtime {
    /// Exit status of `audit` when a high-severity finding exists (1 stays the status of
    /// usage errors and unreadable bundles, so a CI gate can tell the two apart).
    public static let auditHighExitCode: Int32 = 2

    /// `audit [--bundle DIR]`: the findings for DIR/config.json on this host.
    public func audit(bundle: String) throws -> (bundle: String, findings: [AuditFinding]) {
        let dir = Self.absolutePath(bundle)
        let spec: Spec
        do { spec = try Spec.load(bundle: dir) } catch { throw RuntimeError(error) }
        return (dir, Audit.run(spec, host: AuditHost(appArmor: HostSecurity.probe().appArmor)))
    }
}
