import OCI

/// The container's cgroup on a unified (cgroup v2 only) host. Every interface file is written
/// through the cgroup's directory descriptor (kernel Documentation/admin-guide/cgroup-v2.rst).
public final class CgroupV2Manager: CgroupManager {
    public let description: CgroupDescription
    private let directory: CgroupDirectory?

    /// `root`: the command's handle on /sys/fs/cgroup (one per command; `Cgroups.manager`).
    public init(_ description: CgroupDescription, root: CgroupMountRoot = CgroupMountRoot()) {
        self.description = description
        self.directory = description.unified.map { CgroupDirectory($0, root: root) }
    }

    private func dir() throws(CgroupError) -> CgroupDirectory {
        guard let directory else {
            throw CgroupError(operation: "cgroup", message: "the saved cgroup description has no unified cgroup")
        }
        return directory
    }

    public func create() throws(CgroupError) {
        let dir = try dir()
        try CgroupUnified.create(dir)
    }

    public func directoryFD() -> Int32? {
        try? directory?.fd()
    }

    public func addProcess(_ pid: Int32) throws(CgroupError) {
        try dir().write("cgroup.procs", String(pid))
    }

    public func openSelfJoin() throws(CgroupError) -> CgroupSelfJoin { .none }

    public func addProcess(_ pid: Int32, besides joined: CgroupSelfJoin, clonedIntoCgroup: Bool) throws(CgroupError) {
        if !clonedIntoCgroup { try addProcess(pid) }
    }

    public func validate(_ resources: LinuxResources) throws(CgroupError) -> [String] {
        let warnings = try CgroupConversion.v2(resources, host: CgroupHostProbe.host(unified: directory, legacy: [], for: resources)).warnings
        if let devices = resources.devices { _ = try DeviceBPF.program(CgroupConversion.deviceRules(devices)) }
        return warnings
    }

    @discardableResult
    public func apply(_ resources: LinuxResources) throws(CgroupError) -> [String] {
        let dir = try dir()
        let plan = try CgroupConversion.v2(resources, host: CgroupHostProbe.host(unified: dir, legacy: [], for: resources))
        try CgroupWriter.execute(plan.writes) { _ in dir }
        // The device controller of v2 is an eBPF program; nil devices (an `update`) keep the
        // program attached before.
        if let devices = resources.devices {
            try DeviceBPFLoader.attach(CgroupConversion.deviceRules(devices), to: dir)
        }
        return plan.warnings
    }

    public func processes() throws(CgroupError) -> [Int32] {
        try dir().processesRecursively()
    }

    public func signalAll(_ signal: Int32) throws(CgroupError) {
        let dir = try dir()
        if signal == Sys.SIGKILL, try CgroupUnified.kill(dir) { return }
        // Freeze first so nothing forks between reading the pids and signalling them.
        let froze = !CgroupUnified.isFrozen(dir) && (try? CgroupUnified.setFrozen(dir, true)) != nil
        defer { if froze { _ = try? CgroupUnified.setFrozen(dir, false) } }
        try CgroupUnified.signal(dir.processesRecursively(), signal)
    }

    public func freeze() throws(CgroupError) {
        try CgroupUnified.setFrozen(dir(), true)
    }

    public func thaw() throws(CgroupError) {
        try CgroupUnified.setFrozen(dir(), false)
    }

    public func isFrozen() -> Bool {
        guard let directory else { return false }
        return CgroupUnified.isFrozen(directory)
    }

    public func frozenReport() -> String? {
        directory.flatMap(CgroupUnified.frozenReport)
    }

    public func stats() throws(CgroupError) -> CgroupStats {
        try CgroupStatsReader.v2(dir())
    }

    public func destroy(retries: Int) throws(CgroupError) {
        let dir = try dir()
        dir.close()
        try CgroupDirectory.removeTree(dir.path, root: dir.root, retries: retries)
    }
}
