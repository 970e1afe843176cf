import FoundationEssentials

/// runtime.md "State": what `state` reports and what hooks read on stdin. Mirrors
/// `specs.State`; runc's extra `state` output fields (rootfs, created, owner) belong to the
/// runtime, not here.
public struct State: Sendable, Codable, Equatable {
    public var ociVersion: String
    /// Unique on this host.
    public var id: String
    public var status: ContainerState
    /// The container process; REQUIRED on Linux when `status` is `created` or `running`.
    public var pid: Int32?
    /// Absolute path of the bundle directory.
    public var bundle: String
    public var annotations: [String: String]?

    public init(ociVersion: String = OCIVersion.current, id: String, status: ContainerState, pid: Int32? = nil,
                bundle: String, annotations: [String: String]? = nil) {
        self.ociVersion = ociVersion
        self.id = id
        self.status = status
        self.pid = pid
        self.bundle = bundle
        self.annotations = annotations
    }

    /// Decodes a state document (e.g. a hook's stdin); errors name the field or `state`.
    public static func decode(_ data: Data) throws(SpecError) -> State {
        try OCIJSON.decode(State.self, from: data, document: "state")
    }

    public func encoded(prettyPrinted: Bool = false) throws(SpecError) -> Data {
        try OCIJSON.encode(self, prettyPrinted: prettyPrinted)
    }
}

/// runtime.md "State" `status`. `paused` is the runtime-defined state runc reports for a
/// frozen cgroup ("Additional values MAY be defined by the runtime").
public enum ContainerState: String, SpecEnum {
    case creating
    case created
    case running
    case stopped
    case paused

    public static let kind = "container status"
}

/// config-linux.md "The Container Process State": sent to the seccomp agent at
/// `linux.seccomp.listenerPath` together with the notify fd.
public struct ContainerProcessState: Sendable, Codable, Equatable {
    public var ociVersion: String
    /// Names of the fds passed with SCM_RIGHTS, in order (`seccompFd`).
    public var fds: [String]
    /// The container process as seen by the runtime.
    public var pid: Int32
    /// `linux.seccomp.listenerMetadata`.
    public var metadata: String?
    public var state: State

    /// The name of the seccomp notify fd in `fds`.
    public static let seccompFdName = "seccompFd"

    public init(ociVersion: String = OCIVersion.current, fds: [String], pid: Int32, metadata: String? = nil, state: State) {
        self.ociVersion = ociVersion
        self.fds = fds
        self.pid = pid
        self.metadata = metadata
        self.state = state
    }
}
