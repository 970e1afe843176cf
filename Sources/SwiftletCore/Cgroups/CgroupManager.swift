import OCI

/// A container's cgroups: creating them, putting processes in, applying
/// `linux.resources`, freezing, signalling and removing them (runtime-spec config-linux.md
/// "Control groups"). One implementation per host layout, chosen at run time:
/// `CgroupV2Manager` (unified) and `CgroupV1Manager` (legacy, and hybrid where v1 controllers
/// sit next to a cgroup2 mount).
public protocol CgroupManager: AnyObject {
    /// Everything needed to rebuild this manager later (saved in state.json).
    var description: CgroupDescription { get }

    /// Makes the cgroup directories in every hierarchy. An existing cgroup is joined, not an
    /// error (runc allows several containers to share a cgroupsPath).
    func create() throws(CgroupError)

    /// An O_PATH|O_DIRECTORY descriptor of the cgroup in the unified (v2) hierarchy, for
    /// clone3(CLONE_INTO_CGROUP); nil when there is none (pure v1) or it cannot be opened.
    /// The manager owns it: valid until the manager is released.
    func directoryFD() -> Int32?

    /// Moves `pid` into the cgroup in every hierarchy. Idempotent: a process already placed by
    /// CLONE_INTO_CGROUP is left where it is.
    func addProcess(_ pid: Int32) throws(CgroupError)

    /// The `tasks` files through which a single-threaded child moves itself into the v1
    /// hierarchies (see `CgroupSelfJoin`); `.none` where there are none (v2).
    func openSelfJoin() throws(CgroupError) -> CgroupSelfJoin

    /// `addProcess` for the hierarchies that neither the child (through `joined`) nor
    /// clone3(CLONE_INTO_CGROUP) (`clonedIntoCgroup`: `directoryFD()` was passed) placed it in:
    /// rewriting a pid the kernel already placed still costs the threadgroup lock.
    func addProcess(_ pid: Int32, besides joined: CgroupSelfJoin, clonedIntoCgroup: Bool) throws(CgroupError)

    /// Checks `resources` against this host before anything is created; the same checks
    /// `apply` makes, without writing.
    func validate(_ resources: LinuxResources) throws(CgroupError) -> [String]

    /// Writes `linux.resources` (create and `update`). Returns warnings for values the host's
    /// cgroup version cannot express and that are ignored (kernel memory, swappiness on v2, ...).
    @discardableResult
    func apply(_ resources: LinuxResources) throws(CgroupError) -> [String]

    /// The pids in the container's cgroup and every cgroup below it.
    func processes() throws(CgroupError) -> [Int32]

    /// Sends `signal` to every process in the cgroup (`kill --all`): cgroup.kill for SIGKILL on
    /// v2, otherwise each pid through a pidfd while the cgroup is frozen.
    func signalAll(_ signal: Int32) throws(CgroupError)

    /// Freezes every process and waits until the kernel reports the cgroup frozen.
    func freeze() throws(CgroupError)
    func thaw() throws(CgroupError)
    func isFrozen() -> Bool

    /// Where the kernel says this cgroup is frozen or freezing, in any hierarchy (its own
    /// freeze, or a frozen ancestor's, which a new cgroup inherits): `freezer.state FROZEN`,
    /// `cgroup.events frozen 1`; nil when thawed or when the cgroup does not exist yet. A
    /// process that joins a frozen cgroup stops at once, so create refuses one.
    func frozenReport() -> String?

    /// Usage counters, shaped like runc's `events --stats`.
    func stats() throws(CgroupError) -> CgroupStats

    /// Removes the cgroup (and any cgroups created below it) in every hierarchy, deepest
    /// first, retrying EBUSY `retries` times (with doubling sleeps from 10 ms) while exiting
    /// processes keep it busy; with 0 a busy cgroup fails at once. Missing directories are fine.
    func destroy(retries: Int) throws(CgroupError)
}

extension CgroupManager {
    /// `destroy` with the default patience for exiting processes (about 0.6 s).
    public func destroy() throws(CgroupError) { try destroy(retries: 6) }
}

