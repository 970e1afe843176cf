import OCI

/// Rules about what the container shares with the host: namespaces, the rootfs, mounts,
/// masked and read-only paths.
extension AuditRules {
    /// A namespace type not listed is the host's (config-linux.md "Namespaces").
    static let hostNamespaceRisks: [(LinuxNamespaceType, AuditSeverity, String)] = [
        (.pid, .high, "host processes are visible and, with the same uid, can be signalled and traced"),
        (.network, .high, "the host's interfaces and every service listening on its localhost are reachable"),
        (.mount, .high, "the container's mounts are made in the host's mount namespace (below its rootfs; delete "
            + "removes them), its root is a chroot, which a process with CAP_SYS_CHROOT can leave, and with "
            + "CAP_SYS_ADMIN it can mount over host paths (docs/security.md \"Without a mount namespace\")"),
        (.ipc, .medium, "host System V IPC and POSIX message queues are shared"),
        (.uts, .low, "a hostname change changes the host's"),
    ]

    static func hostNamespaces(_ spec: Spec, _ host: AuditHost) -> [AuditFinding] {
        let listed = Set((spec.linux?.namespaces ?? []).map(\.type))
        return hostNamespaceRisks.filter { !listed.contains($0.0) }.map { type, severity, why in
            AuditFinding(rule: "host-namespace", severity: severity, path: "linux.namespaces",
                         message: "no \(type.rawValue) namespace: the host's is shared", why: why,
                         fix: "add {\"type\": \"\(type.rawValue)\"} to linux.namespaces")
        }
    }

    static func writableRootfs(_ spec: Spec, _ host: AuditHost) -> [AuditFinding] {
        guard spec.root?.readonly != true else { return [] }
        return [AuditFinding(
            rule: "writable-rootfs", severity: .medium, path: "root.readonly",
            message: "the root filesystem is writable",
            why: "an attacker can replace the image's binaries and libraries and persist there",
            fix: "set root.readonly to true and mount a tmpfs where the program writes (/tmp)")]
    }

    /// Host paths whose bind mount hands the container the host: (path, always high, why).
    static let sensitiveSources: [(String, Bool, String)] = [
        ("/", true, "the whole host filesystem"),
        ("/proc", true, "the host's processes, their memory and /proc/sys"),
        ("/sys", false, "the host's kernel and device settings"),
        ("/dev", false, "the host's devices, disks included"),
        ("/var/run/docker.sock", true, "Docker's API: start a privileged container, i.e. root on the host"),
        ("/run/docker.sock", true, "Docker's API: start a privileged container, i.e. root on the host"),
        ("/run/containerd", true, "containerd's API and its containers' state"),
        ("/var/run/containerd", true, "containerd's API and its containers' state"),
        ("/run/crio", true, "CRI-O's API"),
        ("/run/podman", true, "podman's API"),
        ("/var/lib/docker", true, "every container's filesystem"),
        ("/var/lib/kubelet", true, "kubelet credentials and every pod's volumes"),
        ("/etc", false, "host configuration: users, passwords, sudoers, cron"),
        ("/root", true, "root's home: ssh keys and credentials"),
        ("/boot", true, "the host's kernel and boot loader"),
        ("/lib/modules", false, "the host's kernel modules"),
    ]

    static func sensitiveMounts(_ spec: Spec, _ host: AuditHost) -> [AuditFinding] {
        var findings: [AuditFinding] = []
        for (index, mount) in (spec.mounts ?? []).enumerated() where mount.isBind {
            let source = normalized(mount.source ?? "")
            let readonly = (mount.options ?? []).contains("ro")
            guard let hit = sensitiveSources.first(where: { source == $0.0 || ($0.0 != "/" && source.hasPrefix($0.0 + "/")) }) else {
                continue
            }
            let severity: AuditSeverity = hit.1 || !readonly ? .high : .medium
            findings.append(AuditFinding(
                rule: "sensitive-mount", severity: severity, path: "mounts[\(index)].source",
                message: "host \(source) is bind-mounted \(readonly ? "read-only" : "read-write") at \(mount.destination)",
                why: "it exposes \(hit.2)",
                fix: "remove the mount, or bind only the specific file the program needs, read-only"))
        }
        return findings
    }

    /// `/a//b/` → `/a/b`.
    static func normalized(_ path: String) -> String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        return "/" + parts.joined(separator: "/")
    }

    /// The masked paths without which the container reads kernel memory, keys or timing data.
    static let requiredMasked = ["/proc/kcore", "/proc/keys", "/proc/sched_debug", "/proc/timer_list", "/sys/firmware"]
    static let requiredReadonly = ["/proc/sys", "/proc/sysrq-trigger"]

    static func maskedPaths(_ spec: Spec, _ host: AuditHost) -> [AuditFinding] {
        let missing = requiredMasked.filter { !(spec.linux?.maskedPaths ?? []).contains($0) }
        guard !missing.isEmpty else { return [] }
        return [AuditFinding(
            rule: "masked-paths", severity: .medium, path: "linux.maskedPaths",
            message: "not masked: \(missing.joined(separator: ", "))",
            why: "these files leak kernel memory, keyrings, kernel addresses and timing information of the host",
            fix: "add them to linux.maskedPaths (swiftlet spec --hardened's list)")]
    }

    static func readonlyPaths(_ spec: Spec, _ host: AuditHost) -> [AuditFinding] {
        let missing = requiredReadonly.filter { !(spec.linux?.readonlyPaths ?? []).contains($0) }
        guard !missing.isEmpty else { return [] }
        return [AuditFinding(
            rule: "readonly-paths", severity: .medium, path: "linux.readonlyPaths",
            message: "not read-only: \(missing.joined(separator: ", "))",
            why: "writes there change kernel settings, or crash and reboot the host (sysrq-trigger)",
            fix: "add them to linux.readonlyPaths")]
    }
}
