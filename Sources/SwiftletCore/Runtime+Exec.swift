import CSwiftlet
import FoundationEssentials
import OCI

extension Runtime {
    /// `exec`'s options besides the process itself (runc's flags).
    public struct ExecOptions: Sendable {
        /// `--process FILE`: the whole process as JSON; the process flags are then ignored, as in runc.
        public var processFile: String?
        public var overrides = ExecProcess.Overrides()
        public var consoleSocket: String?
        public var detach = false
        public var pidFile: String?
        public var preserveFDs = 0
        public var ignorePaused = false
        /// `--cgroup [<controllers>:]<path>`: run in an existing sub-cgroup of the container's.
        public var cgroups: [String] = []

        public init() {}
    }

    /// `exec`: runs another process in a running (or created) container: in all its
    /// namespaces, its cgroups, its root, with the same security setup as the container's own
    /// process (runtime-spec runtime.md leaves exec to the runtime; this is runc's behaviour).
    /// Detached: returns 0 once the program was executed. Otherwise waits for it, forwarding
    /// signals (and relaying the terminal with --tty but no --console-socket), and returns its
    /// exit status (128+N when killed by signal N).
    public func exec(id: String, options: ExecOptions) throws -> Int32 {
        do { try ContainerID.validate(id) } catch { throw RuntimeError(error) }
        let record: ContainerRecord
        let pidfd: FileDescriptor
        do {
            // The lock only covers reading a consistent record and checking the status: a
            // process joining the container must not hold up kill, pause or delete for as long
            // as it runs (and `delete` kills it with the rest of the cgroup anyway).
            let lock = try store.lock(id)
            record = try store.readWithExecDefaults(id)
            switch status(of: record) {
            case .stopped: throw RuntimeError("cannot exec in a stopped container")
            case .creating: throw RuntimeError("cannot exec in a container that is still being created")
            case .paused where !options.ignorePaused:
                throw RuntimeError("cannot exec in a paused container (use --ignore-paused to override)")
            default: break
            }
            guard let opened = openInit(record) else { throw RuntimeError("cannot exec in a stopped container") }
            pidfd = opened
            _ = consume lock
        }
        let process = try execProcess(record, options)
        warnCapabilitiesUnknownToKernel(process.capabilities)
        let userNamespace = (record.namespaces ?? []).contains { $0.type == .user }
        try refuseCapabilitiesNotHeld(process.capabilities, userNamespace: userNamespace)
        if process.terminal == true && options.consoleSocket == nil && options.detach {
            throw RuntimeError("--tty with --detach needs --console-socket (nobody would hold the terminal)")
        }
        if options.consoleSocket != nil && process.terminal != true {
            throw RuntimeError("--console-socket given but the process has no terminal (use --tty or process.terminal)")
        }
        guard options.preserveFDs >= 0 else { throw RuntimeError("--preserve-fds: must not be negative") }

        var launch = ExecLaunch(runtime: self, record: record, process: process, options: options)
        let started = try launch.run(pidfd: pidfd)
        if let pidFile = options.pidFile {
            do {
                try withContext("--pid-file") { try Sys.writeFileAtomically(Self.absolutePath(pidFile), Array("\(started.pid)".utf8)) }
            } catch {
                // The process runs already: the caller will not know about it, so it must not stay.
                try? Sys.pidfdSendSignal(started.pidfd.raw, Linux.SIGKILL)
                _ = try? Sys.wait(pidfd: started.pidfd.raw)
                if started.console >= 0 { Sys.closeRaw(started.console) }
                throw error
            }
        }
        if options.detach {
            if started.console >= 0 { Sys.closeRaw(started.console) }
            return 0
        }
        let console = started.console
        let running = CreatedContainer(record: record, pidfd: started.take(), consoleMaster: console)
        return try waitInForeground(running)
    }

    /// The process to run: the --process file, else the container's process (as saved at
    /// create time; from the bundle for containers created before swiftlet saved it) with the
    /// command-line overrides.
    func execProcess(_ record: ContainerRecord, _ options: ExecOptions) throws -> Process {
        var base = record.process
        if base == nil { base = (try? Spec.load(bundle: record.bundle))?.process }
        if let file = options.processFile {
            let document = "--process \(file)"
            // Read as a stream (Sys.readFile): `-p /dev/stdin` and `-p <(...)` are pipes.
            let bytes: [UInt8]
            do { bytes = try Sys.readFile(Self.absolutePath(file)) } catch {
                throw RuntimeError("\(document): cannot read \(file): \(error.reason)", errno: error.errno)
            }
            do {
                return try ExecProcess.decode(Data(bytes), file: document, container: base)
            } catch {
                throw RuntimeError(error.path == document ? error.description : "\(document): \(error)")
            }
        }
        guard let base else { throw RuntimeError("cannot find the container's process settings (state and bundle lack them)") }
        do {
            return try ExecProcess.build(base: base, overrides: options.overrides)
        } catch {
            throw RuntimeError(error)
        }
    }
}
