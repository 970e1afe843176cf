import OCI

/// The container's cgroups on a legacy (v1) or hybrid host: one directory per mounted v1
/// hierarchy (named ones like name=systemd included), and on hybrid hosts also the cgroup in
/// the unified hierarchy, which holds the controllers v1 does not bind and is what
/// clone3(CLONE_INTO_CGROUP) places the init into. Kernel Documentation/admin-guide/cgroup-v1/.
public final class CgroupV1Manager: CgroupManager {
    public let description: CgroupDescription
    private let legacy: [CgroupDirectory]
    private let unified: CgroupDirectory?
    private let root: CgroupMountRoot

    /// `root`: the command's handle on /sys/fs/cgroup, shared by every hierarchy's directory
    /// (one per command; `Cgroups.manager`).
    public init(_ description: CgroupDescription, root: CgroupMountRoot = CgroupMountRoot()) {
        self.description = description
        self.root = root
        self.legacy = description.legacy.map { CgroupDirectory($0, root: root) }
        self.unified = description.unified.map { CgroupDirectory($0, root: root) }
    }

    /// Every directory once (co-mounted controllers share one).
    private var allDirectories: [CgroupDirectory] {
        var seen = Set<String>()
        return (legacy + (unified.map { [$0] } ?? [])).filter { seen.insert($0.path).inserted }
    }

    private func directory(of controller: String) -> CgroupDirectory? {
        legacy.first { $0.location.controllers.contains(controller) }
    }

    public func create() throws(CgroupError) {
        var created: [String] = []
        do {
            for dir in legacy {
                if dir.location.controllers.contains("cpuset") {
                    created += try Self.createCpuset(dir)
                } else {
                    created += try dir.makeLevels { _, _, _, _ throws(CgroupError) in }
                }
            }
            if let unified {
                created += try CgroupUnified.create(unified)
            }
        } catch {
            CgroupDirectory.removeCreated(created, root: root)
            throw error
        }
    }

    /// A new cpuset cgroup starts with empty cpuset.cpus and cpuset.mems, and a task cannot join
    /// it until both are set: copy them down from the parent at every level that has them empty
    /// (cgroup-v1/cpusets.rst; runc does the same).
    static func createCpuset(_ directory: CgroupDirectory) throws(CgroupError) -> [String] {
        var parentCPUs = ""
        var parentMems = ""
        return try directory.makeLevels { dirfd, display, depth, _ throws(CgroupError) in
            parentCPUs = try inherit("cpuset.cpus", from: parentCPUs, dirfd, display, depth)
            parentMems = try inherit("cpuset.mems", from: parentMems, dirfd, display, depth)
        }
    }

    /// The level's value of `file`, after setting it to the parent's when it was empty.
    private static func inherit(_ file: String, from parent: String, _ dirfd: Int32, _ display: String, _ depth: Int)
        throws(CgroupError) -> String
    {
        let path = display + "/" + file
        do {
            let value = try Sys.readText(at: dirfd, file, display: path)
            guard value.isEmpty && depth > 0 else { return value }
            try Sys.writeText(at: dirfd, file, parent, display: path)
            return parent
        } catch {
            throw CgroupError(error, message: "copying \(file) from the parent cgroup")
        }
    }

    public func directoryFD() -> Int32? {
        try? unified?.fd()
    }

    public func addProcess(_ pid: Int32) throws(CgroupError) {
        for dir in allDirectories {
            try dir.write("cgroup.procs", String(pid))
        }
    }

    public func openSelfJoin() throws(CgroupError) -> CgroupSelfJoin {
        var seen = Set<String>()
        return try CgroupSelfJoin.open(legacy.filter { seen.insert($0.path).inserted })
    }

    public func addProcess(_ pid: Int32, besides joined: CgroupSelfJoin, clonedIntoCgroup: Bool) throws(CgroupError) {
        let covered = Set(joined.directories)
        for dir in allDirectories where !covered.contains(dir.path) {
            if clonedIntoCgroup, dir === unified { continue }
            try dir.write("cgroup.procs", String(pid))
        }
    }

    /// The last plan made, with what it was made from: `create` validates the resources before
    /// the cgroup exists and applies them once it does, and when the host facts read for them
    /// are the same both times (always, unless the resources consult the new cgroup's own
    /// files: memory, blkio, hugetlb, unified keys) the conversion, a pure function of the two,
    /// gives the same plan. Converting the default device rules alone was ~0.15 M instructions.
    private var lastPlan: (resources: LinuxResources, host: CgroupHostInfo, plan: CgroupPlan)?

    private func plan(_ resources: LinuxResources) throws(CgroupError) -> CgroupPlan {
        let host = CgroupHostProbe.host(unified: unified, legacy: legacy, for: resources)
        if let lastPlan, lastPlan.host == host, lastPlan.resources == resources { return lastPlan.plan }
        let plan: CgroupPlan
        if description.mode == .hybrid, let unified {
            let legacyControllers = Set(legacy.flatMap(\.location.controllers))
            plan = try CgroupConversion.hybrid(resources, host: host, legacyControllers: legacyControllers,
                                               unifiedControllers: CgroupUnified.expectedControllers(unified))
        } else {
            plan = try CgroupConversion.v1(resources, host: host)
        }
        lastPlan = (resources, host, plan)
        return plan
    }

