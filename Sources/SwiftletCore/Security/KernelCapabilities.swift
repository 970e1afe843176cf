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

/// Capabilities swiftlet itself does not hold. Without a user namespace the process gets its
/// capabilities from swiftlet's (capset can only keep or drop what the caller has): one the
/// host withheld from swiftlet (Docker 20.10's --privileged asks for every capability it knows,
/// and these hosts' bounding set lacks CAP_SYS_RESOURCE) would make the process's capset fail
/// at `start`. runc fails at `create`, which an engine cleans up after; so does swiftlet now.
/// The bounding set is left out (dropping a capability one lacks is no error), and so are
/// capabilities the kernel does not know (left out with a warning, above); in a user namespace
/// the process's root has every capability of its namespace, and nothing is checked.
public enum HeldCapabilities {
    /// `field` and the names missing from `permitted`, for the first set that names any;
    /// nil when every set is covered.
    public static func missing(_ caps: LinuxCapabilities, permitted: UInt64, lastCap: Int32) -> (field: String, names: [String])? {
        let sets: [(String, [String]?)] = [("effective", caps.effective), ("permitted", caps.permitted),
                                           ("inheritable", caps.inheritable), ("ambient", caps.ambient)]
        for (name, list) in sets {
            let lacking = (list ?? []).compactMap(Capability.number(of:)).filter { number in
                number <= lastCap && number < 64 && permitted & (UInt64(1) << UInt64(number)) == 0
            }
            let names = Set(lacking).sorted().compactMap { Capability(rawValue: $0)?.name }
            if !names.isEmpty { return (name, names) }
        }
        return nil
    }
}

extension Runtime {
    /// Refuses capabilities swiftlet does not hold (see `HeldCapabilities`), naming the set.
    func refuseCapabilitiesNotHeld(_ caps: LinuxCapabilities?, userNamespace: Bool, field: String = "process.capabilities") throws {
        guard let caps, !userNamespace else { return }
        let permitted = try withContext("\(field): read swiftlet's own capabilities") { try Sys.permittedCapabilities() }
        guard let (set, names) = HeldCapabilities.missing(caps, permitted: permitted, lastCap: KernelCapabilities.lastCap() ?? 63)
        else { return }
        throw RuntimeError("\(field).\(set): \(names.joined(separator: ", ")) not held by swiftlet itself "
            + "(the host withheld it: not in the runtime's permitted set), so the process cannot be given it",
            errno: Errno.EPERM)
    }
}
