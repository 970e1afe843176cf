import OCI

extension Runtime {
    /// runtime-spec runtime.md "Delete": a container that is not stopped is an error ("MUST
    /// generate an error"), unless `force`, which kills every process and waits for them.
    /// Poststop hooks run last; their failures are warnings. `--force` of a container that does
    /// not exist succeeds quietly, as runc's: engines call it to clean up whatever may be left.
    public func delete(id: String, force: Bool) throws {
        try delete(id: id, force: force, known: nil)
    }

    /// `known`: the record as the caller last wrote it (`run`, deleting the container it
    /// created, started and waited for), used instead of reading state.json back: nothing
    /// another command may write there (`update`'s resources) is used by delete, and decoding
    /// the file was half of delete's instructions. The lock is taken all the same.
    func delete(id: String, force: Bool, known: ContainerRecord?) throws {
        do { try ContainerID.validate(id) } catch { throw RuntimeError(error) }
        let lock: StateStore.Lock
        do {
            lock = try store.lock(id)
        } catch let error as RuntimeError where force && error.errno == Errno.ENOENT {
            debug("delete --force \(id): \(error.description)")
            return
        }
        // A create killed between mkdir and its first state write left an empty directory;
        // holding the lock proves no create is still working in it.
        guard Sys.exists(store.stateFile(id)) else {
            try store.remove(id)
            removeCacheIfLast()
            return
        }
        let record: ContainerRecord
        do {
            record = try known ?? store.read(id)
        } catch {
            // state.json is written atomically, so this is damage from outside; --force
            // removes the directory rather than leaving a container nobody can delete.
            guard force else { throw error }
            warn("delete \(id): \(error); removing the state directory")
            try store.remove(id)
            removeCacheIfLast()
            return
        }
        let current = status(of: record)
        if current != .stopped && !force {
            throw RuntimeError("cannot delete container \"\(id)\" that is \(current.rawValue): stop it first or use --force")
        }
        let cgroup = record.cgroup.map { Cgroups.manager(from: $0) }
        if current != .stopped {
            if current == .paused { try? cgroup?.thaw() }
            if let pidfd = openInit(record) {
                try? Sys.pidfdSendSignal(pidfd.raw, Linux.SIGKILL)
                _ = try? Sys.pollExit(pidfd: pidfd.raw, timeoutMs: 10_000)
            }
        }
        if let cgroup {
            // The usual case: the init is gone and, with its pid namespace, every process, so
            // rmdir succeeds at once (the kernel refuses it while a process is inside). Only a
            // busy cgroup pays for the freeze, the walk of every hierarchy and the kill:
            // without a pid namespace, processes can outlive the init.
            if (try? cgroup.destroy(retries: 0)) == nil {
                _ = try? cgroup.signalAll(Linux.SIGKILL)
                do { try cgroup.destroy() } catch { warn("delete \(id): cgroup: \(error)") }
            }
        }
        if let rdt = record.intelRdt {
            do { try IntelRdt.remove(rdt) } catch { throw RuntimeError("delete \(id): \(error)") }
        }
        if let mount = record.hostMount {
            // No mount namespace: the container's mounts are in the host's, below this bind.
            do { try HostMountNamespace.detach(mount) } catch { throw RuntimeError("delete \(id): \(error)") }
        }
        try store.remove(id)
        _ = consume lock
        removeCacheIfLast()
        if !record.creating, let poststop = record.hooks?.poststop, !poststop.isEmpty {
            HookRunner.runWarning(poststop, kind: "poststop",
                                  state: (try? Self.specState(record, status: .stopped, pid: nil)) ?? [], warn: warn)
        }
    }

    /// The seccomp cache goes with the last container (`StateStore.removeCacheIfNoContainers`);
    /// failing to remove it is a warning: the container itself is deleted.
    func removeCacheIfLast() {
        do { try store.removeCacheIfNoContainers() } catch { warn("delete: \(error)") }
    }
}
