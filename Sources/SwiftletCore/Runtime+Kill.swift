import OCI

extension Runtime {
    /// runtime-spec runtime.md "Kill": the signal goes to the init through a verified pidfd
    /// (swiftlet's init forwards it to the process). `all` signals every process of the
    /// container through its cgroup.
    public func kill(id: String, signal: Int32, all: Bool) throws {
        do { try ContainerID.validate(id) } catch { throw RuntimeError(error) }
        let record = try store.read(id)
        let current = status(of: record)
        guard current == .created || current == .running || current == .paused else {
            throw RuntimeError("container \"\(id)\" is not running (status \(current.rawValue))")
        }
        if all, let description = record.cgroup {
            do {
                try Cgroups.manager(from: description).signalAll(signal)
            } catch {
                throw RuntimeError("kill --all: \(error)")
            }
            return
        }
        if all {
            // Rootless without a cgroup of its own (RootlessCgroupPolicy).
            try signalWithoutCgroup(record, signal)
            return
        }
        guard let pidfd = openInit(record) else {
            throw RuntimeError("container \"\(id)\" is not running")
        }
        try withContext("kill") { try Sys.pidfdSendSignal(pidfd.raw, signal) }
    }
}
