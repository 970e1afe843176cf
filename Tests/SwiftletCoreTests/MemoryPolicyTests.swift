import OCI
import Testing
@testable import SwiftletCore

/// config-linux.md "Memory policy" (Security/MemoryPolicy.swift) and config.md
/// execCPUAffinity (Process/ExecAffinity.swift): what the syscalls get.
@Suite struct MemoryPolicyTests {
    @Test(arguments: [
        (LinuxMemoryPolicy(mode: .bind, nodes: "0"), 2, [UInt(1), 0], UInt(128)),
        (LinuxMemoryPolicy(mode: .interleave, nodes: "0-2,65"), 3, [UInt(7), 2, 0], UInt(192)),
        (LinuxMemoryPolicy(mode: .preferred, nodes: "1", flags: [.staticNodes]), 1 | 1 << 15, [UInt(2), 0], UInt(128)),
        (LinuxMemoryPolicy(mode: .bind, nodes: "3", flags: [.numaBalancing]), 2 | 1 << 13, [UInt(8), 0], UInt(128)),
        (LinuxMemoryPolicy(mode: .weightedInterleave, nodes: "0", flags: [.relativeNodes]), 6 | 1 << 14, [UInt(1), 0], UInt(128)),
        (LinuxMemoryPolicy(mode: .preferredMany, nodes: "0"), 5, [UInt(1), 0], UInt(128)),
        (LinuxMemoryPolicy(mode: .local), 4, [], UInt(0)),
        (LinuxMemoryPolicy(mode: .default), 0, [], UInt(0)),
    ] as [(LinuxMemoryPolicy, Int32, [UInt], UInt)])
    func plan(policy: LinuxMemoryPolicy, mode: Int32, mask: [UInt], maxNode: UInt) throws {
        #expect(try MemoryPolicy.plan(policy) == MemoryPolicy.Plan(mode: mode, nodemask: mask, maxNode: maxNode))
    }

    @Test(arguments: [
        ("0", "0", [UInt32]()), ("1", "0", [1]), ("0-3", "0-1", [2, 3]), ("0,7", "0-1,7", []),
        ("0-20", "0", [1, 2, 3, 4, 5, 6, 7, 8]),
    ] as [(String, String, [UInt32])])
    func offlineNodes(nodes: String, online: String, missing: [UInt32]) {
        #expect(MemoryPolicy.offlineNodes(LinuxMemoryPolicy(mode: .bind, nodes: nodes), online: online) == missing)
    }

    /// Without the host's list (no NUMA) or without nodes nothing is judged here.
    @Test func noListNoJudgement() {
        #expect(MemoryPolicy.offlineNodes(LinuxMemoryPolicy(mode: .bind, nodes: "5"), online: nil) == [])
        #expect(MemoryPolicy.offlineNodes(LinuxMemoryPolicy(mode: .local), online: "0") == [])
        #expect(MemoryPolicy.offlineNodes(nil, online: "0") == [])
    }

    @Test(arguments: [
        (CPUAffinity?.none, nil, ExecAffinity.everyCPU),
        (CPUAffinity(), nil, ExecAffinity.everyCPU),
        (CPUAffinity(final: "1"), nil, [2, 0, 0, 0, 0, 0, 0, 0]),
        (CPUAffinity(initial: "0", final: "1"), [1, 0, 0, 0, 0, 0, 0, 0], [2, 0, 0, 0, 0, 0, 0, 0]),
        (CPUAffinity(initial: "0-2"), [7, 0, 0, 0, 0, 0, 0, 0], nil),
        (CPUAffinity(final: "0,64"), nil, [1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]),
    ] as [(CPUAffinity?, [UInt8]?, [UInt8]?)])
    func execAffinity(affinity: CPUAffinity?, initial: [UInt8]?, final: [UInt8]?) throws {
        #expect(try ExecAffinity.masks(affinity) == ExecAffinity.Masks(initial: initial, final: final))
    }

    @Test func everyCPUCoversTheKernelLimit() {
        #expect(ExecAffinity.everyCPU.count * 8 == Int(CPUList.maxCPUs))
    }
}
