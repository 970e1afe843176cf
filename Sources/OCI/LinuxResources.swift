import FoundationEssentials

/// config-linux.md "Control groups": resource limits applied to the container's cgroup.
/// Mirrors `specs.LinuxResources`.
public struct LinuxResources: Sendable, Codable, Equatable {
    /// config-linux.md "Allowed Device list", applied in order.
    public var devices: [LinuxDeviceCgroup]?
    /// config-linux.md "Memory".
    public var memory: LinuxMemory?
    /// config-linux.md "CPU".
    public var cpu: LinuxCPU?
    /// config-linux.md "PIDs".
    public var pids: LinuxPids?
    /// config-linux.md "Block IO".
    public var blockIO: LinuxBlockIO?
    /// config-linux.md "Huge page limits".
    public var hugepageLimits: [LinuxHugepageLimit]?
    /// config-linux.md "Network".
    public var network: LinuxNetwork?
    /// config-linux.md "RDMA": keyed by device name.
    public var rdma: [String: LinuxRdma]?
    /// config-linux.md "Unified": cgroup v2 file name to value.
    public var unified: [String: String]?

    public init(devices: [LinuxDeviceCgroup]? = nil, memory: LinuxMemory? = nil, cpu: LinuxCPU? = nil,
                pids: LinuxPids? = nil, blockIO: LinuxBlockIO? = nil, hugepageLimits: [LinuxHugepageLimit]? = nil,
                network: LinuxNetwork? = nil, rdma: [String: LinuxRdma]? = nil, unified: [String: String]? = nil) {
        self.devices = devices
        self.memory = memory
        self.cpu = cpu
        self.pids = pids
        self.blockIO = blockIO
        self.hugepageLimits = hugepageLimits
        self.network = network
        self.rdma = rdma
        self.unified = unified
    }
}

/// config-linux.md "Allowed Device list": one device-controller rule.
public struct LinuxDeviceCgroup: Sendable, Codable, Equatable {
    public var allow: Bool
    /// `a` (all), `c` or `b`; nil means `a`.
    public var type: String?
    /// nil means every major (`*`).
    public var major: Int64?
    /// nil means every minor (`*`).
    public var minor: Int64?
    /// Letters from `rwm`.
    public var access: String?

    public init(allow: Bool, type: String? = nil, major: Int64? = nil, minor: Int64? = nil, access: String? = nil) {
        self.allow = allow
        self.type = type
        self.major = major
        self.minor = minor
        self.access = access
    }

    /// An access string as runc reads it (libcontainer/devices Permissions): the set of `r`,
    /// `w` and `m` it contains, in any order and repeated, in `rwm` order; every other
    /// character (the `a` of `rwa`, ...) is ignored and returned in `ignored`. An `access` with
    /// none of the three names no access and cannot be meant: `letters` is then empty.
    public static func accessLetters(_ access: String) -> (letters: String, ignored: String) {
        // ASCII (every value in practice): one pass over the bytes, no Character iteration.
        var read = false, write = false, mknod = false, ascii = true
        var ignoredBytes: [UInt8] = []
        for byte in access.utf8 {
            switch byte {
            case UInt8(ascii: "r"): read = true
            case UInt8(ascii: "w"): write = true
            case UInt8(ascii: "m"): mknod = true
            case 0x80...: ascii = false
            default: ignoredBytes.append(byte)
            }
            if !ascii { break }
        }
        guard ascii else {
            let letters = String("rwm".filter { access.contains($0) })
            let ignored = String(access.filter { !"rwm".contains($0) })
            return (letters, ignored)
        }
        let letters = switch (read, write, mknod) {
        case (true, true, true): "rwm"
        case (true, true, false): "rw"
        case (true, false, true): "rm"
        case (false, true, true): "wm"
        case (true, false, false): "r"
        case (false, true, false): "w"
        case (false, false, true): "m"
        case (false, false, false): ""
        }
        return (letters, ignoredBytes.isEmpty ? "" : String(decoding: ignoredBytes, as: UTF8.self))
    }
}

/// config-linux.md "Memory". Byte values; -1 means unlimited.
public struct LinuxMemory: Sendable, Codable, Equatable {
    public var limit: Int64?
    public var reservation: Int64?
    /// Memory plus swap.
    public var swap: Int64?
    /// Deprecated kernel memory limit.
    public var kernel: Int64?
    public var kernelTCP: Int64?
    public var swappiness: UInt64?
    public var disableOOMKiller: Bool?
    public var useHierarchy: Bool?
    public var checkBeforeUpdate: Bool?

    public init(limit: Int64? = nil, reservation: Int64? = nil, swap: Int64? = nil, kernel: Int64? = nil,
                kernelTCP: Int64? = nil, swappiness: UInt64? = nil, disableOOMKiller: Bool? = nil,
                useHierarchy: Bool? = nil, checkBeforeUpdate: Bool? = nil) {
        self.limit = limit
        self.reservation = reservation
        self.swap = swap
        self.kernel = kernel
        self.kernelTCP = kernelTCP
        self.swappiness = swappiness
        self.disableOOMKiller = disableOOMKiller
        self.useHierarchy = useHierarchy
        self.checkBeforeUpdate = checkBeforeUpdate
    }
}