/// Where one cgroup of a container lives in one hierarchy.
public struct CgroupLocation: Codable, Equatable, Sendable {
    /// The v1 controllers of the hierarchy (`["cpu"]`, `["name=systemd"]`); empty for unified.
    public var controllers: [String]
    /// Where the hierarchy is mounted (`/sys/fs/cgroup/memory`).
    public var mountPoint: String
    /// The cgroup below the mount point (`/swiftlet/c1`).
    public var path: String

    public init(controllers: [String], mountPoint: String, path: String) {
        self.controllers = controllers
        self.mountPoint = mountPoint
        self.path = path
    }

    /// The cgroup's directory on the host.
    public var directory: String { CgroupPath.join(mountPoint, path) }
}

/// The saved form of a container's cgroups: the mode and the cgroup directory in each hierarchy.
public struct CgroupDescription: Codable, Equatable, Sendable {
    public var mode: Cgroups.Mode
    /// The cgroup in the unified (v2) hierarchy: the only one on `unified`, the cgroup2 mount
    /// next to the v1 ones on `hybrid`, nil on `legacy`.
    public var unified: CgroupLocation?
    /// One per mounted v1 hierarchy (empty on `unified`).
    public var legacy: [CgroupLocation]

    public init(mode: Cgroups.Mode, unified: CgroupLocation?, legacy: [CgroupLocation]) {
        self.mode = mode
        self.unified = unified
        self.legacy = legacy
    }

    /// The v1 hierarchy holding `controller`, if mounted.
    public func legacyLocation(of controller: String) -> CgroupLocation? {
        legacy.first { $0.controllers.contains(controller) }
    }
}

public enum Cgroups {
    /// How the host mounts cgroups.
    public enum Mode: String, Codable, Sendable {
        /// cgroup2 at /sys/fs/cgroup.
        case unified
        /// v1 controllers at /sys/fs/cgroup/<controller> plus cgroup2 at /sys/fs/cgroup/unified.
        case hybrid
        /// v1 only.
        case legacy
    }

    static let root = "/sys/fs/cgroup"
    static let tmpfsMagic = 0x0102_1994

    /// statfs(/sys/fs/cgroup) is cgroup2 → unified; else cgroup2 at /sys/fs/cgroup/unified →
    /// hybrid; else legacy. Both looked up from `mountRoot` (no walk through sysfs).
    public static func detectMode(_ mountRoot: CgroupMountRoot = CgroupMountRoot()) -> Mode {
        if (try? mountRoot.fsType(root)) == Linux.CGROUP2_SUPER_MAGIC { return .unified }
        if (try? mountRoot.fsType(root + "/unified")) == Linux.CGROUP2_SUPER_MAGIC { return .hybrid }
        return .legacy
    }

    /// The hierarchies this process sees, from /proc/self/mountinfo and /proc/self/cgroup.
    public static func hierarchies() throws(CgroupError) -> [CgroupHierarchy] {
        let mountInfo: String
        let procCgroup: String
        do {
            mountInfo = try Sys.readText("/proc/self/mountinfo")
            procCgroup = try Sys.readText("/proc/self/cgroup")
        } catch {
            throw CgroupError(error)
        }
        return CgroupHierarchy.discover(mountInfo: CgroupProcFiles.parseMountInfo(mountInfo, fsTypes: ["cgroup", "cgroup2"]),
                                        procCgroup: CgroupProcFiles.parseProcCgroup(procCgroup))
    }

    /// The manager for a new container: `cgroupsPath` resolved as runc's cgroupfs driver does
    /// (see `CgroupPath`); empty or nil means the container ID relative to the runtime's own
    /// cgroup. Nothing is created yet.
    public static func manager(cgroupsPath: String?, containerID: String) throws(CgroupError) -> CgroupManager {
        let mountRoot = CgroupMountRoot()
        let description = try CgroupPath.describe(cgroupsPath: cgroupsPath, containerID: containerID,
                                                  mode: detectMode(mountRoot), hierarchies: hierarchies())
        return manager(from: description, mountRoot: mountRoot)
    }

    /// Rebuilds a manager from its saved description (state.json).
    public static func manager(from description: CgroupDescription,
                               mountRoot: CgroupMountRoot = CgroupMountRoot()) -> CgroupManager {
        switch description.mode {
        case .unified: return CgroupV2Manager(description, root: mountRoot)
        case .hybrid, .legacy: return CgroupV1Manager(description, root: mountRoot)
        }
    }
}
