import OCI

/// Rules about the process: capabilities, seccomp, AppArmor, no_new_privs, the user.
extension AuditRules {
    /// Capabilities that each, alone, have been used to leave a container or take the host.
    static let dangerous: [String: String] = [
        "CAP_SYS_ADMIN": "mount filesystems, load BPF, use most namespace and device operations: the classic escape (release_agent, mounting the host's disks)",
        "CAP_SYS_PTRACE": "trace and inject code into any process it can see, and read their memory",
        "CAP_SYS_MODULE": "load kernel modules: arbitrary code in the host kernel",
        "CAP_NET_ADMIN": "reconfigure the network stack, firewall and interfaces of its network namespace (the host's if shared)",
        "CAP_DAC_READ_SEARCH": "open_by_handle_at: read any file of the host filesystem by handle (the 'shocker' escape)",
        "CAP_SYS_RAWIO": "raw I/O ports and /dev/mem-style device access",
        "CAP_BPF": "load BPF programs into the kernel",
        "CAP_PERFMON": "perf events: kernel addresses and side channels",
        "CAP_SYS_BOOT": "reboot the host or load a new kernel (kexec)",
        "CAP_SYS_TIME": "set the host's clock (not namespaced)",
        "CAP_MAC_ADMIN": "change the LSM policy that confines the container",
        "CAP_MAC_OVERRIDE": "bypass the LSM policy",
        "CAP_SYSLOG": "read and clear the kernel log (kernel addresses)",
        "CAP_DAC_OVERRIDE": "ignore file permissions on every file it can reach",
        "CAP_SETFCAP": "grant file capabilities, a way back to capabilities after they were dropped",
        "CAP_NET_RAW": "raw sockets: spoofed packets, ARP and DNS spoofing on the container network",
        "CAP_SYS_NICE": "starve the host's processes of CPU and memory bandwidth",
        "CAP_SYS_RESOURCE": "raise limits past what the host set",
        "CAP_LINUX_IMMUTABLE": "change immutable and append-only files",
        "CAP_AUDIT_CONTROL": "change the host's audit rules",
        "CAP_MKNOD": "create device nodes",
    ]
    /// The ones that are a direct escape or host takeover: high; the others medium.
    static let highCapabilities: Set<String> = [
        "CAP_SYS_ADMIN", "CAP_SYS_PTRACE", "CAP_SYS_MODULE", "CAP_NET_ADMIN", "CAP_DAC_READ_SEARCH", "CAP_SYS_RAWIO",
        "CAP_BPF", "CAP_SYS_BOOT", "CAP_MAC_ADMIN", "CAP_MAC_OVERRIDE", "CAP_SYS_TIME",
    ]

    /// The capability sets with their JSON names, effective first (what the process can use now).
    static func capabilitySets(_ caps: LinuxCapabilities?) -> [(String, [String])] {
        guard let caps else { return [] }
        return [("effective", caps.effective), ("permitted", caps.permitted), ("ambient", caps.ambient),
                ("inheritable", caps.inheritable), ("bounding", caps.bounding)].compactMap { name, set in
            set.map { (name, $0) }
        }
    }

    /// A bounding set with every capability: `--privileged` in all but name.
    static func privileged(_ spec: Spec, _ host: AuditHost) -> [AuditFinding] {
        let bounding = Set(spec.process?.capabilities?.bounding ?? [])
        let all = Set(Capability.allCases.map(\.name))
        guard all.isSubset(of: bounding) else { return [] }
        return [AuditFinding(
            rule: "privileged", severity: .high, path: "process.capabilities.bounding",
            message: "every capability (\(all.count)) is in the bounding set: a privileged-like container",
            why: "with every capability, root in the container is root on the host for most purposes: it can mount the host's disks, load modules and trace host processes",
            fix: "drop everything and add back only what the program needs (`swiftlet spec --hardened --cap CAP`)")]
    }

