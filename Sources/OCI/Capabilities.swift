import FoundationEssentials

/// Linux capabilities by number (linux/capability.h), the names config.md "Linux Process"
/// `capabilities` uses. Unknown names are errors, never skipped: dropping an unknown name
/// silently would leave a capability set other than the one asked for.
public enum Capability: Int32, NumberedNames {
    case chown = 0
    case dacOverride = 1
    case dacReadSearch = 2
    case fowner = 3
    case fsetid = 4
    case kill = 5
    case setgid = 6
    case setuid = 7
    case setpcap = 8
    case linuxImmutable = 9
    case netBindService = 10
    case netBroadcast = 11
    case netAdmin = 12
    case netRaw = 13
    case ipcLock = 14
    case ipcOwner = 15
    case sysModule = 16
    case sysRawio = 17
    case sysChroot = 18
    case sysPtrace = 19
    case sysPacct = 20
    case sysAdmin = 21
    case sysBoot = 22
    case sysNice = 23
    case sysResource = 24
    case sysTime = 25
    case sysTtyConfig = 26
    case mknod = 27
    case lease = 28
    case auditWrite = 29
    case auditControl = 30
    case setfcap = 31
    case macOverride = 32
    case macAdmin = 33
    case syslog = 34
    case wakeAlarm = 35
    case blockSuspend = 36
    case auditRead = 37
    case perfmon = 38
    case bpf = 39
    case checkpointRestore = 40

    /// The highest capability this table knows (CAP_LAST_CAP of Linux 5.9+).
    public static let last = Capability.checkpointRestore

    public static let names: [String] = [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
        "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
        "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
        "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
        "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
        "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
        "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ]
}
