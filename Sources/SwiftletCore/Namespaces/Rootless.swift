/// Who the runtime is, for the decisions that differ when it runs without privilege
/// (docs/rootless.md): the default state root, how the user namespace's maps are written, and
/// what happens when no cgroup can be created.
///
/// "Rootless" is runc's definition: an effective uid other than 0, or any uid in a user
/// namespace other than the initial one (rootless podman runs its runtime as uid 0 of the
/// user namespace it made for the user, where root's powers end at the ids it was given).
public struct Rootless: Equatable, Sendable {
    public var euid: UInt32
    public var egid: UInt32
    /// The runtime is in the initial user namespace (its uid_map maps all 2^32-1 ids from 0).
    public var initialUserNamespace: Bool
    /// The runtime's effective capabilities in its own user namespace.
    public var capabilities: UInt64

    public init(euid: UInt32, egid: UInt32, initialUserNamespace: Bool, capabilities: UInt64) {
        self.euid = euid
        self.egid = egid
        self.initialUserNamespace = initialUserNamespace
        self.capabilities = capabilities
    }

    static let capSetGID: UInt64 = 1 << 6
    static let capSetUID: UInt64 = 1 << 7

    public var isRootless: Bool { euid != 0 || !initialUserNamespace }
    /// May write any mapping of ids of its own namespace into a child's uid_map
    /// (user_namespaces(7): CAP_SETUID in the parent namespace).
    public var canSetUID: Bool { capabilities & Self.capSetUID != 0 }
    public var canSetGID: Bool { capabilities & Self.capSetGID != 0 }

    /// The runtime as it runs now.
    public static func current() -> Rootless {
        Rootless(euid: Sys.geteuid(), egid: Sys.getegid(),
                 initialUserNamespace: Sys.ownUIDMap().map(isInitial(uidMap:)) ?? true,
                 capabilities: Sys.effectiveCapabilities() ?? 0)
    }

    /// Whether a uid_map is the initial namespace's: the one line `0 0 4294967295`.
    public static func isInitial(uidMap: String) -> Bool {
        let lines = uidMap.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        return lines.count == 1 && lines[0] == ["0", "0", "4294967295"]
    }
}

extension Rootless {
    /// `current().isRootless` without reading anything when the answer is plain (euid other
    /// than 0); root reads only its uid_map.
    public static func isRootlessRuntime() -> Bool {
        if Sys.geteuid() != 0 { return true }
        return !(Sys.ownUIDMap().map(isInitial(uidMap:)) ?? true)
    }
}
