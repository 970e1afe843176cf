import CLibseccomp
import CSwiftlet
import OCI
import Testing
@testable import SwiftletCore

/// swiftlet-init's classic-BPF evaluator (Sources/CSwiftlet/include/swiftlet_seccomp_eval.h):
/// the init loads the container's seccomp filter on itself only when this code proves the
/// filter allows every syscall the init still makes (docs/security.md "PID 1 keeps no more than
/// the container"). The same header is compiled into the init; here it runs on filters the
/// runtime's compiler (libseccomp) produces, and against the tests' own interpreter.
@Suite struct InitSeccompEvalTests {
    struct Eval: Equatable, CustomStringConvertible {
        let result: Int32
        let ret: UInt32
        var description: String { "result \(result) ret 0x\(String(ret, radix: 16))" }
    }

    static let returned = Int32(SWL_EVAL_RETURNED.rawValue)
    static let usesArgs = Int32(SWL_EVAL_USES_ARGS.rawValue)
    static let invalid = Int32(SWL_EVAL_INVALID.rawValue)
    static let native = UInt32(SWL_AUDIT_ARCH_NATIVE)

    static func nr(_ name: String) -> Int32 { seccomp_syscall_resolve_name(name) }

    static func eval(_ bytes: [UInt8], nr: Int32, arch: UInt32 = native) -> Eval {
        var ret: UInt32 = 0
        let result = bytes.withUnsafeBytes { swl_seccomp_eval($0.baseAddress, bytes.count / 8, arch, nr, &ret) }
        return Eval(result: result, ret: ret)
    }

    static func program(_ seccomp: LinuxSeccomp) throws -> [UInt8] {
        try #require(try SeccompCompiler.compile(seccomp)).instructions
    }

    /// The init's syscalls (swl_init_supervise_syscalls), with pidfd forwarding or by pid.
    static func initSyscalls(pidfd: Bool) -> [Int32] {
        var out = [Int32](repeating: -1, count: Int(SWL_INIT_SYSCALLS_MAX))
        let n = out.withUnsafeMutableBufferPointer { swl_init_supervise_syscalls(pidfd ? 1 : 0, $0.baseAddress) }
        return Array(out.prefix(n))
    }

    /// (allowed, the first syscall not proven allowed or -1)
    static func allowsInit(_ bytes: [UInt8], pidfd: Bool = true) -> (Bool, Int32) {
        let nrs = initSyscalls(pidfd: pidfd)
        var refused: Int32 = 0
        let ok = bytes.withUnsafeBytes { raw in
            nrs.withUnsafeBufferPointer {
                swl_seccomp_allows_all(raw.baseAddress, bytes.count / 8, native, $0.baseAddress, $0.count, &refused)
            }
        }
        return (ok == 1, refused)
    }

    /// One classic-BPF instruction (struct sock_filter) in native byte order.
    static func insn(_ code: UInt16, _ jt: UInt8 = 0, _ jf: UInt8 = 0, _ k: UInt32 = 0) -> [UInt8] {
        var bytes: [UInt8] = []
        withUnsafeBytes(of: code) { bytes += $0 }
        bytes += [jt, jf]
        withUnsafeBytes(of: k) { bytes += $0 }
        return bytes
    }

    static let ldNr = insn(0x20, 0, 0, 0)       // BPF_LD|BPF_W|BPF_ABS, seccomp_data.nr
    static let retAllow = insn(0x06, 0, 0, SeccompTables.retAllow)

    @Test func initSyscallList() {
        let withPidfd = Self.initSyscalls(pidfd: true)
        let byPid = Self.initSyscalls(pidfd: false)
        for name in ["read", "waitid", "exit_group", "restart_syscall", "ppoll"] {
            #expect(withPidfd.contains(Self.nr(name)), "\(name)")
            #expect(byPid.contains(Self.nr(name)), "\(name)")
        }
        #expect(withPidfd.contains(Self.nr("pidfd_send_signal")) && !withPidfd.contains(Self.nr("kill")))
        #expect(byPid.contains(Self.nr("kill")) && !byPid.contains(Self.nr("pidfd_send_signal")))
        #if arch(x86_64)
        #expect(withPidfd.contains(Self.nr("poll")))
        #endif
        #expect(!withPidfd.contains(-1) && withPidfd.count <= Int(SWL_INIT_SYSCALLS_MAX))
    }

