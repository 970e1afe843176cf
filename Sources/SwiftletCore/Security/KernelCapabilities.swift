import OCI

/// Capabilities swiftlet knows by name but the running kernel does not (docs/security.md,
/// "Capabilities the kernel does not know"). A name swiftlet does not know at all is an error
/// (`InitPlan.capabilityMask`); a known one above the kernel's last capability (CAP_BPF and
/// CAP_PERFMON before Linux 5.8, CAP_CHECKPOINT_RESTORE before 5.9) cannot be granted by that
/// kernel, so swiftlet-init leaves it out of every set (caps.c masks it off), which only ever
/// yields fewer privileges, as runc does. `create` and `exec` say so with a warning naming them.
public enum KernelCapabilities {
    /// The kernel's highest capability number, /proc/sys/kernel/cap_last_cap; nil if unreadable.
    public static func lastCap() -> Int32? {
        guard let text = try? Sys.readText("/proc/sys/kernel/cap_last_cap") else { return nil }
        return Int32(text.filter { !$0.isWhitespace })
    }

    /// The capability names of any of the five sets whose number is above `lastCap`, each once,
    /// in capability order. Unknown names are not listed: they are errors elsewhere.
    public static func unknownToKernel(_ caps: LinuxCapabilities, lastCap: Int32) -> [String] {
        let sets = [caps.bounding, caps.effective, caps.permitted, caps.inheritable, caps.ambient]
        let numbers = Set(sets.flatMap { $0 ?? [] }.compactMap { Capability.number(of: $0) })
        return numbers.filter { $0 > lastCap }.sorted().compactMap { Capability(rawValue: $0)?.name }
    }

    /// The warning for `names`, or nil when there are none.
    public static func warning(_ names: [String], lastCap: Int32, field: String) -> String? {
        guard !names.isEmpty else { return nil }
        let last = Capability(rawValue: lastCap).map { " (\($0.name))" } ?? ""
        return "\(field): \(names.joined(separator: ", ")) not known by the running kernel, "
            + "whose last capability is \(lastCap)\(last): left out of every set"
    }
}

extension Runtime {
    /// Warns about the capabilities of `caps` the running kernel does not know (see
    /// `KernelCapabilities`). The kernel is only asked (`lastCap` nil) when `caps` names one
    /// above CAP_AUDIT_READ, the last of Linux 3.16: the common lists never do.
    func warnCapabilitiesUnknownToKernel(_ caps: LinuxCapabilities?, field: String = "process.capabilities",
                                         lastCap: Int32? = nil) {
        guard let caps else { return }
        let sets = [caps.bounding, caps.effective, caps.permitted, caps.inheritable, caps.ambient]
        let highest = sets.flatMap { $0 ?? [] }.compactMap { Capability.number(of: $0) }.max() ?? -1
        guard highest > Capability.auditRead.rawValue,
              let last = lastCap ?? KernelCapabilities.lastCap(),
              let message = KernelCapabilities.warning(KernelCapabilities.unknownToKernel(caps, lastCap: last),
                                                       lastCap: last, field: field)
        else { return }
        warn(message)
    }
}
