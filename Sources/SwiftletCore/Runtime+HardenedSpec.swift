import OCI

extension Runtime {
    /// The user namespace of `spec --hardened`: container root is host uid/gid 100000, and the
    /// whole container lives in 100000-165535, ids no host account uses.
    public static let hardenedHostID: UInt32 = 100_000
    public static let hardenedIDCount: UInt32 = 65_536
    /// The process's user inside the container (host 101000).
    public static let hardenedUser: UInt32 = 1000
    public static let hardenedMemoryLimit: Int64 = 256 * 1024 * 1024
    public static let hardenedPidsLimit: Int64 = 512

    /// Docker's masked paths (runtime-spec config-linux.md "Masked Paths"): kernel memory,
    /// keys, timing side channels, firmware and power-capping (energy side channel) files.
    public static let hardenedMaskedPaths = [
        "/proc/acpi", "/proc/asound", "/proc/interrupts", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
        "/proc/sched_debug", "/proc/scsi", "/proc/timer_list", "/proc/timer_stats", "/sys/devices/virtual/powercap",
        "/sys/firmware",
    ]
    /// config-linux.md "Readonly Paths".
    public static let hardenedReadonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]

    /// `spec --hardened [--cap CAP]...`: the seed talk's advice as a config.json that still runs
    /// the busybox demo (`sh -c 'id; echo hello'`): read-only rootfs with a tmpfs /tmp, only the
    /// given capabilities (none by default), noNewPrivileges, a default-deny seccomp profile,
    /// every namespace including user and cgroup (root inside is host uid 100000, the process
    /// runs as uid 1000), masked and read-only /proc and /sys paths, memory and pids limits, no
    /// cgroupfs mount and no device but the default ones; on a host with AppArmor, the
    /// `swiftlet-default` profile (generated and loaded by `create` if missing).
    /// docs/hardening.md walks through it.
    public static func hardenedSpec(capabilities caps: [String] = [], appArmor: Bool = false) -> Spec {
        let process = Process(
            terminal: false, args: ["sh", "-c", "id; echo hello"],
            env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/tmp"],
            cwd: "/", user: User(uid: hardenedUser, gid: hardenedUser),
            // A non-root user keeps capabilities only through the ambient set (which needs
            // them inheritable and permitted too).
            capabilities: LinuxCapabilities(bounding: caps, effective: caps, inheritable: caps, permitted: caps, ambient: caps),
            rlimits: [POSIXRlimit(type: "RLIMIT_NOFILE", hard: 1024, soft: 1024),
                      POSIXRlimit(type: "RLIMIT_CORE", hard: 0, soft: 0)],
            noNewPrivileges: true,
            apparmorProfile: appArmor ? AppArmorDefault.name : nil)
        let mounts = [
            Mount(destination: "/proc", type: "proc", source: "proc", options: ["nosuid", "noexec", "nodev"]),
            Mount(destination: "/dev", type: "tmpfs", source: "tmpfs",
                  options: ["nosuid", "noexec", "strictatime", "mode=755", "size=65536k"]),
            Mount(destination: "/dev/pts", type: "devpts", source: "devpts",
                  options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]),
            Mount(destination: "/dev/shm", type: "tmpfs", source: "shm",
                  options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]),
            Mount(destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"]),
            Mount(destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"]),
            Mount(destination: "/tmp", type: "tmpfs", source: "tmpfs",
                  options: ["nosuid", "nodev", "noexec", "mode=1777", "size=65536k"]),
        ]
        let map = [LinuxIDMapping(containerID: 0, hostID: hardenedHostID, size: hardenedIDCount)]
        let linux = OCI.Linux(
            uidMappings: map, gidMappings: map,
            resources: LinuxResources(devices: [LinuxDeviceCgroup(allow: false, access: "rwm")],
                                      memory: LinuxMemory(limit: hardenedMemoryLimit),
                                      pids: LinuxPids(limit: hardenedPidsLimit)),
            namespaces: [LinuxNamespaceType.pid, .network, .ipc, .uts, .mount, .user, .cgroup].map { LinuxNamespace(type: $0) },
            seccomp: HardenedSeccomp.profile(capabilities: caps),
            maskedPaths: hardenedMaskedPaths, readonlyPaths: hardenedReadonlyPaths)
        return Spec(ociVersion: ociVersion, process: process, root: Root(path: "rootfs", readonly: true),
                    hostname: "swiftlet", mounts: mounts, linux: linux)
    }

    /// `--cap` values: CAP_ names (or without the prefix), known to this runtime, no duplicates.
    public static func hardenedCapabilities(_ values: [String]) throws -> [String] {
        var result: [String] = []
        for value in values {
            let name = value.uppercased().hasPrefix("CAP_") ? value.uppercased() : "CAP_" + value.uppercased()
            guard Capability(name: name) != nil else { throw RuntimeError("--cap \(value): unknown capability") }
            if !result.contains(name) { result.append(name) }
        }
        return result
    }
}
