import CLibseccomp
import CSwiftlet
import OCI

/// A seccomp filter ready for swiftlet-init: classic BPF instructions (struct sock_filter,
/// 8 bytes each) and the SECCOMP_FILTER_FLAG_* bits to load it with.
public struct SeccompProgram: Sendable, Equatable {
    public var flags: UInt32
    public var instructions: [UInt8]

    public init(flags: UInt32, instructions: [UInt8]) {
        self.flags = flags
        self.instructions = instructions
    }

    /// The filter hands out a user-notification listener fd when loaded (SCMP_ACT_NOTIFY).
    public var hasListener: Bool { flags & SeccompTables.flagNewListener != 0 }
    public var instructionCount: Int { instructions.count / 8 }
}

/// Compiles linux.seccomp to BPF in the runtime, once, before clone3 (runtime-spec
/// config-linux.md "Seccomp"; docs/security.md "Seccomp"). libseccomp does the hard part
/// (syscall tables per architecture, argument comparisons, the arch checks); the child only
/// loads the exported program, so nothing of libseccomp runs in the container.
public enum SeccompCompiler {
    /// BPF_MAXINSNS: the kernel refuses longer classic BPF programs.
    static let maxInstructions = 4096

    /// nil when the config has no linux.seccomp. `debug` receives a line per rule left out
    /// (a syscall this libseccomp does not know is skipped, as runc does).
    public static func compile(_ seccomp: LinuxSeccomp?, debug: (String) -> Void = { _ in }) throws -> SeccompProgram? {
        guard let seccomp else { return nil }
        let set: SeccompRuleSet
        do { set = try SeccompRuleSet(translating: seccomp) } catch { throw RuntimeError(error) }
        for note in set.notes { debug(note) }

        let filter = try LibseccompFilter(defaultAction: set.defaultAction)
        for arch in set.architectures {
            let token = seccomp_arch_resolve_name(arch.name)
            guard token != 0 else {
                throw RuntimeError("\(arch.path): architecture \(arch.name) is not supported by libseccomp \(libseccompVersion)")
            }
            try filter.check(seccomp_arch_add(filter.context, token), allowing: -Errno.EEXIST.rawValue,
                             "\(arch.path): add architecture \(arch.name)")
        }
        // libseccomp's binary-tree layout keeps long allow-lists fast (a few comparisons per
        // syscall instead of one per rule). runc's threshold: libseccomp <= 2.5.4 mishandles
        // the tree for very small filters.
        if set.rules.count > 32 {
            if seccomp_attr_set(filter.context, SCMP_FLTATR_CTL_OPTIMIZE, 2) < 0 {
                debug("linux.seccomp: libseccomp \(libseccompVersion) has no binary-tree optimisation")
            }
        }
        var unknown: [String] = []
        for rule in set.rules {
            let number = seccomp_syscall_resolve_name(rule.syscall)
            if number == __NR_SCMP_ERROR {
                if !unknown.contains(rule.syscall) {
                    unknown.append(rule.syscall)
                    debug("\(rule.path): unknown syscall \"\(rule.syscall)\" ignored")
                }
                continue
            }
            var conditions = rule.conditions.map {
                scmp_arg_cmp(arg: $0.index, op: scmp_compare(rawValue: $0.op), datum_a: $0.value, datum_b: $0.valueTwo)
            }
            let rc = conditions.withUnsafeMutableBufferPointer {
                seccomp_rule_add_array(filter.context, rule.action, number, UInt32($0.count), $0.baseAddress)
            }
            try filter.check(rc, "\(rule.path): add rule for \(rule.syscall)")
        }
        var instructions = try filter.export()
        if SeccompEnosysStub.applies(defaultAction: seccomp.defaultAction, defaultErrno: seccomp.defaultErrnoRet) {
            instructions = SeccompEnosysStub.program(highestSyscalls(seccomp, set)) + instructions
        }
        let count = instructions.count / 8
        guard count <= maxInstructions else {
            throw RuntimeError("linux.seccomp: the filter compiles to \(count) BPF instructions, more than the kernel's \(maxInstructions)")
        }
        debug("linux.seccomp: \(set.rules.count) rules, \(count) BPF instructions, flags \(hex(set.flags))")
        return SeccompProgram(flags: set.flags, instructions: instructions)
    }

    /// For the -ENOSYS stub: per architecture in the filter (the native one and those added),
    /// the highest number of any syscall the profile names, whatever its action (runc's
    /// findLastSyscalls); an architecture without any known name gets no stub section.
    static func highestSyscalls(_ seccomp: LinuxSeccomp, _ set: SeccompRuleSet) -> [SeccompEnosysStub.Highest] {
        var tokens = [seccomp_arch_native()]
        for arch in set.architectures {
            let token = seccomp_arch_resolve_name(arch.name)
            if token != 0 && !tokens.contains(token) { tokens.append(token) }
        }
        let names = Set((seccomp.syscalls ?? []).flatMap(\.names))
        return tokens.compactMap { token in
            let highest = names.map { seccomp_syscall_resolve_name_arch(token, $0) }.max() ?? -1
            return highest > 0 ? SeccompEnosysStub.Highest(archToken: token, number: UInt32(highest)) : nil
        }
    }

    static var libseccompVersion: String { BuildInfo.libseccomp }

    static func hex(_ value: UInt32) -> String { "0x" + String(value, radix: 16) }
}

/// One libseccomp filter context, released when it goes away.
struct LibseccompFilter: ~Copyable {
    let context: scmp_filter_ctx

    init(defaultAction: UInt32) throws {
        guard let context = seccomp_init(defaultAction) else {
            throw RuntimeError("linux.seccomp.defaultAction: libseccomp \(SeccompCompiler.libseccompVersion) refused action \(SeccompCompiler.hex(defaultAction))")
        }
        self.context = context
    }

    deinit { seccomp_release(context) }

    /// libseccomp returns 0 or a negative errno.
    func check(_ rc: Int32, allowing allowed: Int32? = nil, _ what: @autoclosure () -> String) throws {
        guard rc < 0, rc != allowed else { return }
        throw RuntimeError("\(what()): \(Sys.describe(errno: -rc))", errno: -rc)
    }

    /// The BPF program, through a memfd (libseccomp 2.5 exports only to a descriptor).
    func export() throws -> [UInt8] {
        let memfd = try withContext("linux.seccomp: export filter") { try Sys.memfd(name: "swiftlet-seccomp", bytes: []) }
        try check(seccomp_export_bpf(context, memfd.raw), "linux.seccomp: export filter")
        // A fresh open of the memfd reads from offset 0 (the export left ours at the end).
        let bytes = try withContext("linux.seccomp: read exported filter") { try Sys.readFile("/proc/self/fd/\(memfd.raw)") }
        guard !bytes.isEmpty, bytes.count % 8 == 0 else {
            throw RuntimeError("linux.seccomp: libseccomp exported \(bytes.count) bytes, not whole BPF instructions")
        }
        return bytes
    }
}

extension InitPlan {
    public mutating func addSeccomp(_ program: SeccompProgram) {
        var payload: [UInt8] = []
        withUnsafeBytes(of: program.flags) { payload.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt32(0)) { payload.append(contentsOf: $0) }
        payload += program.instructions
        append(SWL_P_SECCOMP, raw: payload)
    }
}
