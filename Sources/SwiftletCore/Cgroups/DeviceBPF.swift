/// The cgroup v2 device controller is an eBPF program (`BPF_PROG_TYPE_CGROUP_DEVICE`) attached
/// to the cgroup: the kernel runs it for every open/mknod of a device node with a
/// `struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; }` (access in the upper
/// 16 bits of `access_type`, the device type in the lower ones) and allows the access iff it
/// returns 1 (kernel Documentation/admin-guide/cgroup-v2.rst "Device controller").
///
/// This file builds that program from the validated rules (`CgroupConversion.deviceRules`).
/// Pure: no syscall here; `DeviceBPFTests` runs the generated code in an interpreter.
///
/// Semantics (runtime-spec config-linux.md "Allowed Device list": an ordered list, as runc's
/// devicefilter emits it): every device is denied unless a rule allows it; the *last* rule
/// that matches the device's type, major and minor decides, `a` type and absent major/minor
/// being wildcards. The decision is made per access bit (r, w, m), the way the v1 devices
/// controller keeps its list: opening `rw` needs the last matching rule for `r` and the last
/// one for `w` to allow. (Matching a deny rule only when it covers *every* requested bit, as a
/// plain "request ⊆ rule access" test does, would let `open(O_RDWR)` through a `deny r` rule.)
///
/// The program walks the rules from the last to the first with the still-undecided requested
/// bits in R6: an allow rule clears its bits (all clear: allow), a deny rule that covers an
/// undecided bit denies, and running out of rules denies the rest. A rule that matches every
/// device with every access ends the walk, so anything before an allow-all or deny-all is
/// left out of the program.
public enum DeviceBPF {
    /// Access bits of `bpf_cgroup_dev_ctx.access_type >> 16` (linux/bpf.h BPF_DEVCG_ACC_*).
    public static let accessMknod: Int32 = 1
    public static let accessRead: Int32 = 2
    public static let accessWrite: Int32 = 4
    /// Device types of `access_type & 0xffff` (BPF_DEVCG_DEV_*).
    public static let deviceBlock: Int32 = 1
    public static let deviceChar: Int32 = 2

    /// The kernel wants a GPL-compatible or any license string; runc says "Apache".
    public static let license = "Apache"

    /// The access bits of a rule's `rwm` string.
    public static func accessMask(_ access: String) -> Int32 {
        var mask: Int32 = 0
        if access.contains("r") { mask |= accessRead }
        if access.contains("w") { mask |= accessWrite }
        if access.contains("m") { mask |= accessMknod }
        return mask
    }

    static let allAccess = accessRead | accessWrite | accessMknod

    /// The program for `rules` (in config order).
    public static func program(_ rules: [CgroupConversion.DeviceRule]) throws(CgroupError) -> [BPFInstruction] {
        var b = BPFProgramBuilder()
        // R2 = type, R3 = requested access, R4 = major, R5 = minor, R6 = undecided bits.
        b.emit(.loadWord(dst: 2, src: 1, offset: 0))
        b.emit(.alu32Imm(.and, dst: 2, 0xFFFF))
        b.emit(.loadWord(dst: 3, src: 1, offset: 0))
        b.emit(.alu32Imm(.rsh, dst: 3, 16))
        b.emit(.loadWord(dst: 4, src: 1, offset: 4))
        b.emit(.loadWord(dst: 5, src: 1, offset: 8))
        b.emit(.mov32Reg(dst: 6, src: 3))
        b.emit(.jumpImm(.jeq, dst: 6, 0), to: .deny)  // nothing requested: nothing to allow

        for (index, rule) in rules.enumerated().reversed() {
            let access = accessMask(rule.access)
            let next = BPFLabel.rule(index)
            let matchesAll = rule.type == "a" && rule.major == nil && rule.minor == nil
            if matchesAll && access == allAccess {
                // Decides every bit of every device: the rules before it never matter.
                b.emit(.jumpAlways, to: rule.allow ? .allow : .deny)
                b.place(next)
                return try b.finish()
            }
            if rule.type != "a" {
                b.emit(.jumpImm(.jne, dst: 2, rule.type == "b" ? deviceBlock : deviceChar), to: next)
            }
            if let major = rule.major { b.emitNotEqual(register: 4, UInt32(truncatingIfNeeded: major), to: next) }
            if let minor = rule.minor { b.emitNotEqual(register: 5, UInt32(truncatingIfNeeded: minor), to: next) }
            if rule.allow {
                b.emit(.alu32Imm(.and, dst: 6, ~access))
                b.emit(.jumpImm(.jeq, dst: 6, 0), to: .allow)
            } else {
                b.emit(.jumpImm(.jset, dst: 6, access), to: .deny)
            }
            b.place(next)
        }
        return try b.finish()
    }
}

/// One eBPF instruction (linux/bpf_common.h, linux/bpf.h `struct bpf_insn`): 8 bytes,
/// `code`, `dst_reg:4 | src_reg:4`, a signed 16-bit offset and a signed 32-bit immediate.
public struct BPFInstruction: Equatable, Sendable, CustomStringConvertible {
    public var code: UInt8
    public var dst: UInt8
    public var src: UInt8
    public var offset: Int16
    public var imm: Int32

    public init(code: UInt8, dst: UInt8 = 0, src: UInt8 = 0, offset: Int16 = 0, imm: Int32 = 0) {
        self.code = code
        self.dst = dst
        self.src = src
        self.offset = offset
        self.imm = imm
    }

