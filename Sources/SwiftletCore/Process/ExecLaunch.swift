import CSwiftlet
import OCI

/// The parent's side of one `exec`: the container's namespaces, cgroups and root for a new
/// child, and the handshake with it (Process/SyncProtocol.swift) until the program runs; the
/// child's side is ExecSetup.
struct ExecLaunch {
    let runtime: Runtime
    let record: ContainerRecord
    let process: Process
    let options: Runtime.ExecOptions
    /// Raw pidfd of the child once cloned: killed and reaped if anything fails.
    var child: Int32 = -1

    struct Started: ~Copyable {
        let pid: Int32
        let pidfd: FileDescriptor
        /// The pty master when the runtime relays the terminal itself, else -1.
        let console: Int32

        consuming func take() -> FileDescriptor { pidfd }
    }

    init(runtime: Runtime, record: ContainerRecord, process: Process, options: Runtime.ExecOptions) {
        self.runtime = runtime
        self.record = record
        self.process = process
        self.options = options
    }

    mutating func run(pidfd: borrowing FileDescriptor) throws -> Started {
        do {
            return try launch(pidfd: pidfd)
        } catch {
            if child >= 0 {
                try? Sys.pidfdSendSignal(child, Linux.SIGKILL)
                _ = try? Sys.wait(pidfd: child)
                Sys.closeRaw(child)
                child = -1
            }
            throw error
        }
    }

    private mutating func launch(pidfd: borrowing FileDescriptor) throws -> Started {
        guard let initPID = record.pid else { throw RuntimeError("cannot exec in a stopped container") }
        // The same preparation as create's: LSM labels checked against the host (--apparmor,
        // --process-label), the container's seccomp filter compiled, its agent connected.
        let security = try PreparedSecurity.prepare(Spec(process: process, linux: OCI.Linux(seccomp: record.seccomp)),
                                                    cacheRoot: runtime.store.root, debug: runtime.debug)
        let listenerState = security.listener.raw < 0 ? nil : try SeccompListener.processState(
            id: record.id, bundle: record.bundle, annotations: record.annotations, pid: initPID,
            metadata: record.seccomp?.listenerMetadata)
        let initFD = try InitBinary.load()

        // What to join: every namespace of the init that is not the runtime's own (whether the
        // container created it or joined it by path), compared by identity.
        var joins: [LinuxNamespaceType] = []
        for type in NamespacePlan.joinOrder {
            let file = ExecSetup.nsFile(type)
            let theirs = try withContext("exec") { try Sys.namespaceIdentity("/proc/\(initPID)/ns/\(file)") }
            let ours = try withContext("exec") { try Sys.namespaceIdentity("/proc/self/ns/\(file)") }
            if let theirs, let ours, theirs != ours { joins.append(type) }
        }
        let root = try withContext("exec: the container's root") {
            try Sys.open("/proc/\(initPID)/root", Linux.O_PATH | Linux.O_DIRECTORY)
        }
        // The /proc/<pid> paths above named the init only if it is still alive now (the pidfd
        // was verified against the recorded start time, so the pid cannot have been reused).
        if try withContext("exec", { try Sys.pollExit(pidfd: pidfd.raw, timeoutMs: 0) }) {
            throw RuntimeError("cannot exec in a stopped container")
        }

        // Rootless, the runtime may not enter a pid namespace its user namespace does not own
        // (setns needs CAP_SYS_ADMIN over it), nor, as root of rootless podman's namespace,
        // come back to its own, which the initial user namespace owns: the child joins it
        // along with the others and clones the process into it (ExecSetup, `pidByChild`).
        let pidByChild = joins.contains(.pid) && Rootless.isRootlessRuntime()
        let cgroup = try cgroupManager()
        let cgroupFD = cgroup?.directoryFD() ?? -1
        let cgroupJoin: CgroupSelfJoin
        do { cgroupJoin = try cgroup?.openSelfJoin() ?? .none } catch { throw RuntimeError("exec: cgroup", cause: error) }

        let pair = try withContext("socketpair") { try Sys.socketpair() }
        // START is queued on one end of a socketpair before the child exists: swiftlet-init
        // reads it from the other end, runs the process at once, and answers STARTED (or the
        // reason the process could not be set up) on that connection. (No socket file: it was
        // a listening socket bound in the state directory, connected to once and unlinked.)
        let startPair = try withContext("exec socketpair") { try Sys.socketpair() }
        let connection = startPair.first
        let initEnd = startPair.second
        try withContext("exec socket") { try SyncChannel(connection.raw).send(.start) }

        let affinity = try ExecAffinity.masks(process.execCPUAffinity)
        var context = ExecContext(
            initPID: initPID, pidfd: pidfd.raw, joins: pidByChild ? joins : joins.filter { $0 != .pid }, rootFD: root.raw,
            syncFD: pair.second.raw, startFD: initEnd.raw, initFD: initFD.raw, process: process, seccomp: security.seccomp,
            seccompListenerFD: security.listener.raw, seccompListenerState: listenerState, preserveFDs: options.preserveFDs,
            cgroupJoin: cgroupJoin, pidByChild: pidByChild)
        context.personality = record.personality
        context.memoryPolicy = record.memoryPolicy
        context.finalAffinity = affinity.final
        // execCPUAffinity.initial: the runtime's own affinity, which the child starts with.
        if let initial = affinity.initial {
            try withContext("process.execCPUAffinity.initial") { try Sys.setAffinity(initial, display: "the runtime's exec process") }
        }
        let cloned = try cloneChild(context, pidfd: pidfd.raw, joinPID: joins.contains(.pid) && !pidByChild, cgroupFD: cgroupFD)
        child = cloned.pidfd
        var pid = cloned.pid
        do { let childEnd = pair.second; _ = consume childEnd }
        do { _ = consume initEnd }
        let sync = SyncChannel(pair.first.raw)

        do {
            try cgroup?.addProcess(cloned.pid, besides: cgroupJoin, clonedIntoCgroup: cgroupFD >= 0)
        } catch {
            throw RuntimeError("cgroup", cause: error)
        }
        if let rdt = record.intelRdt { try IntelRdt.join(rdt, pid: cloned.pid) }
        try withContext("exec") { try sync.send(.go) }

        let console = try handshake(sync, pid: &pid, pidByChild: pidByChild)
        do {
            let failure = try SyncChannel(connection.raw).startReply(closed: {
                RuntimeError("exec: the new process exited before it ran the program (\(LaunchSupport.exitDescription(pidfd: child)))")
            })
            if let failure { throw failure }
        } catch {
            if console >= 0 { Sys.closeRaw(console) }
            throw error
        }
        let pidfdOfChild = FileDescriptor(child)
        child = -1
        return Started(pid: pid, pidfd: pidfdOfChild, console: console)
    }

