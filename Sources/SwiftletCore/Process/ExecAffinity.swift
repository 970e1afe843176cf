import OCI

/// config.md "Linux Process" `execCPUAffinity`, for a process joining a running container
/// (`exec`; "not applicable to the container's init process"), with runc's semantics:
///  - `initial`: the CPUs the runtime's process that joins the container runs on before it
///    moves into the container's cgroup. `exec` sets it on itself right before the clone, so
///    the child starts on them; joining a cpuset cgroup may replace it (the kernel sets the
///    cgroup's CPUs on the moving task).
///  - `final`: the affinity once in the cgroup: swiftlet-init applies it right before the
///    seccomp filter and execve (SWL_P_CPU_AFFINITY).
///  - neither: the affinity is reset to every CPU (the kernel keeps only those the cgroup
///    allows), so the process does not inherit the CPUs `exec` was started on (a shim pinned
///    to one CPU), as runc 1.2 does. With `initial` alone the final affinity is the kernel's.
enum ExecAffinity {
    struct Masks: Equatable {
        var initial: [UInt8]?
        var final: [UInt8]?
    }

    /// Every CPU the kernel can have (CONFIG_NR_CPUS at most 8192).
    static let everyCPU = [UInt8](repeating: 0xFF, count: Int(CPUList.maxCPUs) / 8)

    static func masks(_ affinity: CPUAffinity?) throws -> Masks {
        let initial = try affinity?.initial.map { try mask($0, field: "process.execCPUAffinity.initial") }
        let final = try affinity?.final.map { try mask($0, field: "process.execCPUAffinity.final") }
        if initial == nil && final == nil { return Masks(initial: nil, final: everyCPU) }
        return Masks(initial: initial, final: final)
    }

    /// A cpu_set_t's bytes for a CPU list (whole 64-bit words, as the kernel's masks are).
    static func mask(_ list: String, field: String) throws -> [UInt8] {
        guard let ranges = CPUList.parse(list), let last = ranges.map(\.upperBound).max(), last < CPUList.maxCPUs else {
            throw RuntimeError("\(field): invalid CPU list \"\(list)\"", errno: Errno.EINVAL)
        }
        var bytes = [UInt8](repeating: 0, count: (Int(last) / 64 + 1) * 8)
        for range in ranges {
            for cpu in range { bytes[Int(cpu) / 8] |= 1 << (cpu % 8) }
        }
        return bytes
    }
}
