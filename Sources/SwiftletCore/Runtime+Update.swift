import OCI

extension Runtime {
    /// `update` (runc CLI): changes the resources of a live container. `update` holds the fields
    /// to change; they are merged into the resources recorded in state.json, the result is
    /// checked as `create` checks config.json (the OCI rules, then what this host's cgroups
    /// accept) before anything is written, only the changed groups are written, and the merged
    /// resources are recorded so that the next update starts from them.
    public func update(id: String, resources update: LinuxResources) throws {
        do { try ContainerID.validate(id) } catch { throw RuntimeError(error) }
        let lock = try store.lock(id)
        var record = try store.read(id)
        let current = status(of: record)
        guard current != .stopped else {
            throw RuntimeError("cannot update container \"\(id)\" that is stopped")
        }
        let manager = try cgroupManager(record)
        // Kernel memory limits are ignored (with a warning) where they are given; they are not
        // carried on, so that later updates do not warn about them again.
        // What create applied (from the saved config) until an update recorded its own.
        if record.resources == nil { record.resources = try store.savedSpec(of: record).map(Self.createResources) }
        var recorded = record.resources ?? LinuxResources()
        recorded.memory?.kernel = nil
        recorded.memory?.kernelTCP = nil
        var merged = recorded.merging(update)
        do { try merged.validate() } catch { throw RuntimeError(error) }
        var withoutDevices = merged
        withoutDevices.devices = nil
        do {
            _ = try manager.validate(withoutDevices)
            for warning in try manager.apply(merged.updateDelta(update)) { warn(warning) }
        } catch {
            throw RuntimeError("update", cause: error)
        }
        merged.devices = record.resources?.devices
        merged.memory?.kernel = nil
        merged.memory?.kernelTCP = nil
        record.resources = merged
        try store.write(record)
        _ = consume lock
    }
}