    /// The conversation with the child until swiftlet-init's READY (SyncProtocol.swift): the
    /// pty master, and rootless the pidfd of the process the child cloned into the pid
    /// namespace. Returns the pty master when the runtime relays the terminal, else -1.
    private mutating func handshake(_ sync: SyncChannel, pid: inout Int32, pidByChild: Bool) throws -> Int32 {
        var console: Int32 = -1
        do {
            try sync.converse(closed: {
                RuntimeError("exec: the new process exited before it was ready (\(LaunchSupport.exitDescription(pidfd: child)))")
            }) { message in
                switch message {
                case .ready:
                    return .done
                case .childPID(let childPID, let pidfd) where pidByChild:
                    // The first stage joined the pid namespace and cloned the process into it.
                    _ = try? Sys.wait(pidfd: child)  // it exits right after sending this
                    Sys.closeRaw(child)
                    child = pidfd.take()
                    pid = childPID
                case .console(let master):
                    if let socket = options.consoleSocket {
                        try LaunchSupport.sendConsole(master.raw, to: socket)
                    } else {
                        console = master.take()
                    }
                case .error, .start, .started, .go, .childPID, .needMaps, .hooks, .needSources, .mountSource, .mountSourceFailed:
                    throw message.refused("exec")
                }
                return .next
            }
        } catch {
            if console >= 0 { Sys.closeRaw(console) }
            throw error
        }
        return console
    }

    /// clone3 into the container's unified cgroup, with the container's pid namespace as the
    /// one for the runtime's children for just that call: setns(CLONE_NEWPID) changes nothing
    /// for the runtime itself, only for processes it creates, so it is undone right after
    /// (hooks or anything else spawned later must not land in the container).
    private func cloneChild(_ context: ExecContext, pidfd: Int32, joinPID: Bool, cgroupFD: Int32) throws -> (pid: Int32, pidfd: Int32) {
        var saved: FileDescriptor?
        if joinPID {
            saved = try withContext("exec: pid namespace") { try Sys.open("/proc/self/ns/pid", Linux.O_RDONLY) }
            do {
                try Sys.setns(pidfd, Linux.CLONE_NEWPID, path: "pidfd of the container's init")
            } catch {
                guard error.errno == Errno.EINVAL else { throw RuntimeError("exec: join pid namespace", error) }
                // Before Linux 5.8 setns takes namespace files only.
                let file = try withContext("exec: join pid namespace") { try Sys.open("/proc/\(context.initPID)/ns/pid", Linux.O_RDONLY) }
                try withContext("exec: join pid namespace") {
                    try Sys.setns(file.raw, Linux.CLONE_NEWPID, path: "/proc/\(context.initPID)/ns/pid")
                }
            }
        }
        let result: Result<(pid: Int32, pidfd: Int32), SystemError>
        do {
            result = .success(try Sys.clone3(flags: 0, cgroupFD: cgroupFD))
        } catch {
            result = .failure(error)
        }
        if case .success(let child) = result, child.pid == 0 {
            ExecSetup.main(context)
        }
        if let saved {
            // Cannot fail for the runtime's own active namespace; if it did, later children
            // would start in the container, so it is fatal for the command.
            try withContext("exec: restore pid namespace") { try Sys.setns(saved.raw, Linux.CLONE_NEWPID, path: "/proc/self/ns/pid") }
        }
        switch result {
        case .success(let child): return child
        case .failure(let error): throw RuntimeError("exec: clone3", error)
        }
    }

    /// The container's cgroups (or the --cgroup sub-cgroups), checked to exist.
    private func cgroupManager() throws -> CgroupManager? {
        guard var description = record.cgroup else { return nil }
        if !options.cgroups.isEmpty {
            do { description = try ExecProcess.subCgroups(description, options.cgroups) } catch { throw RuntimeError(error) }
        }
        for location in (description.unified.map { [$0] } ?? []) + description.legacy where !Sys.exists(location.directory) {
            throw RuntimeError("exec: cgroup \(location.directory) does not exist", errno: Errno.ENOENT)
        }
        return Cgroups.manager(from: description)
    }
}
