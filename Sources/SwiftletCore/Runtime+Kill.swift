import OCI

extension Runtime {
    /// What `kill` says when the container's init is gone. runc's exact words: engines match
    /// them (containerd's shim, `checkKillError`, treats an error containing "container not
    /// running" or "no such process" as a process that already finished; any other error
    /// makes the kill fail, and the CRI plugin then retries the container's exit forever).
    public static let notRunningMessage = "container not running"

    /// runtime-spec runtime.md "Kill", with runc 1.1.5's behaviour where the spec leaves room
    /// (measured on this host, conformance/checks/lifecycle.sh `kill_*`):
    ///
    /// - The signal goes to the init through a verified pidfd (swiftlet-init forwards it to
    ///   the process) when the container is created, running or paused; a stopped container
    ///   is an error, "container not running".
    /// - Signal 0 delivers nothing and reports whether the init can be signalled (kill(2)).
    /// - `all` signals every process in the container's cgroup, whatever the status: on a
    ///   stopped container it reaches what the init left behind (containerd's shim runs
    ///   `kill --all ID 9` after every exit of a container that shares a pid namespace) and
    ///   succeeds when nothing is left, or the cgroup is gone already.
    /// - SIGKILL to a paused container thaws it afterwards: a frozen process (the v1 freezer)
    ///   only acts on a pending SIGKILL once thawed, and a paused container must be stoppable.
    public func kill(id: String, signal: Int32, all: Bool) throws {
        do { try ContainerID.validate(id) } catch { throw RuntimeError(error) }
        let record = try store.read(id)
        let current = status(of: record)
        if all {
            try killAll(record, signal: signal, status: current)
            return
        }
        guard current == .created || current == .running || current == .paused, let pidfd = openInit(record) else {
            throw RuntimeError(Self.notRunningMessage)
        }
        do {
            try Sys.pidfdSendSignal(pidfd.raw, signal)
        } catch where error.errno == Errno.ESRCH {
            // The init exited between the status and the signal.
            throw RuntimeError(Self.notRunningMessage, errno: error.errno)
        } catch {
            throw RuntimeError("kill", error)
        }
        if current == .paused && signal == Linux.SIGKILL { try thawAfterKill(record) }
    }

    /// `kill --all`: every process in the container's cgroup; a container without a cgroup of
    /// its own (rootless, RootlessCgroupPolicy) through its processes' pidfds.
    private func killAll(_ record: ContainerRecord, signal: Int32, status current: Status) throws {
        guard let description = record.cgroup else {
            // A stopped one (or a create that died before it chose a cgroup): nothing to signal.
            if current == .stopped { return }
            try signalWithoutCgroup(record, signal)
            return
        }
        let manager = Cgroups.manager(from: description)
        do {
            try manager.signalAll(signal)
        } catch where current == .stopped && error.errno == Errno.ENOENT {
            return  // the cgroup went with the container's last process (runc: the same)
        } catch {
            throw RuntimeError("kill --all", cause: error)
        }
        if current == .paused && signal == Linux.SIGKILL { try thawAfterKill(record) }
    }

    /// Thaws a paused container that was just sent SIGKILL, so the signal takes effect.
    private func thawAfterKill(_ record: ContainerRecord) throws {
        do { try cgroupManager(record).thaw() } catch let error as CgroupError {
            throw RuntimeError("kill: thaw the paused container after SIGKILL: \(error)")
        }
    }
}
