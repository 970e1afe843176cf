import FoundationEssentials
import OCI
import Testing
@testable import SwiftletCore

/// `spec --hardened`: the config follows the hardening advice and passes validation and the
/// audit; its seccomp profile compiles and is default-deny.
@Suite struct HardenedSpecTests {
    @Test(arguments: [[], ["CAP_NET_BIND_SERVICE"], ["CAP_SYS_ADMIN", "CAP_SYS_PTRACE"]])
    func validAndRoundTrips(caps: [String]) throws {
        let spec = Runtime.hardenedSpec(capabilities: caps)
        #expect(spec.validationErrors().isEmpty)
        let decoded = try Spec.decode(Data(try Runtime.specJSON(spec)))
        #expect(decoded == spec)
    }

    @Test func followsTheAdvice() throws {
        let spec = Runtime.hardenedSpec()
        let process = try #require(spec.process)
        let linux = try #require(spec.linux)
        #expect(spec.root?.readonly == true)
        #expect(spec.mounts?.contains { $0.destination == "/tmp" && $0.type == "tmpfs" } == true)
        #expect(process.capabilities == LinuxCapabilities(bounding: [], effective: [], inheritable: [], permitted: [], ambient: []))
        #expect(process.noNewPrivileges == true)
        #expect(process.user.uid != 0 && process.user.gid != 0)
        #expect(Set(linux.namespaces?.map(\.type) ?? []) == [.pid, .network, .ipc, .uts, .mount, .user, .cgroup])
        #expect(linux.uidMappings == [LinuxIDMapping(containerID: 0, hostID: 100_000, size: 65_536)])
        #expect(linux.gidMappings == linux.uidMappings)
        #expect((linux.resources?.memory?.limit ?? 0) > 0)
        #expect((linux.resources?.pids?.limit ?? 0) > 0)
        #expect(linux.maskedPaths?.contains("/proc/kcore") == true)
        #expect(linux.readonlyPaths?.contains("/proc/sys") == true)
        #expect(spec.mounts?.contains { $0.type == "cgroup" } == false)
    }

    @Test func capabilitiesGoInEverySet() {
        let caps = Runtime.hardenedSpec(capabilities: ["CAP_NET_BIND_SERVICE"]).process?.capabilities
        for set in [caps?.bounding, caps?.effective, caps?.permitted, caps?.inheritable, caps?.ambient] {
            #expect(set == ["CAP_NET_BIND_SERVICE"])
        }
    }

    @Test(arguments: [("net_bind_service", "CAP_NET_BIND_SERVICE"), ("CAP_CHOWN", "CAP_CHOWN"), ("cap_kill", "CAP_KILL")])
    func capabilityNames(value: String, name: String) throws {
        #expect(try Runtime.hardenedCapabilities([value, name]) == [name])
    }

    @Test func unknownCapabilityIsAnError() {
        #expect(throws: RuntimeError.self) { try Runtime.hardenedCapabilities(["CAP_FLY"]) }
    }

    /// Default-deny with EPERM; the usual syscalls allowed; the escape-prone ones not.
    @Test func seccompProfile() throws {
        let seccomp = try #require(Runtime.hardenedSpec().linux?.seccomp)
        #expect(seccomp.defaultAction == .errno)
        #expect(seccomp.defaultErrnoRet == 1)
        let allowed = Set((seccomp.syscalls ?? []).filter { $0.action == .allow && $0.args == nil }.flatMap(\.names))
        for name in ["read", "write", "openat", "execve", "mmap", "futex", "exit_group", "wait4", "statx", "getdents64"] {
            #expect(allowed.contains(name), "\(name)")
        }
        for name in ["mount", "umount2", "unshare", "setns", "bpf", "keyctl", "add_key", "init_module", "kexec_load",
                     "open_by_handle_at", "reboot", "userfaultfd", "pivot_root", "chroot", "clone3", "perf_event_open"] {
            #expect(!allowed.contains(name), "\(name)")
        }
        // clone only without namespace flags, clone3 refused with ENOSYS so libcs fall back.
        let clone = try #require(seccomp.syscalls?.first { $0.names == ["clone"] })
        #expect(clone.args == [LinuxSeccompArg(index: 0, value: 0x7E02_0000, valueTwo: 0, op: .maskedEqual)])
        #expect(seccomp.syscalls?.first { $0.names == ["clone3"] }?.errnoRet == 38)
    }

    @Test func capabilityWidensProfile() throws {
        let seccomp = try #require(Runtime.hardenedSpec(capabilities: ["CAP_SYS_ADMIN"]).linux?.seccomp)
        let allowed = Set((seccomp.syscalls ?? []).filter { $0.action == .allow && $0.args == nil }.flatMap(\.names))
        #expect(allowed.isSuperset(of: ["mount", "unshare", "setns", "clone", "clone3"]))
        #expect(seccomp.syscalls?.contains { $0.names == ["clone3"] && $0.action == .errno } == false)
    }

    /// libseccomp accepts it and the program fits in the kernel's limit.
    @Test func seccompCompiles() throws {
        let program = try #require(try SeccompCompiler.compile(Runtime.hardenedSpec().linux?.seccomp))
        #expect(program.instructionCount > 100 && program.instructionCount < SeccompCompiler.maxInstructions)
    }

    /// The hardened spec passes its own audit, with and without AppArmor on the host but for
    /// the AppArmor profile, which only a host with AppArmor can have.
    @Test func passesItsOwnAudit() {
        #expect(Audit.run(Runtime.hardenedSpec(), host: AuditHost(appArmor: false)).isEmpty)
        let withAppArmor = Audit.run(Runtime.hardenedSpec(), host: AuditHost(appArmor: true))
        #expect(withAppArmor.map(\.rule) == ["apparmor-unconfined"])
        #expect(!withAppArmor.contains { $0.severity == .high })
    }
}
