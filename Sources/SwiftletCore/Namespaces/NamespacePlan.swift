import OCI

/// How the container's namespaces come to be: which are created by clone3/unshare and which are
/// joined by path. runtime-spec config-linux.md "Namespaces".
public struct NamespacePlan: Equatable, Sendable {
    /// A namespace given by `path`, joined with setns(2).
    public struct Join: Equatable, Sendable {
        public let type: LinuxNamespaceType
        public let path: String
        public let flag: UInt64
    }

    /// CLONE_NEW* flags of the namespaces to create (without CLONE_NEWTIME, which is unshared
    /// by the child so its offsets can be written before any process enters it).
    public let createFlags: UInt64
    public let joins: [Join]
    public let newUser: Bool
    public let newPid: Bool
    public let newTime: Bool
    public let newMount: Bool
    public let newUTS: Bool
    public let newNet: Bool

    /// The clone flag of each namespace type.
    public static func flag(of type: LinuxNamespaceType) -> UInt64 {
        switch type {
        case .pid: return Linux.CLONE_NEWPID
        case .network: return Linux.CLONE_NEWNET
        case .mount: return Linux.CLONE_NEWNS
        case .ipc: return Linux.CLONE_NEWIPC
        case .uts: return Linux.CLONE_NEWUTS
        case .user: return Linux.CLONE_NEWUSER
        case .cgroup: return Linux.CLONE_NEWCGROUP
        case .time: return Linux.CLONE_NEWTIME
        }
    }

    /// setns order: the user namespace first (it grants the capabilities needed to join the
    /// others), the mount namespace last (joining it changes how later paths resolve; all
    /// paths are opened before any setns anyway).
    static let joinOrder: [LinuxNamespaceType] = [.user, .ipc, .uts, .network, .pid, .cgroup, .time, .mount]

    public init(_ namespaces: [LinuxNamespace]) {
        var create: UInt64 = 0
        var joins: [Join] = []
        var newTime = false
        for ns in namespaces {
            let flag = Self.flag(of: ns.type)
            if let path = ns.path, !path.isEmpty {
                joins.append(Join(type: ns.type, path: path, flag: flag))
            } else if ns.type == .time {
                newTime = true
            } else {
                create |= flag
            }
        }
        joins.sort { a, b in
            (Self.joinOrder.firstIndex(of: a.type) ?? 0) < (Self.joinOrder.firstIndex(of: b.type) ?? 0)
        }
        self.createFlags = create
        self.joins = joins
        self.newTime = newTime
        self.newUser = create & Linux.CLONE_NEWUSER != 0
        self.newPid = create & Linux.CLONE_NEWPID != 0
        self.newMount = create & Linux.CLONE_NEWNS != 0
        self.newUTS = create & Linux.CLONE_NEWUTS != 0
        self.newNet = create & Linux.CLONE_NEWNET != 0
    }

    /// A namespace of this type is private to the container (created, or joined by path).
    public func isPrivate(_ type: LinuxNamespaceType) -> Bool {
        createFlags & Self.flag(of: type) != 0 || joins.contains { $0.type == type } || (type == .time && newTime)
    }

    /// True when one clone3 can create everything: no namespace joined by path needs the
    /// host's capabilities after a new user namespace exists, and the pid namespace is not
    /// joined. Otherwise a first child joins and unshares, and a second one (CLONE_PARENT)
    /// becomes PID 1 (see docs/architecture.md "Process model").
    public var singleClone: Bool {
        if joins.isEmpty { return true }
        if joins.contains(where: { $0.type == .user || $0.type == .pid }) { return false }
        return !newUser
    }

    /// The text written to /proc/PID/uid_map or gid_map: one `inside outside size` line each.
    public static func mapText(_ mappings: [LinuxIDMapping]) -> String {
        mappings.map { "\($0.containerID) \($0.hostID) \($0.size)\n" }.joined()
    }

    /// The text written to /proc/self/timens_offsets: `monotonic secs nanosecs` lines.
    /// runtime-spec config-linux.md "Offset for Time Namespace".
    public static func timeOffsetsText(_ offsets: [String: LinuxTimeOffset]) -> String {
        offsets.keys.sorted().map { key -> String in
            let o = offsets[key]
            return "\(key) \(o?.secs ?? 0) \(o?.nanosecs ?? 0)\n"
        }.joined()
    }
}