/// config-linux.md "CPU". Times in microseconds.
public struct LinuxCPU: Sendable, Codable, Equatable {
    public var shares: UInt64?
    public var quota: Int64?
    public var burst: UInt64?
    public var period: UInt64?
    public var realtimeRuntime: Int64?
    public var realtimePeriod: UInt64?
    /// CPU list such as `0-3,7`.
    public var cpus: String?
    /// Memory node list such as `0-1`.
    public var mems: String?
    /// 1 sets SCHED_IDLE-like minimum weight for the cgroup.
    public var idle: Int64?

    public init(shares: UInt64? = nil, quota: Int64? = nil, burst: UInt64? = nil, period: UInt64? = nil,
                realtimeRuntime: Int64? = nil, realtimePeriod: UInt64? = nil, cpus: String? = nil,
                mems: String? = nil, idle: Int64? = nil) {
        self.shares = shares
        self.quota = quota
        self.burst = burst
        self.period = period
        self.realtimeRuntime = realtimeRuntime
        self.realtimePeriod = realtimePeriod
        self.cpus = cpus
        self.mems = mems
        self.idle = idle
    }
}

/// config-linux.md "PIDs". A limit of 0 or less means no limit.
public struct LinuxPids: Sendable, Codable, Equatable {
    public var limit: Int64?

    public init(limit: Int64? = nil) {
        self.limit = limit
    }
}

/// config-linux.md "Block IO".
public struct LinuxBlockIO: Sendable, Codable, Equatable {
    public var weight: UInt16?
    public var leafWeight: UInt16?
    public var weightDevice: [LinuxWeightDevice]?
    public var throttleReadBpsDevice: [LinuxThrottleDevice]?
    public var throttleWriteBpsDevice: [LinuxThrottleDevice]?
    public var throttleReadIOPSDevice: [LinuxThrottleDevice]?
    public var throttleWriteIOPSDevice: [LinuxThrottleDevice]?

    public init(weight: UInt16? = nil, leafWeight: UInt16? = nil, weightDevice: [LinuxWeightDevice]? = nil,
                throttleReadBpsDevice: [LinuxThrottleDevice]? = nil, throttleWriteBpsDevice: [LinuxThrottleDevice]? = nil,
                throttleReadIOPSDevice: [LinuxThrottleDevice]? = nil, throttleWriteIOPSDevice: [LinuxThrottleDevice]? = nil) {
        self.weight = weight
        self.leafWeight = leafWeight
        self.weightDevice = weightDevice
        self.throttleReadBpsDevice = throttleReadBpsDevice
        self.throttleWriteBpsDevice = throttleWriteBpsDevice
        self.throttleReadIOPSDevice = throttleReadIOPSDevice
        self.throttleWriteIOPSDevice = throttleWriteIOPSDevice
    }
}

/// config-linux.md "Block IO": a block device by number (embedded in the entries below).
public struct LinuxBlockIODevice: Sendable, Codable, Equatable {
    public var major: Int64
    public var minor: Int64

    public init(major: Int64, minor: Int64) {
        self.major = major
        self.minor = minor
    }
}

/// config-linux.md "Block IO" `weightDevice` entry: at least one of the weights is REQUIRED.
public struct LinuxWeightDevice: Sendable, Codable, Equatable {
    public var major: Int64
    public var minor: Int64
    public var weight: UInt16?
    public var leafWeight: UInt16?

    public init(major: Int64, minor: Int64, weight: UInt16? = nil, leafWeight: UInt16? = nil) {
        self.major = major
        self.minor = minor
        self.weight = weight
        self.leafWeight = leafWeight
    }

    public var device: LinuxBlockIODevice { LinuxBlockIODevice(major: major, minor: minor) }
}

/// config-linux.md "Block IO" throttle entry: a rate per second for one device.
public struct LinuxThrottleDevice: Sendable, Codable, Equatable {
    public var major: Int64
    public var minor: Int64
    public var rate: UInt64

    public init(major: Int64, minor: Int64, rate: UInt64) {
        self.major = major
        self.minor = minor
        self.rate = rate
    }

    public var device: LinuxBlockIODevice { LinuxBlockIODevice(major: major, minor: minor) }
}

/// config-linux.md "Huge page limits".
public struct LinuxHugepageLimit: Sendable, Codable, Equatable {
    /// `<size><unit-prefix>B`: `64KB`, `2MB`, `1GB`.
    public var pageSize: String
    /// Bytes.
    public var limit: UInt64

    public init(pageSize: String, limit: UInt64) {
        self.pageSize = pageSize
        self.limit = limit
    }
}

/// config-linux.md "Network": net_cls class id and net_prio priorities.
public struct LinuxNetwork: Sendable, Codable, Equatable {
    public var classID: UInt32?
    public var priorities: [LinuxInterfacePriority]?

    public init(classID: UInt32? = nil, priorities: [LinuxInterfacePriority]? = nil) {
        self.classID = classID
        self.priorities = priorities
    }
}

/// config-linux.md "Network" `priorities` entry.
public struct LinuxInterfacePriority: Sendable, Codable, Equatable {
    public var name: String
    public var priority: UInt32

    public init(name: String, priority: UInt32) {
        self.name = name
        self.priority = priority
    }
}

/// config-linux.md "RDMA": at least one of the limits is REQUIRED.
public struct LinuxRdma: Sendable, Codable, Equatable {
    public var hcaHandles: UInt32?
    public var hcaObjects: UInt32?

    public init(hcaHandles: UInt32? = nil, hcaObjects: UInt32? = nil) {
        self.hcaHandles = hcaHandles
        self.hcaObjects = hcaObjects
    }
}
