import OCI

/// What a rootless `create` does about cgroups (docs/rootless.md "Cgroups"; runtime-spec
/// config-linux.md "Control groups"). The rules, as runc's for rootless containers (its fs
/// manager with `Rootless` set), with one difference in how refusals read:
///
/// 1. The container's cgroup is made where `linux.cgroupsPath` says, as for root. Where the
///    user owns the parent (a cgroup v2 subtree delegated to it, e.g. systemd's
///    `user@UID.service`), this works and every limit applies as for root.
/// 2. Where the cgroup cannot be made for want of permission (EACCES, EPERM, EROFS: cgroup v1,
///    or v2 without delegation) and `linux.resources` asks for nothing, the container runs
///    without a cgroup of its own: it stays in the cgroup of the runtime that created it, and
///    `--debug` says so. `pause`, `resume`, `update` and `events` then fail saying why; `ps`
///    and `kill --all` use the container's pid namespace instead.
/// 3. Where it asks for something (any field of `linux.resources` but `devices`), the create
///    fails with the first such field named; runc fails with "cannot set pids limit:
///    container could not join or create cgroup".
/// 4. `linux.resources.devices` is left out: an unprivileged user can neither write a v1
///    devices cgroup nor attach a v2 device program, and needs neither, since it can make no
///    device node (mknod is refused in a user namespace) and reaches host devices only
///    through binds that keep the host's permissions. runc drops device rules likewise.
///
/// Root in the initial user namespace is never rootless: its failures stay errors.
public enum RootlessCgroupPolicy {
    /// The fields of `resources` that ask the cgroup for something, as config.json paths, in
    /// the order of the runtime-spec; `devices` is not one of them (rule 4).
    public static func requestedFields(_ resources: LinuxResources?) -> [String] {
        guard let r = resources else { return [] }
        var fields: [String] = []
        func add(_ name: String, _ present: Bool) { if present { fields.append("linux.resources." + name) } }
        if let m = r.memory {
            add("memory.limit", m.limit != nil)
            add("memory.reservation", m.reservation != nil)
            add("memory.swap", m.swap != nil)
            add("memory.kernel", m.kernel != nil)
            add("memory.kernelTCP", m.kernelTCP != nil)
            add("memory.swappiness", m.swappiness != nil)
            add("memory.disableOOMKiller", m.disableOOMKiller != nil)
        }
        if let c = r.cpu {
            add("cpu.shares", c.shares != nil)
            add("cpu.quota", c.quota != nil)
            add("cpu.burst", c.burst != nil)
            add("cpu.period", c.period != nil)
            add("cpu.realtimeRuntime", c.realtimeRuntime != nil)
            add("cpu.realtimePeriod", c.realtimePeriod != nil)
            add("cpu.cpus", c.cpus != nil)
            add("cpu.mems", c.mems != nil)
            add("cpu.idle", c.idle != nil)
        }
        add("pids.limit", r.pids?.limit != nil)
        if let b = r.blockIO {
            add("blockIO.weight", b.weight != nil)
            add("blockIO.leafWeight", b.leafWeight != nil)
            add("blockIO.weightDevice", !(b.weightDevice ?? []).isEmpty)
            add("blockIO.throttleReadBpsDevice", !(b.throttleReadBpsDevice ?? []).isEmpty)
            add("blockIO.throttleWriteBpsDevice", !(b.throttleWriteBpsDevice ?? []).isEmpty)
            add("blockIO.throttleReadIOPSDevice", !(b.throttleReadIOPSDevice ?? []).isEmpty)
            add("blockIO.throttleWriteIOPSDevice", !(b.throttleWriteIOPSDevice ?? []).isEmpty)
        }
        add("hugepageLimits", !(r.hugepageLimits ?? []).isEmpty)
        add("network.classID", r.network?.classID != nil)
        add("network.priorities", !(r.network?.priorities ?? []).isEmpty)
        add("rdma", !(r.rdma ?? [:]).isEmpty)
        add("unified", !(r.unified ?? [:]).isEmpty)
        return fields
    }

    /// Whether a cgroup failure is the lack of permission rule 2 and 3 are about.
    public static func isPermissionError(_ error: CgroupError) -> Bool {
        guard let errno = error.errno else { return false }
        return errno == Errno.EACCES || errno == Errno.EPERM || errno == Errno.EROFS
    }

    /// Whether the runtime, as it runs now, could give a container of its own a cgroup with
    /// `controllers` (rule 1): a unified host, the parent of its own cgroup (where a relative
    /// `cgroupsPath` goes on cgroup v2, `CgroupPath`) writable by it, and the controllers in
    /// that parent's cgroup.subtree_control. For `spec --rootless --hardened`.
    public static func delegatedSubtree(controllers: [String]) -> Bool {
        guard Cgroups.detectMode() == .unified,
              let unified = (try? Cgroups.hierarchies())?.first(where: { $0.isUnified }) else { return false }
        var own = unified.ownPath.split(separator: "/").map(String.init)
        _ = own.popLast()
        let parent = CgroupPath.join(unified.mountPoint, "/" + own.joinedBy("/"))
        guard Sys.isWritable(parent), let enabled = try? Sys.readText(parent + "/cgroup.subtree_control") else { return false }
        let names = Set(enabled.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
        return controllers.allSatisfy(names.contains)
    }

    public enum Decision: Equatable, Sendable {
        /// Rule 2: go on without a cgroup; the text is the `--debug` line.
        case runWithoutCgroup(String)
        /// Rule 3: the create fails with this one line.
        case refuse(String)
    }

    /// Pure: what a rootless create does after `create()` of its cgroup failed with `error`;
    /// nil when the failure is not one of permission (it stays the error it is).
    public static func decide(after error: CgroupError, requested: [String], uid: UInt32) -> Decision? {
        guard isPermissionError(error) else { return nil }
        let cause = error.path.map { "\(error.operation) \($0)" } ?? error.operation
        let reason = Sys.describe(errno: error.errno ?? 0)
        if let field = requested.first {
            return .refuse("\(field): cannot be applied: rootless, uid \(uid) may not create the container's cgroup "
                + "(\(cause): \(reason)); limits need a cgroup v2 subtree delegated to the user (docs/rootless.md), "
                + "or leave linux.resources out")
        }
        return .runWithoutCgroup("rootless: the container gets no cgroup of its own (\(cause): \(reason)); "
            + "it stays in the cgroup of the runtime that created it, and pause, resume, update and events will not work")
    }
}
