import FoundationEssentials
import Testing
@testable import OCI

@Suite("Capabilities and rlimits")
struct CapabilityTests {
    @Test("41 capabilities numbered 0...40")
    func capabilityTable() {
        #expect(Capability.allCases.count == 41)
        #expect(Capability.byName.count == 41)
        #expect(Capability.allCases.map(\.rawValue) == Array(0...40))
        #expect(Capability.number(of: "CAP_CHECKPOINT_RESTORE") == 40)
        #expect(Capability.last == .checkpointRestore)
        #expect(Capability.number(of: "CAP_FOO") == nil)
        #expect(Capability.number(of: "cap_chown") == nil)
        #expect(Capability(name: "CAP_SYS_ADMIN") == .sysAdmin)
    }

    @Test("capability numbers", arguments: [
        ("CAP_CHOWN", 0), ("CAP_DAC_OVERRIDE", 1), ("CAP_KILL", 5), ("CAP_SETPCAP", 8), ("CAP_NET_BIND_SERVICE", 10),
        ("CAP_NET_ADMIN", 12), ("CAP_NET_RAW", 13), ("CAP_SYS_CHROOT", 18), ("CAP_SYS_PTRACE", 19), ("CAP_SYS_ADMIN", 21),
        ("CAP_SYS_RESOURCE", 24), ("CAP_MKNOD", 27), ("CAP_AUDIT_WRITE", 29), ("CAP_SETFCAP", 31), ("CAP_MAC_ADMIN", 33),
        ("CAP_SYSLOG", 34), ("CAP_AUDIT_READ", 37), ("CAP_PERFMON", 38), ("CAP_BPF", 39), ("CAP_CHECKPOINT_RESTORE", 40),
    ] as [(String, Int32)])
    func capabilityNumber(_ name: String, _ number: Int32) {
        #expect(Capability.number(of: name) == number)
        #expect(Capability(rawValue: number)?.name == name)
    }

    @Test("16 rlimits numbered 0...15")
    func rlimitTable() {
        #expect(Rlimit.allCases.count == 16)
        #expect(Rlimit.byName.count == 16)
        #expect(Rlimit.allCases.map(\.rawValue) == Array(0...15))
        #expect(Rlimit(name: "RLIMIT_AS") == .addressSpace)
        #expect(Rlimit.number(of: "RLIMIT_FOO") == nil)
    }

    @Test("rlimit numbers", arguments: [
        ("RLIMIT_CPU", 0), ("RLIMIT_FSIZE", 1), ("RLIMIT_DATA", 2), ("RLIMIT_STACK", 3), ("RLIMIT_CORE", 4),
        ("RLIMIT_RSS", 5), ("RLIMIT_NPROC", 6), ("RLIMIT_NOFILE", 7), ("RLIMIT_MEMLOCK", 8), ("RLIMIT_AS", 9),
        ("RLIMIT_LOCKS", 10), ("RLIMIT_SIGPENDING", 11), ("RLIMIT_MSGQUEUE", 12), ("RLIMIT_NICE", 13),
        ("RLIMIT_RTPRIO", 14), ("RLIMIT_RTTIME", 15),
    ] as [(String, Int32)])
    func rlimitNumber(_ name: String, _ number: Int32) {
        #expect(Rlimit.number(of: name) == number)
        #expect(Rlimit(rawValue: number)?.name == name)
    }
}

@Suite("Closed sets")
struct ClosedSetTests {
    @Test("the closed sets have the spec's sizes")
    func sizes() {
        #expect(LinuxNamespaceType.allCases.count == 8)
        #expect(LinuxSeccompAction.allCases.count == 9)
        #expect(Arch.allCases.count == 23)
        #expect(LinuxSeccompFlag.allCases.count == 4)
        #expect(LinuxSeccompOperator.allCases.count == 7)
        #expect(ContainerState.allCases.map(\.rawValue) == ["creating", "created", "running", "stopped", "paused"])
        #expect(LinuxSchedulerPolicy.allCases.count == 7)
        #expect(LinuxSchedulerFlag.allCases.count == 7)
        #expect(IOPriorityClass.allCases.count == 3)
        #expect(MemoryPolicyModeType.allCases.count == 7)
        #expect(MemoryPolicyFlagType.allCases.count == 3)
        #expect(LinuxPersonalityDomain.allCases.count == 2)
        #expect(LinuxPersonalityFlag.allCases.isEmpty)
    }

    @Test("init(validating:path:) names the value and the path")
    func validating() throws {
        #expect(try LinuxNamespaceType(validating: "network", path: "ns") == .network)
        let error = try #require(Fixtures.specError { _ = try LinuxSeccompAction(validating: "SCMP_ACT_X", path: "action") })
        #expect(error.description == #"action: unknown seccomp action "SCMP_ACT_X""#)
        #expect(try Arch(validating: "SCMP_ARCH_X86_64", path: "a") == .x86_64)
    }
}
