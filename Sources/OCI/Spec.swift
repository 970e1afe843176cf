import FoundationEssentials

/// The container configuration, `config.json` of a bundle (runtime-spec config.md).
/// Mirrors `specs.Spec` of opencontainers/runtime-spec specs-go/config.go; only the Linux
/// platform object is modelled (`solaris`, `windows`, `vm`, `zos` and `freebsd` are ignored
/// like any unknown property).
public struct Spec: Sendable, Codable, Equatable {
    /// config.md "Specification version": SemVer 2.0.0, REQUIRED.
    public var ociVersion: String
    /// config.md "Process": REQUIRED for `start`, so `validate()` requires it.
    public var process: Process?
    /// config.md "Root": REQUIRED on Linux.
    public var root: Root?
    /// config.md "Hostname".
    public var hostname: String?
    /// config.md "Domainname".
    public var domainname: String?
    /// config.md "Mounts": mounted in the listed order.
    public var mounts: [Mount]?
    /// config.md "POSIX-platform Hooks".
    public var hooks: Hooks?
    /// config.md "Annotations".
    public var annotations: [String: String]?
    /// config.md "Platform-specific configuration" / config-linux.md.
    public var linux: Linux?

    public init(ociVersion: String = OCIVersion.current, process: Process? = nil, root: Root? = nil,
                hostname: String? = nil, domainname: String? = nil, mounts: [Mount]? = nil,
                hooks: Hooks? = nil, annotations: [String: String]? = nil, linux: Linux? = nil) {
        self.ociVersion = ociVersion
        self.process = process
        self.root = root
        self.hostname = hostname
        self.domainname = domainname
        self.mounts = mounts
        self.hooks = hooks
        self.annotations = annotations
        self.linux = linux
    }

    /// Decodes a config.json; every failure names its JSON path (`linux.namespaces[2].type`),
    /// or `config.json` with line and column for a syntax error.
    public static func decode(_ data: Data) throws(SpecError) -> Spec {
        try OCIJSON.decode(Spec.self, from: data, document: "config.json")
    }

    /// Reads and decodes `<bundle>/config.json` (runtime-spec bundle.md). Does not validate.
    public static func load(bundle: String) throws(SpecError) -> Spec {
        let file = bundle.hasSuffix("/") ? bundle + "config.json" : bundle + "/config.json"
        return try decode(OCIJSON.read(file: file, document: "config.json"))
    }

    /// The JSON encoding; `nil` fields are omitted.
    public func encoded(prettyPrinted: Bool = false) throws(SpecError) -> Data {
        try OCIJSON.encode(self, prettyPrinted: prettyPrinted)
    }
}

/// config.md "Root": the container's root filesystem.
public struct Root: Sendable, Codable, Equatable {
    /// Absolute, or relative to the bundle. REQUIRED.
    public var path: String
    /// Make the root filesystem read-only inside the container (default false).
    public var readonly: Bool?

    public init(path: String, readonly: Bool? = nil) {
        self.path = path
        self.readonly = readonly
    }
}

/// config.md "Mounts" and "POSIX-platform Mounts".
public struct Mount: Sendable, Codable, Equatable {
    /// Path inside the container. config.md (v1.2.0+): on Linux it SHOULD be absolute and MAY be
    /// relative, meaning relative to "/" (see `absoluteDestination`).
    public var destination: String
    /// Filesystem type (`proc`, `tmpfs`, ...); a dummy such as `none` for bind mounts.
    public var type: String?
    /// Device, file or directory; for bind mounts absolute or relative to the bundle.
    public var source: String?
    /// fstab-style options (config.md "Linux mount options").
    public var options: [String]?
    /// ID-mapped mount (`idmap`/`ridmap` options); given together with `gidMappings`.
    public var uidMappings: [LinuxIDMapping]?
    /// ID-mapped mount; given together with `uidMappings`.
    public var gidMappings: [LinuxIDMapping]?

    public init(destination: String, type: String? = nil, source: String? = nil, options: [String]? = nil,
                uidMappings: [LinuxIDMapping]? = nil, gidMappings: [LinuxIDMapping]? = nil) {
        self.destination = destination
        self.type = type
        self.source = source
        self.options = options
        self.uidMappings = uidMappings
        self.gidMappings = gidMappings
    }

    /// config.md: "A mount is a bind mount if it has either `bind` or `rbind` in the options."
    /// A `type` of `bind` is accepted too, as runc does.
    public var isBind: Bool {
        type == "bind" || (options ?? []).contains { $0 == "bind" || $0 == "rbind" }
    }

    /// The destination as an absolute path: a relative one is "interpreted as relative to /".
    public var absoluteDestination: String {
        destination.hasPrefix("/") ? destination : "/" + destination
    }
}
