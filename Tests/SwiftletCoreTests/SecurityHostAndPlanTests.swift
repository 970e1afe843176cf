import CSwiftlet
import FoundationEssentials
import OCI
import Testing
@testable import SwiftletCore

/// LSM checks at create time, and the security records of the init plan (scheduler, I/O
/// priority, personality, seccomp, the notify listener).
@Suite struct SecurityHostAndPlanTests {
    static let none = HostSecurity(appArmor: false, selinux: false)
    static let both = HostSecurity(appArmor: true, selinux: true)

    static func checkError(_ host: HostSecurity, _ process: Process?, _ linux: OCI.Linux? = nil) -> SpecError? {
        do throws(SpecError) {
            try host.check(process: process, linux: linux, debug: { _ in })
            return nil
        } catch {
            return error
        }
    }

    @Test func appArmorProfileNeedsAppArmor() {
        let process = Process(args: ["sh"], apparmorProfile: "docker-default")
        let error = Self.checkError(Self.none, process)
        #expect(error?.path == "process.apparmorProfile")
        #expect(error?.message.contains("AppArmor is not enabled on this host") == true)
        #expect(Self.checkError(HostSecurity(appArmor: true, selinux: false), process) == nil)
        #expect(Self.checkError(Self.none, Process(args: ["sh"], apparmorProfile: "")) == nil)
    }

    @Test func appArmorProfileMustBeLoaded() {
        let loaded = HostSecurity.profileNames("docker-default (enforce)\nswc-test (complain)\nparent//child (enforce)\n")
        #expect(loaded == ["docker-default", "swc-test", "parent//child"])
        let host = HostSecurity(appArmor: true, selinux: false, appArmorProfiles: loaded)
        let error = Self.checkError(host, Process(args: ["sh"], apparmorProfile: "not-there"))
        #expect(error?.path == "process.apparmorProfile")
        #expect(error?.message == "AppArmor profile \"not-there\" is not loaded (not in /sys/kernel/security/apparmor/profiles)")
        // swiftlet-default is loaded on demand by PreparedSecurity (AppArmorDefault), not required here.
        for ok in ["docker-default", "swc-test", "parent//child", "unconfined", ":ns:other", "a//&b", AppArmorDefault.name] {
            #expect(Self.checkError(host, Process(args: ["sh"], apparmorProfile: ok)) == nil)
        }
    }

    @Test func selinuxLabelNeedsSELinux() {
        let process = Process(args: ["sh"], selinuxLabel: "system_u:system_r:container_t:s0")
        #expect(Self.checkError(Self.none, process)?.path == "process.selinuxLabel")
        #expect(Self.checkError(HostSecurity(appArmor: false, selinux: true), process) == nil)
    }

    @Test func mountLabelIgnoredWithoutSELinuxAppliedWithIt() throws {
        var lines: [String] = []
        let linux = OCI.Linux(mountLabel: "system_u:object_r:container_file_t:s0")
        try Self.none.check(process: nil, linux: linux, debug: { lines.append($0) })
        #expect(lines.count == 1 && lines[0].hasPrefix("linux.mountLabel: SELinux is not enabled"))
        #expect(Self.checkError(Self.both, nil, linux) == nil)
        #expect(Self.checkError(Self.both, nil, OCI.Linux(mountLabel: "a\"b"))?.path == "linux.mountLabel")
        // Only a host with SELinux hands the label to the mounts.
        #expect(Self.none.mountLabel(linux) == nil)
        #expect(Self.both.mountLabel(linux) == "system_u:object_r:container_file_t:s0")
        #expect(Self.both.mountLabel(OCI.Linux(mountLabel: "")) == nil)
    }

    @Test func mountLabelGoesIntoFilesystemMountData() {
        let label = "system_u:object_r:container_file_t:s0:c1,c2"
        #expect(MountPerformer.labeled(["mode=755"], type: "tmpfs", label: label) == ["mode=755", "context=\"\(label)\""])
        #expect(MountPerformer.labeled([], type: "devpts", label: label) == ["context=\"\(label)\""])
        for type in ["proc", "sysfs", "mqueue"] {
            #expect(MountPerformer.labeled([], type: type, label: label) == [])
        }
        #expect(MountPerformer.labeled(["context=\"x\""], type: "tmpfs", label: label) == ["context=\"x\""])
        #expect(MountPerformer.labeled(["size=1m"], type: "tmpfs", label: nil) == ["size=1m"])
    }

