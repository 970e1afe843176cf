import CLibseccomp
import OCI
import Testing
@testable import SwiftletCore

/// A classic-BPF interpreter for seccomp programs (the subset the kernel accepts for
/// seccomp), so the compiled filters are checked by what they answer, without root and
/// without loading anything.
struct SeccompMachine {
    struct Instruction { let code: UInt16; let jt: UInt8; let jf: UInt8; let k: UInt32 }

    let program: [Instruction]

    init(_ bytes: [UInt8]) {
        func u16(_ i: Int) -> UInt16 { UInt16(bytes[i]) | UInt16(bytes[i + 1]) << 8 }
        func u32(_ i: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(bytes[i + $1]) << (8 * UInt32($1)) } }
        program = stride(from: 0, to: bytes.count, by: 8).map {
            Instruction(code: u16($0), jt: bytes[$0 + 2], jf: bytes[$0 + 3], k: u32($0 + 4))
        }
    }

    /// struct seccomp_data: int nr, u32 arch, u64 instruction_pointer, u64 args[6].
    static func data(nr: Int32, arch: UInt32, args: [UInt64]) -> [UInt8] {
        var bytes: [UInt8] = []
        withUnsafeBytes(of: nr.littleEndian) { bytes += $0 }
        withUnsafeBytes(of: arch.littleEndian) { bytes += $0 }
        withUnsafeBytes(of: UInt64(0x1000).littleEndian) { bytes += $0 }
        for i in 0..<6 { withUnsafeBytes(of: (i < args.count ? args[i] : 0).littleEndian) { bytes += $0 } }
        return bytes
    }

    /// The filter's return value for one syscall; nil for a program the kernel would refuse.
    func run(nr: Int32, arch: UInt32 = seccomp_arch_native(), args: [UInt64] = []) -> UInt32? {
        let data = Self.data(nr: nr, arch: arch, args: args)
        var a: UInt32 = 0, x: UInt32 = 0
        var mem = [UInt32](repeating: 0, count: 16)
        var pc = 0
        while pc < program.count {
            let i = program[pc]
            pc += 1
            let src = i.code & 0x08 == 0 ? i.k : x
            switch i.code & 0x07 {
            case 0x00, 0x01:  // LD, LDX
                var value: UInt32
                switch i.code & 0xe0 {
                case 0x20:  // ABS, 32-bit words only for seccomp
                    let o = Int(i.k)
                    guard o + 4 <= data.count, i.code & 0x18 == 0 else { return nil }
                    value = (0..<4).reduce(0) { $0 | UInt32(data[o + $1]) << (8 * UInt32($1)) }
                case 0x00: value = i.k  // IMM
                case 0x60: guard i.k < 16 else { return nil }; value = mem[Int(i.k)]  // MEM
                case 0x80: value = UInt32(data.count)  // LEN
                default: return nil
                }
                if i.code & 0x07 == 0 { a = value } else { x = value }
            case 0x02: guard i.k < 16 else { return nil }; mem[Int(i.k)] = a  // ST
            case 0x03: guard i.k < 16 else { return nil }; mem[Int(i.k)] = x  // STX
            case 0x04:  // ALU
                switch i.code & 0xf0 {
                case 0x00: a = a &+ src
                case 0x10: a = a &- src
                case 0x20: a = a &* src
                case 0x30: guard src != 0 else { return nil }; a /= src
                case 0x40: a |= src
                case 0x50: a &= src
                case 0x60: a = src < 32 ? a << src : 0
                case 0x70: a = src < 32 ? a >> src : 0
                case 0x80: a = 0 &- a
                case 0x90: guard src != 0 else { return nil }; a %= src
                case 0xa0: a ^= src
                default: return nil
                }
            case 0x05:  // JMP
                let taken: Bool
                switch i.code & 0xf0 {
                case 0x00: pc += Int(i.k); continue
                case 0x10: taken = a == src
                case 0x20: taken = a > src
                case 0x30: taken = a >= src
                case 0x40: taken = a & src != 0
                default: return nil
                }
                pc += Int(taken ? i.jt : i.jf)
            case 0x06: return i.code & 0x18 == 0x10 ? a : i.k  // RET A / RET K
            case 0x07: if i.code & 0xf8 == 0 { x = a } else { a = x }  // TAX / TXA
            default: return nil
            }
        }
        return nil  // fell off the end: the kernel's verifier refuses that
    }
}

@Suite struct SecuritySeccompCompilerTests {
    static let allow = SeccompTables.retAllow
    static func errno(_ e: UInt32) -> UInt32 { SeccompTables.retErrno | e }
    static func nr(_ name: String) -> Int32 { seccomp_syscall_resolve_name(name) }
    static func arg(_ index: UInt, _ op: LinuxSeccompOperator, _ value: UInt64, _ two: UInt64? = nil) -> LinuxSeccompArg {
        LinuxSeccompArg(index: index, value: value, valueTwo: two, op: op)
    }

