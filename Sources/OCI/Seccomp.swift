import FoundationEssentials

/// config-linux.md "Seccomp": the syscall filter. Mirrors `specs.LinuxSeccomp`.
public struct LinuxSeccomp: Sendable, Codable, Equatable {
    /// Action for syscalls no rule matches; SCMP_ACT_NOTIFY is not allowed here.
    public var defaultAction: LinuxSeccompAction
    /// errno for a default action of SCMP_ACT_ERRNO or SCMP_ACT_TRACE (default EPERM).
    public var defaultErrnoRet: UInt?
    /// Extra architectures; the native one is always included.
    public var architectures: [Arch]?
    /// seccomp(2) filter flags.
    public var flags: [LinuxSeccompFlag]?
    /// Unix socket that receives the notify fd when SCMP_ACT_NOTIFY is used.
    public var listenerPath: String?
    /// Opaque data for the seccomp agent; MUST NOT be set without `listenerPath`.
    public var listenerMetadata: String?
    public var syscalls: [LinuxSyscall]?

    public init(defaultAction: LinuxSeccompAction, defaultErrnoRet: UInt? = nil, architectures: [Arch]? = nil,
                flags: [LinuxSeccompFlag]? = nil, listenerPath: String? = nil, listenerMetadata: String? = nil,
                syscalls: [LinuxSyscall]? = nil) {
        self.defaultAction = defaultAction
        self.defaultErrnoRet = defaultErrnoRet
        self.architectures = architectures
        self.flags = flags
        self.listenerPath = listenerPath
        self.listenerMetadata = listenerMetadata
        self.syscalls = syscalls
    }
}

/// config-linux.md "Seccomp" `syscalls` entry.
public struct LinuxSyscall: Sendable, Codable, Equatable {
    /// At least one syscall name.
    public var names: [String]
    public var action: LinuxSeccompAction
    /// errno for SCMP_ACT_ERRNO / SCMP_ACT_TRACE (default EPERM).
    public var errnoRet: UInt?
    public var args: [LinuxSeccompArg]?

    public init(names: [String], action: LinuxSeccompAction, errnoRet: UInt? = nil, args: [LinuxSeccompArg]? = nil) {
        self.names = names
        self.action = action
        self.errnoRet = errnoRet
        self.args = args
    }
}

/// config-linux.md "Seccomp" `syscalls[].args` entry: compare argument `index` with `value`.
public struct LinuxSeccompArg: Sendable, Codable, Equatable {
    /// Argument number, 0...5.
    public var index: UInt
    public var value: UInt64
    /// Second operand (the mask's comparison value for SCMP_CMP_MASKED_EQ).
    public var valueTwo: UInt64?
    public var op: LinuxSeccompOperator

    public init(index: UInt, value: UInt64, valueTwo: UInt64? = nil, op: LinuxSeccompOperator) {
        self.index = index
        self.value = value
        self.valueTwo = valueTwo
        self.op = op
    }
}

/// config-linux.md "Seccomp" actions (libseccomp v2.6.0 names).
public enum LinuxSeccompAction: String, SpecEnum {
    case kill = "SCMP_ACT_KILL"
    case killProcess = "SCMP_ACT_KILL_PROCESS"
    case killThread = "SCMP_ACT_KILL_THREAD"
    case trap = "SCMP_ACT_TRAP"
    case errno = "SCMP_ACT_ERRNO"
    case trace = "SCMP_ACT_TRACE"
    case allow = "SCMP_ACT_ALLOW"
    case log = "SCMP_ACT_LOG"
    case notify = "SCMP_ACT_NOTIFY"

    public static let kind = "seccomp action"

    /// Whether `errnoRet` / `defaultErrnoRet` means anything for this action.
    public var takesErrno: Bool { self == .errno || self == .trace }
}

/// config-linux.md "Seccomp" `architectures` (libseccomp v2.6.0 names).
public enum Arch: String, SpecEnum {
    case x86 = "SCMP_ARCH_X86"
    case x86_64 = "SCMP_ARCH_X86_64"
    case x32 = "SCMP_ARCH_X32"
    case arm = "SCMP_ARCH_ARM"
    case aarch64 = "SCMP_ARCH_AARCH64"
    case mips = "SCMP_ARCH_MIPS"
    case mips64 = "SCMP_ARCH_MIPS64"
    case mips64n32 = "SCMP_ARCH_MIPS64N32"
    case mipsel = "SCMP_ARCH_MIPSEL"
    case mipsel64 = "SCMP_ARCH_MIPSEL64"
    case mipsel64n32 = "SCMP_ARCH_MIPSEL64N32"
    case ppc = "SCMP_ARCH_PPC"
    case ppc64 = "SCMP_ARCH_PPC64"
    case ppc64le = "SCMP_ARCH_PPC64LE"
    case s390 = "SCMP_ARCH_S390"
    case s390x = "SCMP_ARCH_S390X"
    case parisc = "SCMP_ARCH_PARISC"
    case parisc64 = "SCMP_ARCH_PARISC64"
    case riscv64 = "SCMP_ARCH_RISCV64"
    case loongarch64 = "SCMP_ARCH_LOONGARCH64"
    case m68k = "SCMP_ARCH_M68K"
    case sh = "SCMP_ARCH_SH"
    case sheb = "SCMP_ARCH_SHEB"

    public static let kind = "seccomp architecture"
}

/// config-linux.md "Seccomp" `flags`.
public enum LinuxSeccompFlag: String, SpecEnum {
    case tsync = "SECCOMP_FILTER_FLAG_TSYNC"
    case log = "SECCOMP_FILTER_FLAG_LOG"
    case specAllow = "SECCOMP_FILTER_FLAG_SPEC_ALLOW"
    case waitKillableRecv = "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"

    public static let kind = "seccomp flag"
}

/// config-linux.md "Seccomp" `syscalls[].args[].op`.
public enum LinuxSeccompOperator: String, SpecEnum {
    case notEqual = "SCMP_CMP_NE"
    case lessThan = "SCMP_CMP_LT"
    case lessEqual = "SCMP_CMP_LE"
    case equalTo = "SCMP_CMP_EQ"
    case greaterEqual = "SCMP_CMP_GE"
    case greaterThan = "SCMP_CMP_GT"
    case maskedEqual = "SCMP_CMP_MASKED_EQ"

    public static let kind = "seccomp operator"
}