    @Test func probeReadsTheHost() {
        // Whatever this host has, the probe agrees with the files it looks at.
        let host = HostSecurity.probe()
        #expect(host.selinux == Sys.exists("/sys/fs/selinux/enforce"))
        if !Sys.exists("/sys/module/apparmor/parameters/enabled") { #expect(!host.appArmor) }
    }

    @Test func probeForASpecWithoutLabelsLooksAtNothing() {
        // No label asked for: nothing of the host matters, so nothing is probed.
        let plain = Spec(process: Process(args: ["sh"]))
        #expect(HostSecurity.probe(for: plain) == Self.none)
        // Any label asked for: the real probe, whose answer `check` then judges.
        var profile = Process(args: ["sh"])
        profile.apparmorProfile = "swc-test"
        #expect(HostSecurity.probe(for: Spec(process: profile)) == HostSecurity.probe())
        var selinux = Process(args: ["sh"])
        selinux.selinuxLabel = "system_u:system_r:container_t:s0"
        #expect(HostSecurity.probe(for: Spec(process: selinux)) == HostSecurity.probe())
        var linux = OCI.Linux()
        linux.mountLabel = "system_u:object_r:container_file_t:s0"
        #expect(HostSecurity.probe(for: Spec(process: Process(args: ["sh"]), linux: linux)) == HostSecurity.probe())
    }

    // MARK: plan records

    @Test func schedulerIoPriorityAndPersonality() throws {
        var process = Process(args: ["sh"])
        process.scheduler = Scheduler(policy: .deadline, nice: -3, priority: 0, flags: [.resetOnFork, .reclaim],
                                      runtime: 10, deadline: 20, period: 30)
        process.ioPriority = LinuxIOPriority(class: .idle, priority: 7)
        var plan = InitPlan(mode: SWL_MODE_SUPERVISE)
        try plan.addProcess(process, executable: "/bin/sh")
        plan.addPersonality(LinuxPersonality(domain: .linux32))
        plan.addPersonality(nil)

        let sched = try #require(Self.records(plan, SWL_P_SCHEDULER).first)
        #expect(sched.count == 48)
        #expect(Self.u32(sched, 0) == 6 && Int32(bitPattern: Self.u32(sched, 4)) == -3 && Self.u32(sched, 8) == 0)
        #expect(Self.u64(sched, 16) == 0x03 && Self.u64(sched, 24) == 10 && Self.u64(sched, 32) == 20 && Self.u64(sched, 40) == 30)
        #expect(Self.records(plan, SWL_P_IOPRIO) == [[3, 0, 0, 0, 7, 0, 0, 0]])
        #expect(Self.records(plan, SWL_P_PERSONALITY) == [[8, 0, 0, 0]])
        #expect(Self.records(plan, SWL_P_CPU_AFFINITY).isEmpty)
    }

    @Test func seccompAndListenerRecords() throws {
        var plan = InitPlan(mode: SWL_MODE_SUPERVISE)
        plan.addSeccomp(SeccompProgram(flags: SeccompTables.flagNewListener, instructions: [6, 0, 0, 0, 0, 0, 0xff, 0x7f]))
        plan.addSeccompListener(socket: 9, state: "{}")
        #expect(Self.records(plan, SWL_P_SECCOMP) == [[8, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0xff, 0x7f]])
        #expect(Self.records(plan, SWL_P_NOTIFY_FD) == [[9, 0, 0, 0]])
        #expect(Self.records(plan, SWL_P_NOTIFY_STATE) == [Array("{}\0".utf8)])
    }

    @Test func containerProcessState() throws {
        let json = try SeccompListener.processState(id: "c1", bundle: "/b", annotations: ["k": "v"], pid: 42, metadata: "meta")
        let decoded = try JSONDecoder().decode(ContainerProcessState.self, from: Data(json.utf8))
        #expect(decoded.fds == ["seccompFd"])
        #expect(decoded.pid == 42 && decoded.metadata == "meta")
        #expect(decoded.state == State(ociVersion: Runtime.ociVersion, id: "c1", status: .created, pid: 42, bundle: "/b",
                                       annotations: ["k": "v"]))
    }

    // The record stream (swiftlet_plan.h): u32 tag, u32 length, payload.
    static func records(_ plan: InitPlan, _ tag: swl_plan_tag) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var offset = 0
        let bytes = plan.bytes
        while offset + 8 <= bytes.count {
            let t = u32(bytes, offset), length = Int(u32(bytes, offset + 4))
            if t == tag.rawValue { out.append(Array(bytes[offset + 8..<offset + 8 + length])) }
            offset += 8 + length
        }
        return out
    }

    static func u32(_ b: [UInt8], _ o: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(b[o + $1]) << (8 * UInt32($1)) } }
    static func u64(_ b: [UInt8], _ o: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(b[o + $1]) << (8 * UInt64($1)) } }
}
