import FoundationEssentials

/// config.md "Process": the container process. Mirrors `specs.Process` (Linux fields).
public struct Process: Sendable, Codable, Equatable {
    /// Attach a terminal (default false).
    public var terminal: Bool?
    /// Console size in characters; runtimes MUST ignore it unless `terminal` is true.
    public var consoleSize: Box?
    /// argv; at least one entry is REQUIRED on Linux, used as execvp's *file*.
    public var args: [String]?
    /// environ entries, `KEY=VALUE`.
    public var env: [String]?
    /// Working directory; REQUIRED, MUST be absolute.
    public var cwd: String
    /// config.md "User": REQUIRED.
    public var user: User
    /// config.md "Linux Process": capability sets kept for the process.
    public var capabilities: LinuxCapabilities?
    /// config.md "POSIX process": resource limits; duplicates are an error.
    public var rlimits: [POSIXRlimit]?
    /// Set no_new_privs (default false).
    public var noNewPrivileges: Bool?
    /// AppArmor profile name.
    public var apparmorProfile: String?
    /// `/proc/<pid>/oom_score_adj`, -1000...1000; left unchanged when nil.
    public var oomScoreAdj: Int?
    /// sched_setattr(2) attributes.
    public var scheduler: Scheduler?
    /// SELinux process label.
    public var selinuxLabel: String?
    /// ioprio_set(2) class and level.
    public var ioPriority: LinuxIOPriority?
    /// CPU affinity while exec'ing (`initial`) and for the process (`final`).
    public var execCPUAffinity: CPUAffinity?

    public init(terminal: Bool? = nil, consoleSize: Box? = nil, args: [String]? = nil, env: [String]? = nil,
                cwd: String = "/", user: User = User(uid: 0, gid: 0), capabilities: LinuxCapabilities? = nil,
                rlimits: [POSIXRlimit]? = nil, noNewPrivileges: Bool? = nil, apparmorProfile: String? = nil,
                oomScoreAdj: Int? = nil, scheduler: Scheduler? = nil, selinuxLabel: String? = nil,
                ioPriority: LinuxIOPriority? = nil, execCPUAffinity: CPUAffinity? = nil) {
        self.terminal = terminal
        self.consoleSize = consoleSize
        self.args = args
        self.env = env
        self.cwd = cwd
        self.user = user
        self.capabilities = capabilities
        self.rlimits = rlimits
        self.noNewPrivileges = noNewPrivileges
        self.apparmorProfile = apparmorProfile
        self.oomScoreAdj = oomScoreAdj
        self.scheduler = scheduler
        self.selinuxLabel = selinuxLabel
        self.ioPriority = ioPriority
        self.execCPUAffinity = execCPUAffinity
    }
}

/// config.md "Process" `consoleSize`: a rectangle in characters.
public struct Box: Sendable, Codable, Equatable {
    public var height: UInt
    public var width: UInt

    public init(height: UInt, width: UInt) {
        self.height = height
        self.width = width
    }
}

/// config.md "POSIX-platform User". `uid` and `gid` are REQUIRED on Linux; `username` is a
/// Windows field and cannot stand in for them.
public struct User: Sendable, Codable, Equatable {
    public var uid: UInt32
    public var gid: UInt32
    /// umask(2) of the process; unchanged when nil.
    public var umask: UInt32?
    public var additionalGids: [UInt32]?
    /// config.md "Windows User"; ignored on Linux.
    public var username: String?

    public init(uid: UInt32, gid: UInt32, umask: UInt32? = nil, additionalGids: [UInt32]? = nil, username: String? = nil) {
        self.uid = uid
        self.gid = gid
        self.umask = umask
        self.additionalGids = additionalGids
        self.username = username
    }

    private enum CodingKeys: String, CodingKey {
        case uid, gid, umask, additionalGids, username
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let username = try container.decodeIfPresent(String.self, forKey: .username)
        if username != nil && (!container.contains(.uid) || !container.contains(.gid)) {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: container.codingPath,
                debugDescription: "username is not supported; give uid and gid"))
        }
        uid = try container.decode(UInt32.self, forKey: .uid)
        gid = try container.decode(UInt32.self, forKey: .gid)
        umask = try container.decodeIfPresent(UInt32.self, forKey: .umask)
        additionalGids = try container.decodeIfPresent([UInt32].self, forKey: .additionalGids)
        self.username = username
    }
}

