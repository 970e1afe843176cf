import OCI

/// config-linux.md "Memory policy": the NUMA memory policy of the container's process, set
/// with set_mempolicy(2). A task's policy is inherited across fork and kept across execve, so
/// it is set by the runtime's child as its last step before it executes swiftlet-init (for
/// `create`: PID 1, and the process it forks; for `exec`: the process itself), after
/// everything it allocates for the setup. runc sets it in its init in both cases too.
enum MemoryPolicy {
    /// What set_mempolicy(2) gets.
    struct Plan: Equatable {
        /// The mode with its MPOL_F_* flags.
        let mode: Int32
        /// The node mask, in unsigned longs (empty: no nodes).
        let nodemask: [UInt]
        /// The mask's size in bits, as the kernel reads it.
        let maxNode: UInt
    }

    /// uapi/linux/mempolicy.h.
    static func mode(_ mode: MemoryPolicyModeType) -> Int32 {
        switch mode {
        case .default: return 0
        case .preferred: return 1
        case .bind: return 2
        case .interleave: return 3
        case .local: return 4
        case .preferredMany: return 5
        case .weightedInterleave: return 6
        }
    }

    static func flag(_ flag: MemoryPolicyFlagType) -> Int32 {
        switch flag {
        case .staticNodes: return 1 << 15
        case .relativeNodes: return 1 << 14
        case .numaBalancing: return 1 << 13
        }
    }

    /// The syscall's arguments. The mask has a spare zero word and maxnode counts every bit
    /// of it: older kernels read one bit fewer than maxnode, newer ones exactly maxnode, and
    /// both then see every node of the list.
    static func plan(_ policy: LinuxMemoryPolicy) throws -> Plan {
        var mode = Self.mode(policy.mode)
        for flag in policy.flags ?? [] { mode |= Self.flag(flag) }
        let nodes = policy.nodes ?? ""
        guard !nodes.isEmpty else { return Plan(mode: mode, nodemask: [], maxNode: 0) }
        guard let ranges = CPUList.parse(nodes), let last = ranges.map(\.upperBound).max(), last < CPUList.maxNodes else {
            throw RuntimeError("linux.memoryPolicy.nodes: invalid node list \"\(nodes)\"", errno: Errno.EINVAL)
        }
        let bits = UInt.bitWidth
        var mask = [UInt](repeating: 0, count: Int(last) / bits + 2)
        for range in ranges {
            for node in range { mask[Int(node) / bits] |= 1 << (UInt(node) % UInt(bits)) }
        }
        return Plan(mode: mode, nodemask: mask, maxNode: UInt(mask.count * bits))
    }

    /// Nodes of the list that are not online on this host (/sys/devices/system/node/online, read
    /// by the runtime before anything is created), so that a typo is an error naming the
    /// field rather than the kernel's bare EINVAL. Empty when the host lists no nodes (no NUMA).
    static func offlineNodes(_ policy: LinuxMemoryPolicy?, online: String?) -> [UInt32] {
        guard let nodes = policy?.nodes, !nodes.isEmpty, let wanted = CPUList.parse(nodes),
              let online, let present = CPUList.parse(online) else { return [] }
        var missing: [UInt32] = []
        for range in wanted {
            for node in range where !present.contains(where: { $0.contains(node) }) {
                missing.append(node)
                if missing.count == 8 { return missing }
            }
        }
        return missing
    }

    /// Refuses nodes that are not online here, before create makes anything.
    static func checkHost(_ policy: LinuxMemoryPolicy?) throws {
        guard let policy else { return }
        let online: String?
        do {
            online = try Sys.readText("/sys/devices/system/node/online").split(separator: "\n").first.map(String.init)
        } catch {
            // A kernel without NUMA has no node directory: set_mempolicy will say what it thinks.
            guard error.errno == Errno.ENOENT else { throw RuntimeError("linux.memoryPolicy", error) }
            online = nil
        }
        let missing = offlineNodes(policy, online: online)
        guard !missing.isEmpty, let online else { return }
        throw RuntimeError("linux.memoryPolicy.nodes: node \(missing.map(String.init).joined(separator: ", ")) "
                           + "not online on this host (online: \(online))", errno: Errno.EINVAL)
    }

    /// Sets the calling thread's policy (the child, right before it executes swiftlet-init).
    static func apply(_ policy: LinuxMemoryPolicy?) throws {
        guard let policy else { return }
        let plan = try plan(policy)
        let what = "\(policy.mode.rawValue)\((policy.flags ?? []).map { "|" + $0.rawValue }.joined())"
            + (policy.nodes.map { " nodes \"\($0)\"" } ?? "")
        try withContext("linux.memoryPolicy") {
            try Sys.setMempolicy(mode: plan.mode, nodemask: plan.nodemask, maxNode: plan.maxNode, display: what)
        }
    }
}
