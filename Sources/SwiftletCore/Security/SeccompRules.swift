import OCI

/// One argument comparison of a rule: libseccomp's `struct scmp_arg_cmp`.
public struct SeccompCondition: Equatable, Sendable {
    public var index: UInt32
    /// `enum scmp_compare` (SeccompTables.compareOperator).
    public var op: UInt32
    public var value: UInt64
    /// The second operand; only SCMP_CMP_MASKED_EQ uses it ((arg & value) == valueTwo).
    public var valueTwo: UInt64

    public init(index: UInt32, op: UInt32, value: UInt64, valueTwo: UInt64 = 0) {
        self.index = index
        self.op = op
        self.value = value
        self.valueTwo = valueTwo
    }
}

/// One libseccomp rule: a syscall, an action, and conditions that must all hold.
public struct SeccompRule: Equatable, Sendable {
    public var syscall: String
    public var action: UInt32
    public var conditions: [SeccompCondition]
    /// The config entry it came from (`linux.seccomp.syscalls[3].names[1]`).
    public var path: String

    public init(syscall: String, action: UInt32, conditions: [SeccompCondition] = [], path: String) {
        self.syscall = syscall
        self.action = action
        self.conditions = conditions
        self.path = path
    }
}

/// linux.seccomp translated to numbers, before libseccomp sees it: the pure half of the seccomp
/// compiler, unit-tested without libseccomp (SecuritySeccompRulesTests). runtime-spec
/// config-linux.md "Seccomp"; where the spec is silent, runc's semantics.
public struct SeccompRuleSet: Equatable, Sendable {
    public var defaultAction: UInt32
    /// libseccomp architecture names to add, in config order without duplicates (the native
    /// architecture is always in the filter).
    public var architectures: [(path: String, name: String)]
    /// SECCOMP_FILTER_FLAG_* to load the filter with.
    public var flags: UInt32
    public var rules: [SeccompRule]
    /// Debug lines about what was left out and why.
    public var notes: [String]

    public var usesNotify: Bool { flags & SeccompTables.flagNewListener != 0 }

    public static func == (a: Self, b: Self) -> Bool {
        a.defaultAction == b.defaultAction && a.architectures.map(\.name) == b.architectures.map(\.name)
            && a.flags == b.flags && a.rules == b.rules && a.notes == b.notes
    }

    public init(translating seccomp: LinuxSeccomp) throws(SpecError) {
        let base = "linux.seccomp"
        if seccomp.defaultAction == .notify {
            throw SpecError(path: "\(base).defaultAction", message: "SCMP_ACT_NOTIFY cannot be the default action")
        }
        defaultAction = try Self.actionValue(seccomp.defaultAction, data: seccomp.defaultErrnoRet, path: "\(base).defaultErrnoRet")
        notes = []

        architectures = []
        for (i, arch) in (seccomp.architectures ?? []).enumerated() {
            let name = SeccompTables.libseccompArchName(arch)
            if !architectures.contains(where: { $0.name == name }) {
                architectures.append((JSONPath.index("\(base).architectures", i), name))
            }
        }

        rules = []
        var usesNotify = false
        for (i, entry) in (seccomp.syscalls ?? []).enumerated() {
            let path = JSONPath.index("\(base).syscalls", i)
            if entry.names.isEmpty { throw SpecError(path: "\(path).names", message: "must not be empty") }
            let action = try Self.actionValue(entry.action, data: entry.errnoRet, path: "\(path).errnoRet")
            let groups = try Self.conditionGroups(entry.args ?? [], path: "\(path).args")
            if action == defaultAction {
                // runc skips these too: libseccomp refuses a rule that repeats the default action.
                notes.append("\(path): same action as defaultAction, rule not needed")
                continue
            }
            for (j, name) in entry.names.enumerated() {
                let namePath = JSONPath.index("\(path).names", j)
                if name.isEmpty { throw SpecError(path: namePath, message: "must not be empty") }
                if entry.action == .notify && name == SeccompTables.listenerSendSyscall {
                    throw SpecError(path: namePath, message: "SCMP_ACT_NOTIFY cannot be used for \(name): the process sends the listener fd with it, so nobody could answer")
                }
                for conditions in groups {
                    rules.append(SeccompRule(syscall: name, action: action, conditions: conditions, path: namePath))
                }
            }
            if entry.action == .notify { usesNotify = true }
        }

        var flags: UInt32 = 0
        for flag in seccomp.flags ?? [] { flags |= SeccompTables.filterFlag(flag) }
        if usesNotify {
            let listener = seccomp.listenerPath ?? ""
            if listener.isEmpty {
                throw SpecError(path: "\(base).listenerPath", message: "required when SCMP_ACT_NOTIFY is used")
            }
            flags |= SeccompTables.flagNewListener
            // TSYNC alone cannot be combined with a listener (EINVAL): TSYNC_ESRCH (Linux 5.7)
            // makes a sync failure ESRCH so the return value stays free for the listener fd.
            if flags & SeccompTables.flagTsync != 0 { flags |= SeccompTables.flagTsyncESRCH }
        } else if flags & SeccompTables.flagWaitKillableRecv != 0 {
            // The kernel refuses WAIT_KILLABLE_RECV without a listener; it means nothing then.
            flags &= ~SeccompTables.flagWaitKillableRecv
            notes.append("\(base).flags: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV ignored: no SCMP_ACT_NOTIFY rule")
        }
        self.flags = flags
    }

    /// The filter return value of an action with its errnoRet/defaultErrnoRet, range-checked.
    static func actionValue(_ action: LinuxSeccompAction, data: UInt?, path: String) throws(SpecError) -> UInt32 {
        switch action {
        case .errno:
            let errno = data ?? SeccompTables.defaultErrno
            guard errno <= SeccompTables.maxErrno else {
                throw SpecError(path: path, message: "errno \(errno) is out of range (at most \(SeccompTables.maxErrno))")
            }
            return SeccompTables.action(action, data: errno)
        case .trace:
            let value = data ?? SeccompTables.defaultErrno
            guard value <= SeccompTables.maxTraceData else {
                throw SpecError(path: path, message: "\(value) is out of range for SCMP_ACT_TRACE (at most \(SeccompTables.maxTraceData))")
            }
            return SeccompTables.action(action, data: value)
        default:
            if data != nil {
                throw SpecError(path: path, message: "only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not \(action.rawValue)")
            }
            return SeccompTables.action(action)
        }
    }

    /// The condition lists one syscalls entry becomes. All args of an entry must hold together
    /// (one rule, conditions ANDed), except when two args compare the same argument: libseccomp
    /// cannot AND those, and runc then adds one rule per arg (ORed). We do the same, so
    /// profiles written for runc and Docker mean the same thing here.
    static func conditionGroups(_ args: [LinuxSeccompArg], path: String) throws(SpecError) -> [[SeccompCondition]] {
        if args.isEmpty { return [[]] }
        var conditions: [SeccompCondition] = []
        var seen: Set<UInt> = []
        var repeated = false
        for (i, arg) in args.enumerated() {
            guard arg.index < 6 else {
                throw SpecError(path: "\(JSONPath.index(path, i)).index", message: "must be less than 6, got \(arg.index)")
            }
            if !seen.insert(arg.index).inserted { repeated = true }
            conditions.append(SeccompCondition(index: UInt32(arg.index), op: SeccompTables.compareOperator(arg.op),
                                               value: arg.value, valueTwo: arg.valueTwo ?? 0))
        }
        return repeated ? conditions.map { [$0] } : [conditions]
    }
}