    static func machine(_ seccomp: LinuxSeccomp, debug: (String) -> Void = { _ in }) throws -> SeccompMachine {
        let program = try #require(try SeccompCompiler.compile(seccomp, debug: debug))
        #expect(program.instructions.count % 8 == 0 && program.instructionCount > 0)
        return SeccompMachine(program.instructions)
    }

    @Test func noSeccompNoProgram() throws {
        #expect(try SeccompCompiler.compile(nil) == nil)
    }

    @Test func errnoRuleAndDefault() throws {
        let m = try Self.machine(LinuxSeccomp(defaultAction: .allow, syscalls: [
            LinuxSyscall(names: ["mkdir", "mkdirat"], action: .errno, errnoRet: 28),
            LinuxSyscall(names: ["getppid"], action: .killProcess),
            LinuxSyscall(names: ["getpgrp"], action: .log)]))
        #expect(m.run(nr: Self.nr("mkdirat")) == Self.errno(28))
        #expect(m.run(nr: Self.nr("getppid")) == SeccompTables.retKillProcess)
        #expect(m.run(nr: Self.nr("getpgrp")) == SeccompTables.retLog)
        #expect(m.run(nr: Self.nr("getpid")) == Self.allow)
    }

    @Test func defaultErrnoRet() throws {
        let m = try Self.machine(LinuxSeccomp(defaultAction: .errno, defaultErrnoRet: 38, syscalls: [
            LinuxSyscall(names: ["read", "write"], action: .allow)]))
        #expect(m.run(nr: Self.nr("write")) == Self.allow)
        #expect(m.run(nr: Self.nr("keyctl")) == Self.errno(38))
    }

    struct OpCase: Sendable, CustomTestStringConvertible {
        let op: LinuxSeccompOperator
        let value: UInt64
        let two: UInt64?
        let matching: [UInt64]
        let notMatching: [UInt64]
        var testDescription: String { op.rawValue }
    }

    /// Every SCMP_CMP_* on a 64-bit argument (both 32-bit halves matter).
    static let opCases: [OpCase] = [
        OpCase(op: .equalTo, value: 0x1_0000_0008, two: nil, matching: [0x1_0000_0008], notMatching: [8, 0x1_0000_0009, 0]),
        OpCase(op: .notEqual, value: 8, two: nil, matching: [0, 9, 0x1_0000_0008], notMatching: [8]),
        OpCase(op: .lessThan, value: 0x1_0000_0000, two: nil, matching: [0, 0xffff_ffff], notMatching: [0x1_0000_0000, UInt64.max]),
        OpCase(op: .lessEqual, value: 100, two: nil, matching: [0, 100], notMatching: [101, 0x1_0000_0000]),
        OpCase(op: .greaterThan, value: 100, two: nil, matching: [101, 0x1_0000_0000], notMatching: [100, 0]),
        OpCase(op: .greaterEqual, value: 0x2_0000_0000, two: nil, matching: [0x2_0000_0000, UInt64.max], notMatching: [0x1_ffff_ffff]),
        OpCase(op: .maskedEqual, value: 0xfff, two: 3, matching: [3, 0x10003, 0x1_0000_0003], notMatching: [4, 0x13]),
    ]

