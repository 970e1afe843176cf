import OCI

/// `spec --hardened`'s seccomp profile (runtime-spec config-linux.md "Seccomp"): default
/// action SCMP_ACT_ERRNO with EPERM, and the allow-list of HardenedSeccompAllowList, widened
/// by the syscalls each granted capability is the permission for (as Docker's profile does).
public enum HardenedSeccomp {
    /// The architectures of the host's ABI family: the native one and its compat modes.
    public static var hostArchitectures: [Arch] {
        #if arch(x86_64)
        return [.x86_64, .x86, .x32]
        #elseif arch(arm64)
        return [.aarch64, .arm]
        #else
        return []
        #endif
    }

    public static func profile(capabilities: [String]) -> LinuxSeccomp {
        let granted = Set(capabilities)
        var names = Set(HardenedSeccompAllowList.always)
        for cap in granted { names.formUnion(HardenedSeccompAllowList.byCapability[cap] ?? []) }
        let admin = granted.contains("CAP_SYS_ADMIN")
        var syscalls = [LinuxSyscall(names: names.sorted(), action: .allow)]
        for value in HardenedSeccompAllowList.personalities {
            syscalls.append(LinuxSyscall(names: ["personality"], action: .allow,
                                         args: [LinuxSeccompArg(index: 0, value: value, op: .equalTo)]))
        }
        syscalls.append(LinuxSyscall(names: ["socket"], action: .allow,
                                     args: [LinuxSeccompArg(index: 0, value: HardenedSeccompAllowList.vsockFamily, op: .notEqual)]))
        if !admin {
            syscalls.append(LinuxSyscall(names: ["clone"], action: .allow, args: [
                LinuxSeccompArg(index: 0, value: HardenedSeccompAllowList.cloneNamespaceFlags, valueTwo: 0, op: .maskedEqual),
            ]))
            syscalls.append(LinuxSyscall(names: ["clone3"], action: .errno, errnoRet: HardenedSeccompAllowList.clone3Errno))
        }
        return LinuxSeccomp(defaultAction: .errno, defaultErrnoRet: SeccompTables.defaultErrno,
                            architectures: hostArchitectures, syscalls: syscalls)
    }
}
