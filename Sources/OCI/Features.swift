import FoundationEssentials

/// features.md "Features Structure": what the runtime implements, printed by `features`.
/// Mirrors `features.Features` of specs-go/features; the Go package's other types are nested
/// here (`Features.Linux`, `Features.Seccomp`, ...) to keep them apart from the config types.
/// Lists are plain strings: a nil list means "unknown", not "none".
public struct Features: Sendable, Codable, Equatable {
    /// REQUIRED: the oldest spec version recognised, e.g. `1.0.0`.
    public var ociVersionMin: String
    /// REQUIRED: the newest spec version recognised, e.g. `1.3.0`.
    public var ociVersionMax: String
    /// Recognised hook names (`createRuntime`, ...).
    public var hooks: [String]?
    /// Recognised mount option names (`ro`, `rbind`, ...).
    public var mountOptions: [String]?
    /// features-linux.md.
    public var linux: Linux?
    /// Implementation-specific metadata.
    public var annotations: [String: String]?
    /// Config annotations that may be unsafe; a trailing `.` marks a prefix.
    public var potentiallyUnsafeConfigAnnotations: [String]?

    public init(ociVersionMin: String = OCIVersion.minimum, ociVersionMax: String = OCIVersion.current,
                hooks: [String]? = nil, mountOptions: [String]? = nil, linux: Linux? = nil,
                annotations: [String: String]? = nil, potentiallyUnsafeConfigAnnotations: [String]? = nil) {
        self.ociVersionMin = ociVersionMin
        self.ociVersionMax = ociVersionMax
        self.hooks = hooks
        self.mountOptions = mountOptions
        self.linux = linux
        self.annotations = annotations
        self.potentiallyUnsafeConfigAnnotations = potentiallyUnsafeConfigAnnotations
    }

    public static func decode(_ data: Data) throws(SpecError) -> Features {
        try OCIJSON.decode(Features.self, from: data, document: "features")
    }

    public func encoded(prettyPrinted: Bool = false) throws(SpecError) -> Data {
        try OCIJSON.encode(self, prettyPrinted: prettyPrinted)
    }
}

extension Features {
    /// features-linux.md "Linux Features Structure".
    public struct Linux: Sendable, Codable, Equatable {
        /// features-linux.md "Namespaces".
        public var namespaces: [String]?
        /// features-linux.md "Capabilities".
        public var capabilities: [String]?
        public var cgroup: Cgroup?
        public var seccomp: Seccomp?
        public var apparmor: Apparmor?
        public var selinux: Selinux?
        public var intelRdt: IntelRdt?
        public var memoryPolicy: MemoryPolicy?
        public var mountExtensions: MountExtensions?
        public var netDevices: NetDevices?

        public init(namespaces: [String]? = nil, capabilities: [String]? = nil, cgroup: Cgroup? = nil,
                    seccomp: Seccomp? = nil, apparmor: Apparmor? = nil, selinux: Selinux? = nil,
                    intelRdt: IntelRdt? = nil, memoryPolicy: MemoryPolicy? = nil,
                    mountExtensions: MountExtensions? = nil, netDevices: NetDevices? = nil) {
            self.namespaces = namespaces
            self.capabilities = capabilities
            self.cgroup = cgroup
            self.seccomp = seccomp
            self.apparmor = apparmor
            self.selinux = selinux
            self.intelRdt = intelRdt
            self.memoryPolicy = memoryPolicy
            self.mountExtensions = mountExtensions
            self.netDevices = netDevices
        }
    }

    /// features-linux.md "Cgroup": which cgroup managers are compiled in.
    public struct Cgroup: Sendable, Codable, Equatable {
        public var v1: Bool?
        public var v2: Bool?
        public var systemd: Bool?
        public var systemdUser: Bool?
        public var rdma: Bool?

        public init(v1: Bool? = nil, v2: Bool? = nil, systemd: Bool? = nil, systemdUser: Bool? = nil, rdma: Bool? = nil) {
            self.v1 = v1
            self.v2 = v2
            self.systemd = systemd
            self.systemdUser = systemdUser
            self.rdma = rdma
        }
    }

    /// features-linux.md "Seccomp".
    public struct Seccomp: Sendable, Codable, Equatable {
        public var enabled: Bool?
        public var actions: [String]?
        public var operators: [String]?
        public var archs: [String]?
        public var knownFlags: [String]?
        /// The subset of `knownFlags` this kernel and libseccomp support.
        public var supportedFlags: [String]?

        public init(enabled: Bool? = nil, actions: [String]? = nil, operators: [String]? = nil, archs: [String]? = nil,
                    knownFlags: [String]? = nil, supportedFlags: [String]? = nil) {
            self.enabled = enabled
            self.actions = actions
            self.operators = operators
            self.archs = archs
            self.knownFlags = knownFlags
            self.supportedFlags = supportedFlags
        }
    }

    /// features-linux.md "AppArmor".
    public struct Apparmor: Sendable, Codable, Equatable {
        public var enabled: Bool?

        public init(enabled: Bool? = nil) {
            self.enabled = enabled
        }
    }

    /// features-linux.md "SELinux".
    public struct Selinux: Sendable, Codable, Equatable {
        public var enabled: Bool?

        public init(enabled: Bool? = nil) {
            self.enabled = enabled
        }
    }

    /// features-linux.md "Intel RDT".
    public struct IntelRdt: Sendable, Codable, Equatable {
        public var enabled: Bool?
        /// Whether `linux.intelRdt.schemata` is implemented.
        public var schemata: Bool?
        /// Whether `linux.intelRdt.enableMonitoring` is implemented.
        public var monitoring: Bool?

        public init(enabled: Bool? = nil, schemata: Bool? = nil, monitoring: Bool? = nil) {
            self.enabled = enabled
            self.schemata = schemata
            self.monitoring = monitoring
        }
    }

    /// features-linux.md "MemoryPolicy".
    public struct MemoryPolicy: Sendable, Codable, Equatable {
        public var modes: [String]?
        public var flags: [String]?

        public init(modes: [String]? = nil, flags: [String]? = nil) {
            self.modes = modes
            self.flags = flags
        }
    }

    /// features-linux.md "MountExtensions".
    public struct MountExtensions: Sendable, Codable, Equatable {
        public var idmap: IDMap?

        public init(idmap: IDMap? = nil) {
            self.idmap = idmap
        }
    }

    /// features-linux.md "MountExtensions" `idmap`.
    public struct IDMap: Sendable, Codable, Equatable {
        public var enabled: Bool?

        public init(enabled: Bool? = nil) {
            self.enabled = enabled
        }
    }

    /// features-linux.md "NetDevices".
    public struct NetDevices: Sendable, Codable, Equatable {
        public var enabled: Bool?

        public init(enabled: Bool? = nil) {
            self.enabled = enabled
        }
    }
}
