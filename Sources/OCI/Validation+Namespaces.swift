import FoundationEssentials

extension Spec {
    /// HOST_NAME_MAX: sethostname(2) and setdomainname(2) refuse longer names.
    static let hostNameMaximum = 64

    /// config.md "Hostname" / "Domainname": setting either in the runtime's own UTS namespace
    /// would rename the host, so both need a uts namespace entry (runc refuses likewise).
    func validateHostname(_ problems: inout Problems) {
        let hasUTS = linux?.namespace(.uts) != nil
        for (field, value) in [("hostname", hostname), ("domainname", domainname)] {
            guard let value, !value.isEmpty else { continue }
            if !hasUTS {
                problems.add(field, "requires a new uts namespace")
            }
            if value.utf8.count > Spec.hostNameMaximum {
                problems.add(field, "must be at most \(Spec.hostNameMaximum) bytes, got \(value.utf8.count)")
            }
        }
    }

    /// config-linux.md "Namespaces", "User namespace mappings", "Offset for Time Namespace".
    func validateNamespaces(_ linux: Linux, _ problems: inout Problems) {
        var seen: Set<LinuxNamespaceType> = []
        for (index, namespace) in (linux.namespaces ?? []).enumerated() {
            let base = JSONPath.index("linux.namespaces", index)
            if !seen.insert(namespace.type).inserted {
                problems.add("\(base).type", "duplicate namespace type \(Check.quote(namespace.type.rawValue))")
            }
            if let path = namespace.path, !path.isEmpty {
                Check.absolute(path, at: "\(base).path", &problems)
            }
        }
        validateUserNamespace(linux, &problems)
        validateTimeOffsets(linux, &problems)
    }

    private func validateUserNamespace(_ linux: Linux, _ problems: inout Problems) {
        let uidMappings = linux.uidMappings ?? []
        let gidMappings = linux.gidMappings ?? []
        if let user = linux.namespace(.user) {
            if user.isNew && (uidMappings.isEmpty || gidMappings.isEmpty) {
                problems.add(uidMappings.isEmpty ? "linux.uidMappings" : "linux.gidMappings",
                             "user namespace requires uidMappings and gidMappings")
            }
        } else {
            if !uidMappings.isEmpty {
                problems.add("linux.uidMappings", "requires a user namespace")
            }
            if !gidMappings.isEmpty {
                problems.add("linux.gidMappings", "requires a user namespace")
            }
        }
        validateMappings(uidMappings, "linux.uidMappings", &problems)
        validateMappings(gidMappings, "linux.gidMappings", &problems)
    }

    /// time_namespaces(7): offsets exist for CLOCK_MONOTONIC and CLOCK_BOOTTIME only, and can be
    /// written only to a namespace nobody has entered yet, so a new time namespace is needed.
    private func validateTimeOffsets(_ linux: Linux, _ problems: inout Problems) {
        guard let offsets = linux.timeOffsets, !offsets.isEmpty else { return }
        if !(linux.namespace(.time)?.isNew ?? false) {
            problems.add("linux.timeOffsets", "requires a new time namespace")
        }
        for clock in offsets.keys.sorted() {
            let path = JSONPath.member("linux.timeOffsets", clock)
            if clock != "monotonic" && clock != "boottime" {
                problems.add(path, "unknown clock \(Check.quote(clock)) (expected monotonic or boottime)")
            }
            if let nanosecs = offsets[clock]?.nanosecs, nanosecs >= 1_000_000_000 {
                problems.add("\(path).nanosecs", "must be less than 1000000000, got \(nanosecs)")
            }
        }
    }
}
