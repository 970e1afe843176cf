import CLibseccomp
import OCI

extension Runtime {
    /// `features`: what this swiftlet implements (runtime-spec features.md and
    /// features-linux.md), derived from the code's own tables wherever one exists, so the
    /// answer cannot drift from what `create` really accepts:
    ///  - hooks: the hook lists of `Hooks`; mount options: `MountOptions`' flag, propagation
    ///    and recursive-attribute tables (filesystem data such as `mode=755` is passed through
    ///    and cannot be listed; `copy-symlink`... are refused, so absent);
    ///  - id-mapped mounts (`idmap`, `ridmap`, `mounts[].uidMappings`): Rootfs/IdmappedMounts.swift;
    ///  - namespaces and capabilities: every name the OCI module recognises (the spec asks for
    ///    recognised names, "including [those] that might not be supported by the host");
    ///  - seccomp: each action, operator, architecture and flag is listed only when the
    ///    runtime's compiler accepts a filter using it (with this libseccomp), and the whole
    ///    section says `enabled: false` while the compiler refuses every filter;
    ///  - AppArmor and SELinux: the runtime's implementation (swiftlet-init applies both
    ///    labels), which the spec defines as independent of the host; a label the host cannot
    ///    apply is refused by `create`;
    ///  - memory policies: every mode and flag of config-linux.md "Memory policy" (set_mempolicy(2),
    ///    Security/MemoryPolicy.swift); a kernel without NUMA refuses them at create;
    ///  - network devices (`linux.netDevices`): Namespaces/NetDevices.swift;
    ///  - Intel RDT (`linux.intelRdt`, with `schemata` and `enableMonitoring`): Resctrl/IntelRdt.swift;
    ///    a host without a resctrl mount refuses it at create;
    ///  - what swiftlet does not implement is `enabled: false`: systemd cgroups.
    ///  - annotations: the version and commit `--version` prints (BuildInfo), as runc's
    ///    `org.opencontainers.runc.version`/`.commit`, and the libseccomp version.
    public static func features(version: String = BuildInfo.version, commit: String = BuildInfo.commit) -> Features {
        let seccomp = seccompFeatures()
        // run.swiftlet.checkpoint: the commands beyond the runtime-spec's that swiftlet has
        // (checkpoint and restore through CRIU's CLI, docs/checkpoint.md); whether CRIU works on
        // this kernel is `criu check`'s answer, given by the commands themselves.
        let annotations = ["run.swiftlet.version": version, "run.swiftlet.commit": commit,
                           "io.github.seccomp.libseccomp.version": BuildInfo.libseccomp,
                           "run.swiftlet.checkpoint": "criu"]
        let linux = Features.Linux(
            namespaces: LinuxNamespaceType.allCases.map(\.rawValue).sorted(),
            capabilities: Capability.allCases.map(\.name),
            cgroup: Features.Cgroup(v1: true, v2: true, systemd: false, systemdUser: false, rdma: true),
            seccomp: seccomp,
            apparmor: Features.Apparmor(enabled: true),
            selinux: Features.Selinux(enabled: true),
            intelRdt: Features.IntelRdt(enabled: true, schemata: true, monitoring: true),
            memoryPolicy: Features.MemoryPolicy(modes: MemoryPolicyModeType.allCases.map(\.rawValue).sorted(),
                                                flags: MemoryPolicyFlagType.allCases.map(\.rawValue).sorted()),
            mountExtensions: Features.MountExtensions(idmap: Features.IDMap(enabled: true)),
            netDevices: Features.NetDevices(enabled: true))
        return Features(
            ociVersionMin: OCIVersion.minimum, ociVersionMax: OCIVersion.current,
            hooks: Hooks().all.map(\.name),
            mountOptions: mountOptionNames(),
            linux: linux,
            annotations: annotations,
            // Changes how the container's process runs (no swiftlet-init as PID 1); replaces
            // linux.seccomp by the recorder's filter and writes a file into the bundle.
            potentiallyUnsafeConfigAnnotations: [noInitAnnotation, SeccompRecorder.annotation])
    }

    /// Every option name `MountOptions` turns into a mount flag, propagation or attribute.
    static func mountOptionNames() -> [String] {
        let names = Set(MountOptions.setFlags.keys).union(MountOptions.clearFlags.keys)
            .union(MountOptions.propagationFlags.keys).union(MountOptions.recursiveAttributes.keys).union(["tmpcopyup"])
            .union(MountOptions.idmapOptions.keys)
        return names.sorted()
    }

    /// The seccomp section, by asking the compiler about each name (a few milliseconds).
    static func seccompFeatures() -> Features.Seccomp {
        func compiles(_ seccomp: LinuxSeccomp) -> Bool {
            do { return try SeccompCompiler.compile(seccomp) != nil } catch { return false }
        }
        guard compiles(LinuxSeccomp(defaultAction: .allow)) else {
            return Features.Seccomp(enabled: false, actions: [], operators: [], archs: [], knownFlags: [], supportedFlags: [])
        }
        let actions = LinuxSeccompAction.allCases.filter { action in
            compiles(LinuxSeccomp(defaultAction: .allow, listenerPath: action == .notify ? "/features-probe" : nil,
                                  syscalls: [LinuxSyscall(names: ["getcwd"], action: action)]))
        }
        let operators = LinuxSeccompOperator.allCases.filter { op in
            compiles(LinuxSeccomp(defaultAction: .allow, syscalls: [
                LinuxSyscall(names: ["getcwd"], action: .errno, args: [LinuxSeccompArg(index: 1, value: 1, valueTwo: 1, op: op)]),
            ]))
        }
        let archs = Arch.allCases.filter { compiles(LinuxSeccomp(defaultAction: .allow, architectures: [$0])) }
        let flags = LinuxSeccompFlag.allCases.filter { compiles(LinuxSeccomp(defaultAction: .allow, flags: [$0])) }
        return Features.Seccomp(enabled: true, actions: actions.map(\.rawValue).sorted(),
                                operators: operators.map(\.rawValue).sorted(), archs: archs.map(\.rawValue).sorted(),
                                knownFlags: LinuxSeccompFlag.allCases.map(\.rawValue).sorted(),
                                supportedFlags: flags.map(\.rawValue).sorted())
    }
}
