import CSwiftlet
import OCI

extension Runtime {
    /// runtime-spec runtime.md "Start": release the waiting init, which runs the process.
    /// Returns once the process has been executed (or fails with the reason it could not be).
    public func start(id: String) throws {
        do { try ContainerID.validate(id) } catch { throw RuntimeError(error) }
        let lock = try store.lock(id)
        let record = try store.read(id)
        let current = status(of: record)
        guard current == .created else {
            throw RuntimeError("cannot start a container that is \(current.rawValue)")
        }
        let socket = try withContext("start: the container's init is not waiting") { try Sys.connectUnix(store.startSocket(id)) }
        try withContext("start") { try SyncChannel(socket.raw).send(.start) }
        try finishStart(record, connection: socket.raw, lock: lock, removeSocket: true)
    }

    /// The second half of a start, once START went out on `connection`: the init's answer
    /// (the process was executed, or why it could not be), the record saved as started, then
    /// the poststart hooks. Since runtime-spec 1.1 a failing poststart hook is an error that
    /// stops the container (runtime.md "Lifecycle" step 10). `removeSocket`: the start came
    /// through start.sock (`start`), which is removed now; `run` made none.
    func finishStart(_ record: ContainerRecord, connection: Int32, lock: consuming StateStore.Lock,
                     removeSocket: Bool) throws {
        var record = record
        let failure = try SyncChannel(connection).startReply(closed: { RuntimeError("start: the container's init exited") })
        if removeSocket { try? Sys.unlink(store.startSocket(record.id)) }
        record.started = true
        record.creating = false
        try store.write(record)
        _ = consume lock
        if let failure { throw failure }
        if let hooks = record.hooks?.poststart, !hooks.isEmpty {
            do {
                try HookRunner.run(hooks, kind: "poststart", state: try Self.specState(record, status: .running, pid: record.pid))
            } catch {
                if let pidfd = openInit(record) {
                    try? Sys.pidfdSendSignal(pidfd.raw, Linux.SIGKILL)
                    _ = try? Sys.pollExit(pidfd: pidfd.raw, timeoutMs: 5000)
                }
                throw error
            }
        }
    }
}
