import OCI
import Testing
@testable import SwiftletCore

/// Capabilities swiftlet knows but the running kernel does not are left out of every set by
/// swiftlet-init (caps.c), never silently: `create` and `exec` warn, naming them
/// (docs/security.md "Capabilities the kernel does not know").
@Suite struct KernelCapabilitiesTests {
    /// Collects what a Runtime warns about.
    final class Warnings {
        var lines: [String] = []
    }

    static func runtime(_ warnings: Warnings) -> Runtime {
        Runtime(root: "/nonexistent-swiftlet-test-root", warn: { warnings.lines.append($0) })
    }

    @Test func namesAboveTheKernelsLastCapability() {
        let caps = LinuxCapabilities(
            bounding: ["CAP_KILL", "CAP_CHECKPOINT_RESTORE", "CAP_BPF", "CAP_PERFMON"],
            effective: ["CAP_CHECKPOINT_RESTORE"], permitted: ["CAP_BPF", "CAP_CHOWN"])
        #expect(KernelCapabilities.unknownToKernel(caps, lastCap: 40) == [])
        #expect(KernelCapabilities.unknownToKernel(caps, lastCap: 39) == ["CAP_CHECKPOINT_RESTORE"])
        #expect(KernelCapabilities.unknownToKernel(caps, lastCap: 37) == ["CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE"])
        // A name swiftlet does not know is an error elsewhere, not part of this list.
        #expect(KernelCapabilities.unknownToKernel(LinuxCapabilities(ambient: ["CAP_NOPE"]), lastCap: 0) == [])
    }

    @Test func warningText() {
        #expect(KernelCapabilities.warning([], lastCap: 39, field: "process.capabilities") == nil)
        #expect(KernelCapabilities.warning(["CAP_CHECKPOINT_RESTORE"], lastCap: 39, field: "process.capabilities")
            == "process.capabilities: CAP_CHECKPOINT_RESTORE not known by the running kernel, whose last capability is 39 (CAP_BPF): left out of every set")
    }

    /// The runtime warns once per command, only when there is something to say.
    @Test func runtimeWarnsThroughItsLogger() {
        let warnings = Warnings()
        let runtime = Self.runtime(warnings)
        let all = Capability.allCases.map(\.name)
        runtime.warnCapabilitiesUnknownToKernel(LinuxCapabilities(bounding: all, effective: all, permitted: all), lastCap: 37)
        #expect(warnings.lines == [
            "process.capabilities: CAP_PERFMON, CAP_BPF, CAP_CHECKPOINT_RESTORE not known by the running kernel, whose last capability is 37 (CAP_AUDIT_READ): left out of every set",
        ])
        warnings.lines = []
        runtime.warnCapabilitiesUnknownToKernel(LinuxCapabilities(bounding: all), lastCap: 40)
        runtime.warnCapabilitiesUnknownToKernel(nil, lastCap: 0)
        // Docker's default list stops well below CAP_AUDIT_READ: the kernel is not even asked.
        runtime.warnCapabilitiesUnknownToKernel(LinuxCapabilities(bounding: ["CAP_CHOWN", "CAP_KILL", "CAP_AUDIT_WRITE"]), lastCap: 0)
        #expect(warnings.lines == [])
    }

    /// This kernel's answer: at least CAP_AUDIT_READ (Linux 3.16), and every capability up to it
    /// is one swiftlet knows by name.
    @Test func runningKernel() throws {
        let last = try #require(KernelCapabilities.lastCap())
        #expect(last >= Capability.auditRead.rawValue && last < 64)
    }
}

/// Capabilities swiftlet does not hold are refused at create (HeldCapabilities), not at start.
@Suite struct HeldCapabilitiesTests {
    /// Every capability but CAP_SYS_RESOURCE (24), as on a host whose bounding set lacks it.
    static let withoutSysResource: UInt64 = 0x1ff_feff_ffff

    @Test func missingFromPermitted() throws {
        let caps = LinuxCapabilities(bounding: ["CAP_SYS_RESOURCE"], effective: ["CAP_KILL"],
                                     permitted: ["CAP_KILL", "CAP_SYS_RESOURCE"])
        let found = try #require(HeldCapabilities.missing(caps, permitted: Self.withoutSysResource, lastCap: 40))
        #expect(found.field == "permitted" && found.names == ["CAP_SYS_RESOURCE"])
    }

    /// The bounding set only drops, and a capability above the kernel's last is left out anyway.
    @Test func boundingAndUnknownToKernelAreFine() {
        let bounding = LinuxCapabilities(bounding: ["CAP_SYS_RESOURCE"], effective: [], permitted: [])
        #expect(HeldCapabilities.missing(bounding, permitted: Self.withoutSysResource, lastCap: 40) == nil)
        let newer = LinuxCapabilities(permitted: ["CAP_CHECKPOINT_RESTORE"])
        #expect(HeldCapabilities.missing(newer, permitted: 0xff_ffff, lastCap: 39) == nil)
    }

    @Test(arguments: ["effective", "inheritable", "ambient"])
    func everySetCounts(set: String) throws {
        var caps = LinuxCapabilities()
        switch set {
        case "effective": caps.effective = ["CAP_SYS_RESOURCE"]
        case "inheritable": caps.inheritable = ["CAP_SYS_RESOURCE"]
        default: caps.ambient = ["CAP_SYS_RESOURCE"]
        }
        #expect(HeldCapabilities.missing(caps, permitted: Self.withoutSysResource, lastCap: 40)?.field == set)
    }
}