/// config.md "Linux Process" `capabilities`: capability names (`CAP_KILL`) per set. Names are
/// checked against `Capability` by `Spec.validate()`.
public struct LinuxCapabilities: Sendable, Codable, Equatable {
    public var bounding: [String]?
    public var effective: [String]?
    public var inheritable: [String]?
    public var permitted: [String]?
    public var ambient: [String]?

    public init(bounding: [String]? = nil, effective: [String]? = nil, inheritable: [String]? = nil,
                permitted: [String]? = nil, ambient: [String]? = nil) {
        self.bounding = bounding
        self.effective = effective
        self.inheritable = inheritable
        self.permitted = permitted
        self.ambient = ambient
    }
}

/// config.md "POSIX process" `rlimits` entry. `type` is an `RLIMIT_*` name (see `Rlimit`).
public struct POSIXRlimit: Sendable, Codable, Equatable {
    public var type: String
    public var hard: UInt64
    public var soft: UInt64

    public init(type: String, hard: UInt64, soft: UInt64) {
        self.type = type
        self.hard = hard
        self.soft = soft
    }
}

/// config.md "Linux Process" `ioPriority` (ioprio_set(2)).
public struct LinuxIOPriority: Sendable, Codable, Equatable {
    public var `class`: IOPriorityClass
    /// 0 (highest) ... 7 (lowest).
    public var priority: Int

    public init(class ioClass: IOPriorityClass, priority: Int) {
        self.class = ioClass
        self.priority = priority
    }
}

/// config.md "Linux Process" `ioPriority.class`.
public enum IOPriorityClass: String, SpecEnum {
    case rt = "IOPRIO_CLASS_RT"
    case be = "IOPRIO_CLASS_BE"
    case idle = "IOPRIO_CLASS_IDLE"

    public static let kind = "I/O priority class"
}

/// config.md "Linux Process" `execCPUAffinity`: CPU lists such as `0-3,7`.
public struct CPUAffinity: Sendable, Codable, Equatable {
    /// Affinity of the runtime's process that joins the container, before exec.
    public var initial: String?
    /// Affinity of the process once it is in the container's cgroup.
    public var `final`: String?

    public init(initial: String? = nil, final finalCPUs: String? = nil) {
        self.initial = initial
        self.final = finalCPUs
    }
}

/// config.md "Linux Process" `scheduler` (sched_setattr(2)).
public struct Scheduler: Sendable, Codable, Equatable {
    public var policy: LinuxSchedulerPolicy
    /// -20...19 (default 0).
    public var nice: Int32?
    /// Static priority for SCHED_FIFO / SCHED_RR, 1...99 (default 0).
    public var priority: Int32?
    public var flags: [LinuxSchedulerFlag]?
    /// SCHED_DEADLINE runtime in nanoseconds.
    public var runtime: UInt64?
    /// SCHED_DEADLINE deadline in nanoseconds.
    public var deadline: UInt64?
    /// SCHED_DEADLINE period in nanoseconds.
    public var period: UInt64?

    public init(policy: LinuxSchedulerPolicy, nice: Int32? = nil, priority: Int32? = nil,
                flags: [LinuxSchedulerFlag]? = nil, runtime: UInt64? = nil, deadline: UInt64? = nil,
                period: UInt64? = nil) {
        self.policy = policy
        self.nice = nice
        self.priority = priority
        self.flags = flags
        self.runtime = runtime
        self.deadline = deadline
        self.period = period
    }
}

/// config.md "Linux Process" `scheduler.policy`.
public enum LinuxSchedulerPolicy: String, SpecEnum {
    case other = "SCHED_OTHER"
    case fifo = "SCHED_FIFO"
    case rr = "SCHED_RR"
    case batch = "SCHED_BATCH"
    case iso = "SCHED_ISO"
    case idle = "SCHED_IDLE"
    case deadline = "SCHED_DEADLINE"

    public static let kind = "scheduler policy"
}

/// config.md "Linux Process" `scheduler.flags`.
public enum LinuxSchedulerFlag: String, SpecEnum {
    case resetOnFork = "SCHED_FLAG_RESET_ON_FORK"
    case reclaim = "SCHED_FLAG_RECLAIM"
    case dlOverrun = "SCHED_FLAG_DL_OVERRUN"
    case keepPolicy = "SCHED_FLAG_KEEP_POLICY"
    case keepParams = "SCHED_FLAG_KEEP_PARAMS"
    case utilClampMin = "SCHED_FLAG_UTIL_CLAMP_MIN"
    case utilClampMax = "SCHED_FLAG_UTIL_CLAMP_MAX"

    public static let kind = "scheduler flag"
}