    /// Each dangerous capability once, at its first set (effective, permitted, ambient, inheritable, bounding).
    static func dangerousCapabilities(_ spec: Spec, _ host: AuditHost) -> [AuditFinding] {
        var seen: Set<String> = []
        var findings: [AuditFinding] = []
        for (set, names) in capabilitySets(spec.process?.capabilities) {
            for (index, name) in names.enumerated() where dangerous[name] != nil && !seen.contains(name) {
                seen.insert(name)
                findings.append(AuditFinding(
                    rule: "dangerous-capability", severity: highCapabilities.contains(name) ? .high : .medium,
                    path: "process.capabilities.\(set)[\(index)]", message: "\(name) is granted",
                    why: "\(name) lets the process \(dangerous[name] ?? "")",
                    fix: "remove \(name) from every capability set unless the program cannot work without it"))
            }
        }
        return findings
    }

    static func seccomp(_ spec: Spec, _ host: AuditHost) -> [AuditFinding] {
        guard let seccomp = spec.linux?.seccomp else {
            return [AuditFinding(
                rule: "seccomp-missing", severity: .high, path: "linux.seccomp",
                message: "no seccomp profile",
                why: "every syscall reaches the kernel, including the rarely used ones most kernel exploits go through (keyctl, bpf, userfaultfd, new mount API)",
                fix: "use a default-deny profile: `swiftlet spec --hardened`'s, or record one with `swiftlet run --seccomp-record FILE`")]
        }
        guard seccomp.defaultAction == .allow || seccomp.defaultAction == .log else { return [] }
        return [AuditFinding(
            rule: "seccomp-allow-default", severity: .high, path: "linux.seccomp.defaultAction",
            message: "the seccomp profile allows by default (\(seccomp.defaultAction.rawValue))",
            why: "a deny-list only blocks the syscalls someone thought of; new syscalls and forgotten ones reach the kernel",
            fix: "set defaultAction to SCMP_ACT_ERRNO and list the allowed syscalls (an allow-list)")]
    }

    static func appArmor(_ spec: Spec, _ host: AuditHost) -> [AuditFinding] {
        guard host.appArmor else { return [] }
        let profile = spec.process?.apparmorProfile ?? ""
        guard profile.isEmpty || profile == "unconfined" else { return [] }
        return [AuditFinding(
            rule: "apparmor-unconfined", severity: .medium, path: "process.apparmorProfile",
            message: profile.isEmpty ? "no AppArmor profile on a host with AppArmor" : "AppArmor profile \"unconfined\"",
            why: "AppArmor would deny mount, writes to /proc/sys and /sys and ptrace even if another layer fails",
            fix: "set process.apparmorProfile to a loaded profile (swiftlet-default, docker-default)")]
    }

    static func noNewPrivileges(_ spec: Spec, _ host: AuditHost) -> [AuditFinding] {
        guard spec.process != nil, spec.process?.noNewPrivileges != true else { return [] }
        return [AuditFinding(
            rule: "no-new-privileges", severity: .medium, path: "process.noNewPrivileges",
            message: "no_new_privs is off",
            why: "setuid and file-capability binaries in the image can raise the process's privileges again",
            fix: "set process.noNewPrivileges to true")]
    }

    static func rootWithoutUserNamespace(_ spec: Spec, _ host: AuditHost) -> [AuditFinding] {
        guard let user = spec.process?.user, user.uid == 0 else { return [] }
        let userNS = spec.linux?.namespaces?.contains { $0.type == .user } ?? false
        guard !userNS else { return [] }
        return [AuditFinding(
            rule: "root-without-userns", severity: .high, path: "process.user.uid",
            message: "the process runs as root (uid 0) without a user namespace",
            why: "root in the container is uid 0 on the host: any escape, or any host file it can reach, is root's",
            fix: "add a user namespace mapping root to an unprivileged host range (linux.uidMappings/gidMappings) and/or run as a non-root uid")]
    }
}