    /// Docker's allow-list (default errno) and `spec --hardened`'s profile both allow the init.
    @Test func commonProfilesAllowTheInit() throws {
        var docker = [LinuxSyscall(names: SecurityFixtures.dockerAllowList, action: .allow)]
        docker.append(LinuxSyscall(names: ["clone"], action: .allow, args: [
            LinuxSeccompArg(index: 0, value: 0x7E02_0000, valueTwo: 0, op: .maskedEqual)]))
        docker.append(LinuxSyscall(names: ["clone3"], action: .errno, errnoRet: 38))
        let dockerProgram = try Self.program(LinuxSeccomp(defaultAction: .errno, architectures: HardenedSeccomp.hostArchitectures, syscalls: docker))
        #expect(Self.allowsInit(dockerProgram) == (true, -1))
        #expect(Self.allowsInit(dockerProgram, pidfd: false) == (true, -1))

        let hardened = try Self.program(HardenedSeccomp.profile(capabilities: []))
        #expect(Self.allowsInit(hardened) == (true, -1))

        let denyMkdir = try Self.program(LinuxSeccomp(defaultAction: .allow, syscalls: [
            LinuxSyscall(names: ["mkdir", "mkdirat"], action: .errno)]))
        #expect(Self.allowsInit(denyMkdir) == (true, -1))
    }

    /// A filter that refuses, logs, traps, notifies or kills one of the init's syscalls, or
    /// decides on its arguments, is not proven: the init goes without it.
    @Test(arguments: [LinuxSeccompAction.errno, .kill, .killProcess, .trap, .log, .notify, .trace])
    func anyOtherActionRefuses(action: LinuxSeccompAction) throws {
        let program = try Self.program(LinuxSeccomp(
            defaultAction: .allow, listenerPath: action == .notify ? "/run/agent.sock" : nil,
            syscalls: [LinuxSyscall(names: ["waitid"], action: action)]))
        #expect(Self.allowsInit(program) == (false, Self.nr("waitid")))
    }

    @Test func onlyTheForwardingSyscallInUseCounts() throws {
        let denyKill = try Self.program(LinuxSeccomp(defaultAction: .allow, syscalls: [
            LinuxSyscall(names: ["kill"], action: .errno)]))
        #expect(Self.allowsInit(denyKill, pidfd: true) == (true, -1))
        #expect(Self.allowsInit(denyKill, pidfd: false) == (false, Self.nr("kill")))
    }

    @Test func argumentRulesProveNothing() throws {
        let program = try Self.program(LinuxSeccomp(defaultAction: .allow, syscalls: [
            LinuxSyscall(names: ["read"], action: .errno, args: [LinuxSeccompArg(index: 0, value: 99, op: .equalTo)])]))
        #expect(Self.eval(program, nr: Self.nr("read")) == Eval(result: Self.usesArgs, ret: SeccompTables.retAllow))
        #expect(Self.eval(program, nr: Self.nr("write")) == Eval(result: Self.returned, ret: SeccompTables.retAllow))
        #expect(Self.allowsInit(program) == (false, Self.nr("read")))
    }

    @Test func defaultLogIsNotAllow() throws {
        let program = try Self.program(LinuxSeccomp(defaultAction: .log))
        #expect(Self.allowsInit(program) == (false, Self.initSyscalls(pidfd: true)[0]))
    }

    /// A foreign architecture gets the filter's "bad arch" answer, never the native rules.
    @Test func architectureIsChecked() throws {
        let program = try Self.program(LinuxSeccomp(defaultAction: .allow, architectures: HardenedSeccomp.hostArchitectures))
        #expect(Self.eval(program, nr: Self.nr("read")).ret == SeccompTables.retAllow)
        let foreign = Self.eval(program, nr: Self.nr("read"), arch: 0x4000_0028)  // AUDIT_ARCH_ARM
        #expect(foreign.result == Self.returned && foreign.ret != SeccompTables.retAllow)
    }

