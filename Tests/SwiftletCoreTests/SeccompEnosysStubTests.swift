import CLibseccomp
import CSwiftlet
import OCI
import Testing
@testable import SwiftletCore

/// runc's -ENOSYS stub before the compiled filter (SeccompEnosysStub): a syscall newer than any
/// the profile names gets ENOSYS, so libcs fall back (clone3, faccessat2); older ones still get
/// the default action. Run with the init's BPF evaluator on what the compiler makes.
@Suite struct SeccompEnosysStubTests {
    typealias Eval = InitSeccompEvalTests.Eval
    static let enosys = SeccompEnosysStub.retENOSYS
    static let eperm = SeccompTables.action(.errno, data: 1)

    static func eval(_ program: [UInt8], _ nr: Int32, arch: UInt32 = InitSeccompEvalTests.native) -> UInt32 {
        InitSeccompEvalTests.eval(program, nr: nr, arch: arch).ret
    }

    static func dockerLike(defaultErrno: UInt? = nil) throws -> [UInt8] {
        try InitSeccompEvalTests.program(LinuxSeccomp(
            defaultAction: .errno, defaultErrnoRet: defaultErrno, architectures: HardenedSeccomp.hostArchitectures,
            syscalls: [LinuxSyscall(names: SecurityFixtures.dockerAllowList, action: .allow)]))
    }

    /// The highest syscall of the profile on this machine.
    static var highestAllowed: Int32 {
        SecurityFixtures.dockerAllowList.map { seccomp_syscall_resolve_name($0) }.max() ?? 0
    }

    @Test func newerSyscallsGetENOSYS() throws {
        let program = try Self.dockerLike()
        #expect(Self.eval(program, Self.highestAllowed + 1) == Self.enosys)
        #expect(Self.eval(program, 1000) == Self.enosys)
        #expect(Self.eval(program, Self.highestAllowed) == SeccompTables.retAllow)
        #expect(Self.eval(program, InitSeccompEvalTests.nr("read")) == SeccompTables.retAllow)
        // Older than the newest named, and not allowed: the default action.
        #expect(Self.eval(program, InitSeccompEvalTests.nr("mount")) == Self.eperm)
    }

    /// The init still proves a Docker-like profile allows it with the stub in front.
    @Test func theInitStillLoadsIt() throws {
        #expect(InitSeccompEvalTests.allowsInit(try Self.dockerLike()) == (true, -1))
    }

    /// Default actions that let unknown calls through, or that already answer ENOSYS, get no stub.
    @Test(arguments: [(LinuxSeccompAction.allow, nil), (.log, nil), (.trace, nil), (.errno, 38)] as [(LinuxSeccompAction, UInt?)])
    func noStub(action: LinuxSeccompAction, errno: UInt?) throws {
        #expect(!SeccompEnosysStub.applies(defaultAction: action, defaultErrno: errno))
        let program = try InitSeccompEvalTests.program(LinuxSeccomp(defaultAction: action, defaultErrnoRet: errno, syscalls: [
            LinuxSyscall(names: ["mkdir"], action: action == .errno ? .allow : .errno)]))
        #expect(Self.eval(program, 1000) == SeccompTables.action(action, data: errno ?? 0) || action == .trace)
    }

    @Test(arguments: [(LinuxSeccompAction.errno, nil), (.errno, 1), (.kill, nil), (.killProcess, nil), (.trap, nil)] as [(LinuxSeccompAction, UInt?)])
    func stub(action: LinuxSeccompAction, errno: UInt?) {
        #expect(SeccompEnosysStub.applies(defaultAction: action, defaultErrno: errno))
    }

    #if arch(x86_64)
    /// x86_64 and x32 share AUDIT_ARCH_X86_64; x32 numbers carry bit 30 and are compared with the
    /// highest x32 number; i386 has its own section.
    @Test func eachArchitectureHasItsOwnHighest() throws {
        let program = try Self.dockerLike()
        let x32Read = seccomp_syscall_resolve_name_arch(SeccompEnosysStub.scmpArchX32, "read")
        let x32Highest = SecurityFixtures.dockerAllowList.map { seccomp_syscall_resolve_name_arch(SeccompEnosysStub.scmpArchX32, $0) }.max() ?? 0
        #expect(Self.eval(program, x32Read) == SeccompTables.retAllow)
        #expect(Self.eval(program, x32Highest + 1) == Self.enosys)
        let i386: UInt32 = 0x4000_0003
        #expect(Self.eval(program, 1000, arch: i386) == Self.enosys)
        #expect(Self.eval(program, seccomp_syscall_resolve_name_arch(i386, "read"), arch: i386) == SeccompTables.retAllow)
    }
    #endif

    /// The layout: load arch, one jeq per architecture, a jump to the filter, the sections, ENOSYS.
    @Test func layout() {
        let bytes = SeccompEnosysStub.program([.init(archToken: 0x4000_0028, number: 400)])  // AUDIT_ARCH_ARM
        #expect(bytes.count == 6 * 8)
        #expect(SeccompEnosysStub.program([]).isEmpty)
        // Appending "ret allow": arm nr 401 -> ENOSYS, 400 -> allow, another arch -> allow.
        let program = bytes + InitSeccompEvalTests.retAllow
        #expect(Self.eval(program, 401, arch: 0x4000_0028) == Self.enosys)
        #expect(Self.eval(program, 400, arch: 0x4000_0028) == SeccompTables.retAllow)
        #expect(Self.eval(program, 5000) == SeccompTables.retAllow)
    }
}
