import OCI

/// runc's -ENOSYS stub (libcontainer/seccomp/patchbpf), prepended to the compiled filter.
///
/// Why: a profile lists the syscalls its author knew. A syscall added to the kernel later
/// (clone3, faccessat2, openat2, close_range, ...) then gets the profile's default action,
/// typically EPERM, and glibc and other libcs, which fall back to the older call only on
/// ENOSYS, fail instead of working. runc answers such syscalls with ENOSYS, and engines'
/// profiles (Docker's, podman's) rely on it. The rule is runc's: when the default action is
/// not one that lets the call through (allow, log, trace) and not already ENOSYS, a syscall
/// whose number is greater than every syscall the profile names, for that architecture,
/// fails with ENOSYS; any other goes through the filter as compiled.
///
/// On x86_64 the kernel reports x32 syscalls with the same architecture and bit 30 set in the
/// number (`__X32_SYSCALL_BIT`); libseccomp's x32 numbers include that bit, so each half is
/// compared with its own highest number. Pure: unit-tested with the init's BPF evaluator.
/// runtime-spec config-linux.md "Seccomp".
public enum SeccompEnosysStub {
    /// AUDIT_ARCH_X86_64, and libseccomp's token for x32 (EM_X86_64 | __AUDIT_ARCH_LE), which
    /// the kernel never reports: x32 calls arrive as AUDIT_ARCH_X86_64 with bit 30 set.
    public static let auditArchX86_64: UInt32 = 0xC000_003E
    public static let scmpArchX32: UInt32 = 0x4000_003E
    static let x32SyscallBit: UInt32 = 0x4000_0000
    /// SECCOMP_RET_ERRNO | ENOSYS.
    public static let retENOSYS: UInt32 = 0x0005_0000 | 38

    /// The highest syscall number a profile names for one architecture (its libseccomp token;
    /// a token is the AUDIT_ARCH value except for x32).
    public struct Highest: Equatable, Sendable {
        public var archToken: UInt32
        public var number: UInt32

        public init(archToken: UInt32, number: UInt32) {
            self.archToken = archToken
            self.number = number
        }
    }

    /// Whether the stub applies to a profile with this default action and errno (runc's
    /// generatePatch): not for actions that let unknown calls through, not when the default
    /// already is ENOSYS.
    public static func applies(defaultAction: LinuxSeccompAction, defaultErrno: UInt?) -> Bool {
        switch defaultAction {
        case .allow, .log, .trace: return false
        case .errno: return defaultErrno != 38
        default: return true
        }
    }

    /// The stub's instructions (struct sock_filter, native byte order), to be followed by the
    /// compiled filter: every path either returns ENOSYS or jumps to the instruction right
    /// after the stub. Empty when no architecture has a highest number.
    public static func program(_ highest: [Highest]) -> [UInt8] {
        // One section per architecture the kernel reports; x86_64 and x32 share one.
        var sections: [(arch: UInt32, plain: UInt32?, x32: UInt32?)] = []
        for h in highest {
            let x32 = h.archToken == scmpArchX32
            let arch = x32 ? auditArchX86_64 : h.archToken
            var index = sections.firstIndex { $0.arch == arch }
            if index == nil {
                sections.append((arch, nil, nil))
                index = sections.count - 1
            }
            guard let i = index else { continue }
            if x32 { sections[i].x32 = max(sections[i].x32 ?? 0, h.number) }
            else { sections[i].plain = max(sections[i].plain ?? 0, h.number) }
        }
        guard !sections.isEmpty else { return [] }

        // Laid out as: load arch; one jeq per section; ja filter; the sections; ret ENOSYS.
        // Each section body: load nr, then either "jgt max -> ENOSYS else filter", or on x86_64
        // "jset bit30 -> x32 part" first. Offsets are computed from absolute positions.
        var bodies: [[Insn]] = []
        for section in sections {
            if section.arch == auditArchX86_64 {
                bodies.append([.loadNumber, .jset(x32SyscallBit, toX32: 1),
                               section.plain.map { .jgtEnosys($0) } ?? .toFilter,
                               section.x32.map { .jgtEnosys($0) } ?? .toFilter])
            } else {
                bodies.append([.loadNumber, section.plain.map { .jgtEnosys($0) } ?? .toFilter])
            }
        }
        let headLength = 1 + sections.count + 1
        var sectionStart: [Int] = []
        var position = headLength
        for body in bodies {
            sectionStart.append(position)
            position += body.count
        }
        let enosys = position
        let filter = enosys + 1

        var out: [UInt8] = []
        func emit(_ code: UInt16, _ jt: Int = 0, _ jf: Int = 0, _ k: UInt32) {
            withUnsafeBytes(of: code) { out += $0 }
            out += [UInt8(truncatingIfNeeded: jt), UInt8(truncatingIfNeeded: jf)]
            withUnsafeBytes(of: k) { out += $0 }
        }
        let ldAbs: UInt16 = 0x20, jeq: UInt16 = 0x15, jgt: UInt16 = 0x25, jset: UInt16 = 0x45, ja: UInt16 = 0x05
        let ret: UInt16 = 0x06
        emit(ldAbs, 0, 0, 4)  // seccomp_data.arch
        for (i, section) in sections.enumerated() {
            let here = 1 + i
            emit(jeq, sectionStart[i] - (here + 1), 0, section.arch)
        }
        emit(ja, 0, 0, UInt32(filter - (headLength - 1 + 1)))
        for (i, body) in bodies.enumerated() {
            for (j, insn) in body.enumerated() {
                let here = sectionStart[i] + j
                switch insn {
                case .loadNumber: emit(ldAbs, 0, 0, 0)  // seccomp_data.nr
                case .jset(let bit, let toX32): emit(jset, toX32, 0, bit)
                case .jgtEnosys(let highest): emit(jgt, enosys - (here + 1), filter - (here + 1), highest)
                case .toFilter: emit(ja, 0, 0, UInt32(filter - (here + 1)))
                }
            }
        }
        emit(ret, 0, 0, retENOSYS)
        return out
    }

    private enum Insn {
        case loadNumber
        /// Jumps `toX32` instructions ahead when `bit` is set (the x32 half of x86_64).
        case jset(UInt32, toX32: Int)
        case jgtEnosys(UInt32)
        case toFilter
    }
}