    /// Same answers as the tests' own interpreter (SeccompMachine) on every syscall number, for
    /// profiles with a linear and a binary-tree layout.
    @Test func agreesWithTheTestInterpreter() throws {
        let small = LinuxSeccomp(defaultAction: .allow, syscalls: [
            LinuxSyscall(names: ["mkdir", "mkdirat"], action: .errno, errnoRet: 28),
            LinuxSyscall(names: ["getppid"], action: .killProcess),
            LinuxSyscall(names: ["kill"], action: .trap)])
        let large = HardenedSeccomp.profile(capabilities: ["CAP_SYS_ADMIN"])
        for seccomp in [small, large] {
            let bytes = try Self.program(seccomp)
            let machine = SeccompMachine(bytes)
            for nr in Int32(0)..<480 {
                let e = Self.eval(bytes, nr: nr)
                guard e.result == Self.returned else { continue }  // argument rules: the machine's IP/args differ
                #expect(e.ret == machine.run(nr: nr), "syscall \(nr)")
            }
        }
    }

    @Test func handWrittenPrograms() {
        // jeq nr == 3 ? allow : errno(5)
        let jeq = Self.ldNr + Self.insn(0x15, 0, 1, 3) + Self.retAllow + Self.insn(0x06, 0, 0, SeccompTables.retErrno | 5)
        #expect(Self.eval(jeq, nr: 3) == Eval(result: Self.returned, ret: SeccompTables.retAllow))
        #expect(Self.eval(jeq, nr: 4) == Eval(result: Self.returned, ret: SeccompTables.retErrno | 5))
        // scratch memory, ALU and RET A: A = nr; M[2] = A; A = 0x7fff0000; X = M[2]; A += X; ret A
        let alu = Self.ldNr + Self.insn(0x02, 0, 0, 2) + Self.insn(0x00, 0, 0, 0x7fff_0000) + Self.insn(0x61, 0, 0, 2)
            + Self.insn(0x0c) + Self.insn(0x16)
        #expect(Self.eval(alu, nr: 0) == Eval(result: Self.returned, ret: 0x7fff_0000))
        #expect(Self.eval(alu, nr: 7) == Eval(result: Self.returned, ret: 0x7fff_0007))
        // BPF_LEN is sizeof(struct seccomp_data)
        #expect(Self.eval(Self.insn(0x80) + Self.insn(0x16), nr: 0).ret == 64)
        // loading args[0] marks the verdict as argument-dependent
        #expect(Self.eval(Self.insn(0x20, 0, 0, 16) + Self.retAllow, nr: 0).result == Self.usesArgs)
        // division by a zero X ends the program with 0 (SECCOMP_RET_KILL_THREAD)
        #expect(Self.eval(Self.insn(0x00, 0, 0, 9) + Self.insn(0x3c) + Self.retAllow, nr: 0) == Eval(result: Self.returned, ret: 0))
    }

    @Test func programsTheKernelWouldRefuse() {
        let cases: [(String, [UInt8])] = [
            ("empty", []),
            ("no final return", Self.ldNr),
            ("jump past the end", Self.ldNr + Self.insn(0x05, 0, 0, 1) + Self.retAllow),
            ("conditional jump past the end", Self.ldNr + Self.insn(0x15, 5, 0, 0) + Self.retAllow),
            ("misaligned load", Self.insn(0x20, 0, 0, 2) + Self.retAllow),
            ("load beyond seccomp_data", Self.insn(0x20, 0, 0, 64) + Self.retAllow),
            ("byte load", Self.insn(0x30, 0, 0, 0) + Self.retAllow),
            ("indirect load", Self.insn(0x40, 0, 0, 0) + Self.retAllow),
            ("scratch index 16", Self.insn(0x02, 0, 0, 16) + Self.retAllow),
            ("shift by 32", Self.insn(0x64, 0, 0, 32) + Self.retAllow),
            ("return X", Self.insn(0x0e)),
        ]
        for (what, bytes) in cases {
            #expect(Self.eval(bytes, nr: 0).result == Self.invalid, "\(what)")
            #expect(Self.allowsInit(bytes) == (false, -1), "\(what)")
        }
    }
}
