import OCI

/// The pure name → number tables of linux.seccomp (runtime-spec config-linux.md "Seccomp"):
/// actions, filter flags, comparison operators and libseccomp's architecture names. No
/// libseccomp call here, so every row is unit-tested (SecuritySeccompTablesTests).
public enum SeccompTables {
    // Filter return values: the kernel's SECCOMP_RET_* (linux/seccomp.h), which are also
    // libseccomp's SCMP_ACT_* values. The low 16 bits carry ERRNO's errno and TRACE's message.
    public static let retKillProcess: UInt32 = 0x8000_0000
    public static let retKillThread: UInt32 = 0x0000_0000
    public static let retTrap: UInt32 = 0x0003_0000
    public static let retErrno: UInt32 = 0x0005_0000
    public static let retUserNotif: UInt32 = 0x7fc0_0000
    public static let retTrace: UInt32 = 0x7ff0_0000
    public static let retLog: UInt32 = 0x7ffc_0000
    public static let retAllow: UInt32 = 0x7fff_0000

    /// config-linux.md: errnoRet / defaultErrnoRet default to EPERM.
    public static let defaultErrno: UInt = 1
    /// The kernel clamps a filter's errno to MAX_ERRNO; a larger value is a config error here.
    public static let maxErrno: UInt = 4095
    /// SECCOMP_RET_TRACE's message to the tracer is the 16-bit SECCOMP_RET_DATA.
    public static let maxTraceData: UInt = 0xffff

    /// The filter return value of an action. `data` is the errno (ERRNO) or tracer message
    /// (TRACE), already range-checked; other actions ignore it. runc maps SCMP_ACT_KILL to
    /// KILL_THREAD, which is what libseccomp's SCMP_ACT_KILL means too.
    public static func action(_ action: LinuxSeccompAction, data: UInt = defaultErrno) -> UInt32 {
        switch action {
        case .kill, .killThread: return retKillThread
        case .killProcess: return retKillProcess
        case .trap: return retTrap
        case .errno: return retErrno | UInt32(data & 0xffff)
        case .trace: return retTrace | UInt32(data & 0xffff)
        case .allow: return retAllow
        case .log: return retLog
        case .notify: return retUserNotif
        }
    }

    // seccomp(2) SECCOMP_FILTER_FLAG_* (linux/seccomp.h).
    public static let flagTsync: UInt32 = 1 << 0
    public static let flagLog: UInt32 = 1 << 1
    public static let flagSpecAllow: UInt32 = 1 << 2
    public static let flagNewListener: UInt32 = 1 << 3
    public static let flagTsyncESRCH: UInt32 = 1 << 4
    public static let flagWaitKillableRecv: UInt32 = 1 << 5

    public static func filterFlag(_ flag: LinuxSeccompFlag) -> UInt32 {
        switch flag {
        case .tsync: return flagTsync
        case .log: return flagLog
        case .specAllow: return flagSpecAllow
        case .waitKillableRecv: return flagWaitKillableRecv
        }
    }

    /// libseccomp's `enum scmp_compare` values (seccomp.h; stable since libseccomp 2.0).
    public static func compareOperator(_ op: LinuxSeccompOperator) -> UInt32 {
        switch op {
        case .notEqual: return 1
        case .lessThan: return 2
        case .lessEqual: return 3
        case .equalTo: return 4
        case .greaterEqual: return 5
        case .greaterThan: return 6
        case .maskedEqual: return 7
        }
    }

    /// The name `seccomp_arch_resolve_name` takes for an SCMP_ARCH_* constant. Whether this
    /// libseccomp knows it (LOONGARCH64, M68K, SH, SHEB need 2.6) is decided when compiling.
    public static func libseccompArchName(_ arch: Arch) -> String {
        switch arch {
        case .x86: return "x86"
        case .x86_64: return "x86_64"
        case .x32: return "x32"
        case .arm: return "arm"
        case .aarch64: return "aarch64"
        case .mips: return "mips"
        case .mips64: return "mips64"
        case .mips64n32: return "mips64n32"
        case .mipsel: return "mipsel"
        case .mipsel64: return "mipsel64"
        case .mipsel64n32: return "mipsel64n32"
        case .ppc: return "ppc"
        case .ppc64: return "ppc64"
        case .ppc64le: return "ppc64le"
        case .s390: return "s390"
        case .s390x: return "s390x"
        case .parisc: return "parisc"
        case .parisc64: return "parisc64"
        case .riscv64: return "riscv64"
        case .loongarch64: return "loongarch64"
        case .m68k: return "m68k"
        case .sh: return "sh"
        case .sheb: return "sheb"
        }
    }

    /// The syscall the process sends the notify listener fd with, right after loading the
    /// filter (docs/security.md "Seccomp notify"): a NOTIFY rule on it could never be answered.
    public static let listenerSendSyscall = "sendmsg"
}