    public func validate(_ resources: LinuxResources) throws(CgroupError) -> [String] {
        try plan(resources).warnings
    }

    @discardableResult
    public func apply(_ resources: LinuxResources) throws(CgroupError) -> [String] {
        let plan = try plan(resources)
        try CgroupWriter.execute(plan.writes) { write throws(CgroupError) in
            if write.unified, let unified { return unified }
            if !write.unified, let dir = directory(of: write.controller) { return dir }
            throw CgroupError.invalid(write.field, "the \(write.controller) controller is not available on this host")
        }
        // A hybrid host without the v1 devices controller: the unified cgroup's eBPF filter.
        if let devices = resources.devices, description.mode == .hybrid, directory(of: "devices") == nil, let unified {
            try DeviceBPFLoader.attach(CgroupConversion.deviceRules(devices), to: unified)
        }
        return plan.warnings
    }

    public func processes() throws(CgroupError) -> [Int32] {
        // The union over every hierarchy: a process that joined only some of them (or was moved
        // by a nested runtime) is still the container's.
        // A hierarchy whose directory is gone is skipped; all of them gone is an error.
        var pids = Set<Int32>()
        var missing: CgroupError?
        var found = false
        for dir in allDirectories {
            do {
                pids.formUnion(try dir.processesRecursively())
                found = true
            } catch where error.errno == Errno.ENOENT {
                missing = missing ?? error
            }
        }
        if !found, let missing { throw missing }
        return pids.sorted()
    }

    public func signalAll(_ signal: Int32) throws(CgroupError) {
        if signal == Sys.SIGKILL, let unified, (try? CgroupUnified.kill(unified)) == true {
            // cgroup.kill reached everything in the unified cgroup; signal any process that is
            // only in the v1 hierarchies too.
            try CgroupUnified.signal(processes(), signal)
            return
        }
        let froze = !isFrozen() && (try? freeze()) != nil
        defer { if froze { _ = try? thaw() } }
        try CgroupUnified.signal(processes(), signal)
    }

    // MARK: freezer

    /// freezer.state: FROZEN is written again while the kernel reports FREEZING (a task in an
    /// uninterruptible sleep can hold it there), until FROZEN or the timeout; on timeout the
    /// cgroup is thawed and the error says so.
    public func freeze() throws(CgroupError) {
        guard let freezer = directory(of: "freezer") else {
            guard let unified else { throw CgroupError(operation: "freeze", message: "no freezer controller is mounted") }
            return try CgroupUnified.setFrozen(unified, true)
        }
        let deadline = Sys.monotonicMs() + 10_000
        var delay = 1
        while true {
            try freezer.write("freezer.state", "FROZEN")
            if try freezer.read("freezer.state") == "FROZEN" { return }
            if Sys.monotonicMs() >= deadline {
                _ = try? freezer.write("freezer.state", "THAWED")
                throw CgroupError(operation: "freeze", path: freezer.path + "/freezer.state", message: "timed out waiting for FROZEN")
            }
            Sys.sleepMs(delay)
            delay = min(delay * 2, 50)
        }
    }

    public func thaw() throws(CgroupError) {
        guard let freezer = directory(of: "freezer") else {
            guard let unified else { throw CgroupError(operation: "thaw", message: "no freezer controller is mounted") }
            return try CgroupUnified.setFrozen(unified, false)
        }
        let deadline = Sys.monotonicMs() + 10_000
        while true {
            try freezer.write("freezer.state", "THAWED")
            if try freezer.read("freezer.state") == "THAWED" { return }
            if Sys.monotonicMs() >= deadline {
                throw CgroupError(operation: "thaw", path: freezer.path + "/freezer.state", message: "timed out waiting for THAWED")
            }
            Sys.sleepMs(1)
        }
    }

    public func isFrozen() -> Bool {
        if let freezer = directory(of: "freezer") {
            let state = try? freezer.read("freezer.state")
            return state == "FROZEN" || state == "FREEZING"
        }
        if let unified { return CgroupUnified.isFrozen(unified) }
        return false
    }

    /// freezer.state reports an ancestor's freeze too (FROZEN or FREEZING); on a hybrid host
    /// the unified cgroup has a freezer of its own, which clone3 would place the init in.
    public func frozenReport() -> String? {
        if let freezer = directory(of: "freezer"), let state = try? freezer.read("freezer.state"),
           state == "FROZEN" || state == "FREEZING" {
            return freezer.path + "/freezer.state: " + state
        }
        return unified.flatMap(CgroupUnified.frozenReport)
    }

    public func stats() throws(CgroupError) -> CgroupStats {
        if let first = legacy.first { _ = try first.read("cgroup.procs") }  // the cgroup must exist
        return try CgroupStatsReader.v1(directory: { directory(of: $0) }, unified: unified)
    }

    /// Removes the cgroup in every hierarchy; a failure in one does not stop the others, the
    /// first failure is reported.
    public func destroy(retries: Int) throws(CgroupError) {
        var first: CgroupError?
        for dir in allDirectories {
            dir.close()
            do {
                try CgroupDirectory.removeTree(dir.path, root: root, retries: retries)
            } catch {
                if first == nil { first = error }
            }
        }
        if let first { throw first }
    }
}
