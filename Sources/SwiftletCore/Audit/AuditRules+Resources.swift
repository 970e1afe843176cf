import OCI

/// Rules about limits, sysctls and devices.
extension AuditRules {
    static func memoryLimit(_ spec: Spec, _ host: AuditHost) -> [AuditFinding] {
        guard (spec.linux?.resources?.memory?.limit ?? 0) <= 0 else { return [] }
        return [AuditFinding(
            rule: "memory-limit", severity: .medium, path: "linux.resources.memory.limit",
            message: "no memory limit",
            why: "the container can use all of the host's memory and make the OOM killer pick host processes",
            fix: "set linux.resources.memory.limit (bytes)")]
    }

    static func pidsLimit(_ spec: Spec, _ host: AuditHost) -> [AuditFinding] {
        guard (spec.linux?.resources?.pids?.limit ?? 0) <= 0 else { return [] }
        return [AuditFinding(
            rule: "pids-limit", severity: .medium, path: "linux.resources.pids.limit",
            message: "no pids limit",
            why: "a fork bomb in the container exhausts the host's process table",
            fix: "set linux.resources.pids.limit")]
    }

    /// kernel.* sysctls the IPC namespace isolates (what Docker and Kubernetes call safe).
    static let namespacedKernelSysctls: Set<String> = [
        "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall", "kernel.shmmax",
        "kernel.shmmni", "kernel.shm_rmid_forced", "kernel.domainname", "kernel.hostname",
    ]

    static func sysctls(_ spec: Spec, _ host: AuditHost) -> [AuditFinding] {
        let netNS = spec.linux?.namespaces?.contains { $0.type == .network } ?? false
        var findings: [AuditFinding] = []
        for key in (spec.linux?.sysctl ?? [:]).keys.sorted() {
            let why: String
            if key.hasPrefix("kernel.") && !namespacedKernelSysctls.contains(key) {
                why = "\(key) is not namespaced: it changes the host kernel"
            } else if key.hasPrefix("vm.") || (key.hasPrefix("fs.") && !key.hasPrefix("fs.mqueue.")) {
                why = "\(key) is not namespaced: it changes the host kernel"
            } else if key.hasPrefix("net.") && !netNS {
                why = "without a network namespace, \(key) changes the host's network stack"
            } else {
                continue
            }
            findings.append(AuditFinding(
                rule: "dangerous-sysctl", severity: .high, path: "linux.sysctl[\"\(key)\"]",
                message: "sysctl \(key) is set", why: why,
                fix: "remove it, or set it on the host if the host is meant to have it"))
        }
        return findings
    }

    /// Device nodes that are the host's memory, ports or kernel.
    static let dangerousDevices: [String: String] = [
        "/dev/mem": "physical memory", "/dev/kmem": "kernel memory", "/dev/port": "I/O ports",
        "/dev/kmsg": "the kernel log", "/dev/fuse": "FUSE filesystems (a mount primitive)",
    ]

    static func devices(_ spec: Spec, _ host: AuditHost) -> [AuditFinding] {
        var findings: [AuditFinding] = []
        for (index, device) in (spec.linux?.devices ?? []).enumerated() {
            let what: String
            if let known = dangerousDevices[device.path] {
                what = known
            } else if device.type == "b" {
                what = "a block device: the filesystem on it can be read, written or mounted"
            } else if device.type == "c" && device.major == 1 && [1, 2, 4].contains(device.minor ?? -1) {
                what = "memory or I/O ports (char 1:\(device.minor ?? 0))"
            } else {
                continue
            }
            findings.append(AuditFinding(
                rule: "dangerous-device", severity: .high, path: "linux.devices[\(index)]",
                message: "device \(device.path) is created", why: "it gives access to \(what)",
                fix: "remove the device; pass a file or a volume instead"))
        }
        return findings
    }

    /// An allow rule without type, major and minor (or type "a") allows every device.
    static func deviceCgroup(_ spec: Spec, _ host: AuditHost) -> [AuditFinding] {
        var findings: [AuditFinding] = []
        for (index, rule) in (spec.linux?.resources?.devices ?? []).enumerated() where rule.allow {
            let anyType = rule.type == nil || rule.type == "a"
            guard anyType && rule.major == nil && rule.minor == nil else { continue }
            findings.append(AuditFinding(
                rule: "device-cgroup-allow-all", severity: .high, path: "linux.resources.devices[\(index)]",
                message: "the device cgroup allows every device (\(rule.access ?? "rwm"))",
                why: "with mknod or a mounted /dev the container can open the host's disks and memory",
                fix: "deny all ({\"allow\": false, \"access\": \"rwm\"}) and allow only the devices the program needs"))
        }
        return findings
    }
}
