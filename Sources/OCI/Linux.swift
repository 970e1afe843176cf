import FoundationEssentials

/// config-linux.md: Linux-specific configuration. Mirrors `specs.Linux`.
public struct Linux: Sendable, Codable, Equatable {
    /// config-linux.md "User namespace mappings".
    public var uidMappings: [LinuxIDMapping]?
    public var gidMappings: [LinuxIDMapping]?
    /// config-linux.md "Sysctl": kernel parameters set for the container.
    public var sysctl: [String: String]?
    /// config-linux.md "Control groups".
    public var resources: LinuxResources?
    /// config-linux.md "Cgroups Path".
    public var cgroupsPath: String?
    /// config-linux.md "Namespaces".
    public var namespaces: [LinuxNamespace]?
    /// config-linux.md "Devices".
    public var devices: [LinuxDevice]?
    /// config-linux.md "Network Devices": keyed by the host interface name.
    public var netDevices: [String: LinuxNetDevice]?
    /// config-linux.md "Seccomp".
    public var seccomp: LinuxSeccomp?
    /// config-linux.md "Rootfs Mount Propagation": shared, slave, private, unbindable (and the
    /// recursive `r` forms runc accepts).
    public var rootfsPropagation: String?
    /// config-linux.md "Masked Paths".
    public var maskedPaths: [String]?
    /// config-linux.md "Readonly Paths".
    public var readonlyPaths: [String]?
    /// config-linux.md "Mount Label".
    public var mountLabel: String?
    /// config-linux.md "IntelRdt".
    public var intelRdt: LinuxIntelRdt?
    /// config-linux.md "Memory policy".
    public var memoryPolicy: LinuxMemoryPolicy?
    /// config-linux.md "Personality".
    public var personality: LinuxPersonality?
    /// config-linux.md "Offset for Time Namespace": keyed by clock, `monotonic` or `boottime`.
    public var timeOffsets: [String: LinuxTimeOffset]?

    public init(uidMappings: [LinuxIDMapping]? = nil, gidMappings: [LinuxIDMapping]? = nil,
                sysctl: [String: String]? = nil, resources: LinuxResources? = nil, cgroupsPath: String? = nil,
                namespaces: [LinuxNamespace]? = nil, devices: [LinuxDevice]? = nil,
                netDevices: [String: LinuxNetDevice]? = nil, seccomp: LinuxSeccomp? = nil,
                rootfsPropagation: String? = nil, maskedPaths: [String]? = nil, readonlyPaths: [String]? = nil,
                mountLabel: String? = nil, intelRdt: LinuxIntelRdt? = nil, memoryPolicy: LinuxMemoryPolicy? = nil,
                personality: LinuxPersonality? = nil, timeOffsets: [String: LinuxTimeOffset]? = nil) {
        self.uidMappings = uidMappings
        self.gidMappings = gidMappings
        self.sysctl = sysctl
        self.resources = resources
        self.cgroupsPath = cgroupsPath
        self.namespaces = namespaces
        self.devices = devices
        self.netDevices = netDevices
        self.seccomp = seccomp
        self.rootfsPropagation = rootfsPropagation
        self.maskedPaths = maskedPaths
        self.readonlyPaths = readonlyPaths
        self.mountLabel = mountLabel
        self.intelRdt = intelRdt
        self.memoryPolicy = memoryPolicy
        self.personality = personality
        self.timeOffsets = timeOffsets
    }

    /// The namespace entry of `type`, if the config lists one.
    public func namespace(_ type: LinuxNamespaceType) -> LinuxNamespace? {
        namespaces?.first { $0.type == type }
    }
}

/// config-linux.md "Namespaces": one namespace to create (no `path`) or join (`path`).
public struct LinuxNamespace: Sendable, Codable, Equatable {
    public var type: LinuxNamespaceType
    /// Namespace file to join (absolute, in the runtime mount namespace).
    public var path: String?

    public init(type: LinuxNamespaceType, path: String? = nil) {
        self.type = type
        self.path = path
    }

    /// True when the runtime creates a new namespace: no `path`, or an empty one (which
    /// Go's `omitempty` writes the same as none).
    public var isNew: Bool { (path ?? "").isEmpty }
}

/// config-linux.md "Namespaces" `type`.
public enum LinuxNamespaceType: String, SpecEnum {
    case pid
    case network
    case mount
    case ipc
    case uts
    case user
    case cgroup
    case time

    public static let kind = "namespace type"
}

/// config-linux.md "User namespace mappings": `size` ids from `containerID` map to `hostID`.
public struct LinuxIDMapping: Sendable, Codable, Equatable {
    public var containerID: UInt32
    public var hostID: UInt32
    public var size: UInt32

    public init(containerID: UInt32, hostID: UInt32, size: UInt32) {
        self.containerID = containerID
        self.hostID = hostID
        self.size = size
    }
}

/// config-linux.md "Offset for Time Namespace".
public struct LinuxTimeOffset: Sendable, Codable, Equatable {
    public var secs: Int64?
    public var nanosecs: UInt32?