    @Test(arguments: opCases)
    func comparisonOperators(c: OpCase) throws {
        let m = try Self.machine(LinuxSeccomp(defaultAction: .allow, syscalls: [
            LinuxSyscall(names: ["keyctl"], action: .errno, errnoRet: 95, args: [Self.arg(1, c.op, c.value, c.two)])]))
        for v in c.matching { #expect(m.run(nr: Self.nr("keyctl"), args: [0, v]) == Self.errno(95), "\(v)") }
        for v in c.notMatching { #expect(m.run(nr: Self.nr("keyctl"), args: [0, v]) == Self.allow, "\(v)") }
    }

    @Test func argsAreANDedAcrossIndexesAndORedOnOne() throws {
        let m = try Self.machine(LinuxSeccomp(defaultAction: .allow, syscalls: [
            LinuxSyscall(names: ["keyctl"], action: .errno, errnoRet: 93, args: [Self.arg(0, .equalTo, 0), Self.arg(1, .equalTo, 5)]),
            LinuxSyscall(names: ["personality"], action: .errno, errnoRet: 95,
                         args: [Self.arg(0, .equalTo, 8), Self.arg(0, .equalTo, 0x20008)])]))
        let keyctl = Self.nr("keyctl"), personality = Self.nr("personality")
        #expect(m.run(nr: keyctl, args: [0, 5]) == Self.errno(93))
        #expect(m.run(nr: keyctl, args: [0, 6]) == Self.allow)
        #expect(m.run(nr: keyctl, args: [1, 5]) == Self.allow)
        #expect(m.run(nr: personality, args: [8]) == Self.errno(95))
        #expect(m.run(nr: personality, args: [0x20008]) == Self.errno(95))
        #expect(m.run(nr: personality, args: [0xffff_ffff]) == Self.allow)
    }

    @Test func foreignArchitectureIsKilledUnlessAdded() throws {
        let x86 = seccomp_arch_resolve_name("x86")
        guard seccomp_arch_native() == seccomp_arch_resolve_name("x86_64") else { return }
        let mkdir32 = seccomp_syscall_resolve_name_arch(x86, "mkdir")
        var seccomp = LinuxSeccomp(defaultAction: .allow, syscalls: [LinuxSyscall(names: ["mkdir"], action: .errno)])
        var m = try Self.machine(seccomp)
        #expect(m.run(nr: mkdir32, arch: x86) == SeccompTables.retKillThread)
        seccomp.architectures = [.x86_64, .x86]
        m = try Self.machine(seccomp)
        #expect(m.run(nr: mkdir32, arch: x86) == Self.errno(1))
        #expect(m.run(nr: Self.nr("mkdir")) == Self.errno(1))
        #expect(m.run(nr: Self.nr("getpid")) == Self.allow)
    }

    @Test func unknownSyscallIsSkippedWithADebugLine() throws {
        var lines: [String] = []
        let m = try Self.machine(LinuxSeccomp(defaultAction: .allow, syscalls: [
            LinuxSyscall(names: ["swiftlet_no_such_call", "mkdir"], action: .errno)]), debug: { lines.append($0) })
        #expect(m.run(nr: Self.nr("mkdir")) == Self.errno(1))
        #expect(lines.contains("linux.seccomp.syscalls[0].names[0]: unknown syscall \"swiftlet_no_such_call\" ignored"))
    }

    @Test func notifyProgramAsksForAListener() throws {
        let program = try #require(try SeccompCompiler.compile(LinuxSeccomp(
            defaultAction: .allow, listenerPath: "/run/agent.sock", syscalls: [LinuxSyscall(names: ["mkdir"], action: .notify)])))
        #expect(program.hasListener)
        #expect(SeccompMachine(program.instructions).run(nr: Self.nr("mkdir")) == SeccompTables.retUserNotif)
    }

    @Test func architectureUnknownToLibseccompIsAnError() throws {
        guard seccomp_arch_resolve_name("loongarch64") == 0 else { return }  // libseccomp >= 2.6 knows it
        #expect {
            try SeccompCompiler.compile(LinuxSeccomp(defaultAction: .allow, architectures: [.x86_64, .loongarch64]))
        } throws: { error in
            "\(error)".hasPrefix("linux.seccomp.architectures[1]: architecture loongarch64 is not supported by libseccomp")
        }
    }

    @Test func badConfigIsARuntimeErrorWithThePath() {
        #expect {
            try SeccompCompiler.compile(LinuxSeccomp(defaultAction: .errno, defaultErrnoRet: 5000))
        } throws: { error in
            "\(error)" == "linux.seccomp.defaultErrnoRet: errno 5000 is out of range (at most 4095)"
        }
    }

    /// A Docker-sized allow-list (about 300 names and a few argument rules) compiles to a
    /// program the kernel accepts, and answers like the profile says.
    @Test func dockerSizedProfile() throws {
        let names = SecurityFixtures.dockerAllowList
        var syscalls = [LinuxSyscall(names: names, action: .allow)]
        for value: UInt64 in [0, 8, 0x20000, 0x20008, 0xffff_ffff] {
            syscalls.append(LinuxSyscall(names: ["personality"], action: .allow, args: [Self.arg(0, .equalTo, value)]))
        }
        syscalls.append(LinuxSyscall(names: ["clone"], action: .allow, args: [Self.arg(0, .maskedEqual, 0x7E02_0000, 0)]))
        syscalls.append(LinuxSyscall(names: ["clone3"], action: .errno, errnoRet: 38))
        let program = try #require(try SeccompCompiler.compile(LinuxSeccomp(
            defaultAction: .errno, architectures: [.x86_64, .x86, .x32], syscalls: syscalls)))
        #expect(program.instructionCount <= SeccompCompiler.maxInstructions)
        let m = SeccompMachine(program.instructions)
        #expect(m.run(nr: Self.nr("read")) == Self.allow)
        #expect(m.run(nr: Self.nr("keyctl")) == Self.errno(1))
        #expect(m.run(nr: Self.nr("unshare")) == Self.errno(1))
        #expect(m.run(nr: Self.nr("mount")) == Self.errno(1))
        #expect(m.run(nr: Self.nr("clone3")) == Self.errno(38))
        #expect(m.run(nr: Self.nr("clone"), args: [0x0111_0011]) == Self.allow)       // fork-like flags
        #expect(m.run(nr: Self.nr("clone"), args: [0x1000_0000 | 17]) == Self.errno(1))  // CLONE_NEWUSER
        #expect(m.run(nr: Self.nr("personality"), args: [0xffff_ffff]) == Self.allow)
        #expect(m.run(nr: Self.nr("personality"), args: [0x0040_0000]) == Self.errno(1))
    }
}
