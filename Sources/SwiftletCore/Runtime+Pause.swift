import OCI

extension Runtime {
    /// `pause` (runc CLI): freezes every process of the container through its cgroup (v2
    /// cgroup.freeze, waiting for `frozen 1` in cgroup.events; v1 freezer.state FROZEN). As with
    /// runc, a created or running container can be paused; anything else is an error.
    public func pause(id: String) throws {
        do { try ContainerID.validate(id) } catch { throw RuntimeError(error) }
        let lock = try store.lock(id)
        let record = try store.read(id)
        let current = status(of: record)
        guard current == .running || current == .created else {
            throw RuntimeError("container \"\(id)\" is not running (status \(current.rawValue))")
        }
        let manager = try cgroupManager(record)
        do { try manager.freeze() } catch { throw RuntimeError("pause", cause: error) }
        _ = consume lock
    }

    /// `resume` (runc CLI): thaws a paused container; a container that is not paused is an error.
    public func resume(id: String) throws {
        do { try ContainerID.validate(id) } catch { throw RuntimeError(error) }
        let lock = try store.lock(id)
        let record = try store.read(id)
        let current = status(of: record)
        guard current == .paused else {
            throw RuntimeError("container \"\(id)\" is not paused (status \(current.rawValue))")
        }
        let manager = try cgroupManager(record)
        do { try manager.thaw() } catch { throw RuntimeError("resume", cause: error) }
        _ = consume lock
    }

    /// The manager of a container's recorded cgroups.
    func cgroupManager(_ record: ContainerRecord) throws -> CgroupManager {
        guard let description = record.cgroup else {
            // Rootless without delegation (RootlessCgroupPolicy rule 2).
            throw RuntimeError("container \"\(record.id)\" has no cgroup of its own (created rootless where the user "
                + "may not create cgroups, docs/rootless.md): this command needs one")
        }
        return Cgroups.manager(from: description)
    }
}