    // Instruction classes and fields (linux/bpf_common.h, linux/bpf.h).
    public static let classLDX: UInt8 = 0x01
    public static let classALU: UInt8 = 0x04
    public static let classJMP: UInt8 = 0x05
    public static let classJMP32: UInt8 = 0x06
    public static let sizeW: UInt8 = 0x00
    public static let modeMEM: UInt8 = 0x60
    public static let sourceK: UInt8 = 0x00
    public static let sourceX: UInt8 = 0x08

    public enum ALUOp: UInt8, Sendable {
        case and = 0x50, rsh = 0x70, mov = 0xB0
    }

    public enum JumpOp: UInt8, Sendable {
        case ja = 0x00, jeq = 0x10, jset = 0x40, jne = 0x50, exit = 0x90
    }

    /// `dst = *(u32 *)(src + offset)`.
    public static func loadWord(dst: UInt8, src: UInt8, offset: Int16) -> BPFInstruction {
        BPFInstruction(code: classLDX | modeMEM | sizeW, dst: dst, src: src, offset: offset)
    }

    /// 32-bit `dst op= imm` (the upper half of dst is zeroed).
    public static func alu32Imm(_ op: ALUOp, dst: UInt8, _ imm: Int32) -> BPFInstruction {
        BPFInstruction(code: classALU | op.rawValue | sourceK, dst: dst, imm: imm)
    }

    public static func mov32Reg(dst: UInt8, src: UInt8) -> BPFInstruction {
        BPFInstruction(code: classALU | ALUOp.mov.rawValue | sourceX, dst: dst, src: src)
    }

    public static func mov32Imm(dst: UInt8, _ imm: Int32) -> BPFInstruction {
        alu32Imm(.mov, dst: dst, imm)
    }

    /// `if (dst op imm) goto +offset` comparing 64-bit registers with the sign-extended
    /// immediate; the offset is filled in by the builder.
    public static func jumpImm(_ op: JumpOp, dst: UInt8, _ imm: Int32) -> BPFInstruction {
        BPFInstruction(code: classJMP | op.rawValue | sourceK, dst: dst, imm: imm)
    }

    /// The same comparing the low 32 bits only (BPF_JMP32, Linux 5.1): for device numbers
    /// above Int32.max, which a sign-extended immediate cannot express.
    public static func jump32Imm(_ op: JumpOp, dst: UInt8, _ imm: Int32) -> BPFInstruction {
        BPFInstruction(code: classJMP32 | op.rawValue | sourceK, dst: dst, imm: imm)
    }

    public static let jumpAlways = BPFInstruction(code: classJMP | JumpOp.ja.rawValue)
    public static let exit = BPFInstruction(code: classJMP | JumpOp.exit.rawValue)

    /// The 8 bytes the kernel reads (little-endian host order for offset and imm, as
    /// `struct bpf_insn` is laid out on x86-64 and arm64).
    public var bytes: [UInt8] {
        let off = UInt16(bitPattern: offset)
        let k = UInt32(bitPattern: imm)
        return [code, (src << 4) | (dst & 0x0F), UInt8(off & 0xFF), UInt8(off >> 8),
                UInt8(k & 0xFF), UInt8((k >> 8) & 0xFF), UInt8((k >> 16) & 0xFF), UInt8(k >> 24)]
    }

    public var description: String {
        "code=0x\(String(code, radix: 16)) dst=r\(dst) src=r\(src) off=\(offset) imm=\(imm)"
    }
}

extension Array where Element == BPFInstruction {
    /// The program as the byte array BPF_PROG_LOAD takes.
    public var bytes: [UInt8] { flatMap(\.bytes) }
}

/// Jump targets while a program is being built.
enum BPFLabel: Hashable {
    case rule(Int)
    case allow
    case deny
}

/// Emits instructions with symbolic forward jumps and resolves them. The two exits (deny:
/// R0 = 0, allow: R0 = 1) are appended once, and only when something jumps to them: the
/// verifier rejects unreachable instructions.
struct BPFProgramBuilder {
    private var instructions: [BPFInstruction] = []
    private var fixups: [(index: Int, label: BPFLabel)] = []
    private var positions: [BPFLabel: Int] = [:]

    mutating func emit(_ instruction: BPFInstruction) {
        instructions.append(instruction)
    }

    mutating func emit(_ instruction: BPFInstruction, to label: BPFLabel) {
        fixups.append((instructions.count, label))
        instructions.append(instruction)
    }

    /// `if (register != value) goto label`, 64-bit when the value fits a positive immediate.
    mutating func emitNotEqual(register: UInt8, _ value: UInt32, to label: BPFLabel) {
        if value <= UInt32(Int32.max) {
            emit(.jumpImm(.jne, dst: register, Int32(value)), to: label)
        } else {
            emit(.jump32Imm(.jne, dst: register, Int32(bitPattern: value)), to: label)
        }
    }

    /// The next instruction emitted is `label`'s target.
    mutating func place(_ label: BPFLabel) {
        positions[label] = instructions.count
    }

    mutating func finish() throws(CgroupError) -> [BPFInstruction] {
        // Falling off the last rule denies; the deny exit is always referenced (by the
        // "nothing requested" test), the allow exit only when some rule allows.
        let referenced = Set(fixups.map(\.label))
        place(.deny)
        emit(.mov32Imm(dst: 0, 0))
        emit(.exit)
        if referenced.contains(.allow) {
            place(.allow)
            emit(.mov32Imm(dst: 0, 1))
            emit(.exit)
        }
        for (index, label) in fixups {
            // Every label is placed, and every jump goes forward.
            let distance = (positions[label] ?? instructions.count) - (index + 1)
            guard let offset = Int16(exactly: distance), offset >= 0 else {
                throw CgroupError.invalid("linux.resources.devices",
                                          "too many device rules for one eBPF program (\(instructions.count) instructions)")
            }
            instructions[index].offset = offset
        }
        return instructions
    }
}