    public init(secs: Int64? = nil, nanosecs: UInt32? = nil) {
        self.secs = secs
        self.nanosecs = nanosecs
    }
}

/// config-linux.md "Devices": a device node made available in the container.
public struct LinuxDevice: Sendable, Codable, Equatable {
    /// Full path inside the container.
    public var path: String
    /// `c`, `b`, `u` (unbuffered character) or `p` (FIFO).
    public var type: String
    /// REQUIRED unless `type` is `p`.
    public var major: Int64?
    public var minor: Int64?
    /// Permission bits, written in decimal in JSON.
    public var fileMode: UInt32?
    public var uid: UInt32?
    public var gid: UInt32?

    public init(path: String, type: String, major: Int64? = nil, minor: Int64? = nil,
                fileMode: UInt32? = nil, uid: UInt32? = nil, gid: UInt32? = nil) {
        self.path = path
        self.type = type
        self.major = major
        self.minor = minor
        self.fileMode = fileMode
        self.uid = uid
        self.gid = gid
    }
}

/// config-linux.md "Network Devices": the interface's name inside the container.
public struct LinuxNetDevice: Sendable, Codable, Equatable {
    /// Defaults to the host name; may end in `%d` for a kernel-chosen unique name.
    public var name: String?

    public init(name: String? = nil) {
        self.name = name
    }
}

/// config-linux.md "Personality" (personality(2)).
public struct LinuxPersonality: Sendable, Codable, Equatable {
    public var domain: LinuxPersonalityDomain
    /// "Currently no flag values are supported", so any flag is an unknown value.
    public var flags: [LinuxPersonalityFlag]?

    public init(domain: LinuxPersonalityDomain, flags: [LinuxPersonalityFlag]? = nil) {
        self.domain = domain
        self.flags = flags
    }
}

/// config-linux.md "Personality" `domain`.
public enum LinuxPersonalityDomain: String, SpecEnum {
    case linux = "LINUX"
    case linux32 = "LINUX32"

    public static let kind = "personality domain"
}

/// config-linux.md "Personality" `flags`: the spec defines none yet, so every value is
/// rejected; the type exists so the field round-trips once flags are added.
public struct LinuxPersonalityFlag: SpecEnum {
    public let rawValue: String

    public static let allCases: [LinuxPersonalityFlag] = []
    public static let kind = "personality flag"

    public init?(rawValue: String) {
        guard Self.allCases.contains(where: { $0.rawValue == rawValue }) else { return nil }
        self.rawValue = rawValue
    }
}

/// config-linux.md "IntelRdt" (resctrl).
public struct LinuxIntelRdt: Sendable, Codable, Equatable {
    /// Class of service: a resctrl directory name, or `/` for the default class.
    public var closID: String?
    /// Lines written as is to the `schemata` file.
    public var schemata: [String]?
    /// `L3:<cache_id0>=<cbm0>;...`
    public var l3CacheSchema: String?
    /// `MB:<cache_id0>=<bandwidth0>;...`
    public var memBwSchema: String?
    public var enableMonitoring: Bool?

    public init(closID: String? = nil, schemata: [String]? = nil, l3CacheSchema: String? = nil,
                memBwSchema: String? = nil, enableMonitoring: Bool? = nil) {
        self.closID = closID
        self.schemata = schemata
        self.l3CacheSchema = l3CacheSchema
        self.memBwSchema = memBwSchema
        self.enableMonitoring = enableMonitoring
    }
}

/// config-linux.md "Memory policy" (set_mempolicy(2)).
public struct LinuxMemoryPolicy: Sendable, Codable, Equatable {
    public var mode: MemoryPolicyModeType
    /// Node list such as `0-3,7`.
    public var nodes: String?
    public var flags: [MemoryPolicyFlagType]?

    public init(mode: MemoryPolicyModeType, nodes: String? = nil, flags: [MemoryPolicyFlagType]? = nil) {
        self.mode = mode
        self.nodes = nodes
        self.flags = flags
    }
}

/// config-linux.md "Memory policy" `mode`.
public enum MemoryPolicyModeType: String, SpecEnum {
    case `default` = "MPOL_DEFAULT"
    case bind = "MPOL_BIND"
    case interleave = "MPOL_INTERLEAVE"
    case weightedInterleave = "MPOL_WEIGHTED_INTERLEAVE"
    case preferred = "MPOL_PREFERRED"
    case preferredMany = "MPOL_PREFERRED_MANY"
    case local = "MPOL_LOCAL"

    public static let kind = "memory policy mode"
}

/// config-linux.md "Memory policy" `flags`.
public enum MemoryPolicyFlagType: String, SpecEnum {
    case numaBalancing = "MPOL_F_NUMA_BALANCING"
    case relativeNodes = "MPOL_F_RELATIVE_NODES"
    case staticNodes = "MPOL_F_STATIC_NODES"

    public static let kind = "memory policy flag"
}
