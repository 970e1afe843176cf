import CSwiftlet
import OCI

/// The parent's side of one `create`: cgroup, clone3, the handshake with the child
/// (Process/SyncProtocol.swift); the child's side is ChildSetup.
struct CreateLaunch {
    let runtime: Runtime
    /// config.json as decoded; `prepareMountOptions` may leave options out of `mounts`.
    var spec: Spec
    let process: Process
    var record: ContainerRecord
    let namespaces: NamespacePlan
    let options: Runtime.CreateOptions
    var cgroup: CgroupManager?
    /// What the cgroup gets (`Runtime.createResources`), computed once for validate and apply.
    var resources: LinuxResources
    /// The runtime runs without privilege (`Rootless`): cgroups follow `RootlessCgroupPolicy`.
    var rootless = false
    /// Raw pidfds of processes to kill if create fails (the init, and a first stage).
    var pidfds: [Int32] = []
    /// Where the seccomp recorder writes its profile (nil: not recording).
    var recordPath: String?
    /// Whether swiftlet-init stays as the container's first process (`InitMode.choose`).
    var initMode = InitMode.supervise
    /// The resctrl mount, when linux.intelRdt is set (IntelRdt.check).
    var resctrl: String?
    /// How the user namespace's maps are written (`prepareIDMaps`), nil without a new one.
    var idMaps: IDMapWriter?

    struct Result {
        let record: ContainerRecord
        let pidfd: Int32
        let console: Int32
        var recorder: RecorderProcess?
        var startConnection: Int32 = -1

        func take() -> FileDescriptor { FileDescriptor(pidfd) }
    }

    init(runtime: Runtime, spec: Spec, process: Process, record: ContainerRecord, namespaces: NamespacePlan,
         options: Runtime.CreateOptions) {
        self.runtime = runtime
        self.spec = spec
        self.process = process
        self.record = record
        self.namespaces = namespaces
        self.options = options
        self.resources = Runtime.createResources(spec)
    }

    /// Kills what was started and removes the cgroup (called on failure).
    mutating func abort() {
        for fd in pidfds {
            try? Sys.pidfdSendSignal(fd, Linux.SIGKILL)
            _ = try? Sys.wait(pidfd: fd)
            _ = FileDescriptor(fd)
        }
        pidfds = []
        if let mount = record.hostMount {
            do { try HostMountNamespace.detach(mount) } catch { runtime.warn("create failed, and then: \(error)") }
        }
        if let rdt = record.intelRdt {
            do { try IntelRdt.remove(rdt) } catch { runtime.warn("create failed, and then: \(error)") }
        }
        if let cgroup {
            _ = try? cgroup.signalAll(Linux.SIGKILL)
            try? cgroup.destroy()
        }
    }

    /// Chooses the container's cgroups and checks `linux.resources` against this host, before
    /// any directory exists: what the host cannot apply is an error here (apply checks again
    /// once the cgroup, and the files it offers, exist). Sets `record.cgroup` for the caller to
    /// save.
    mutating func prepareCgroup() throws {
        rootless = Rootless.isRootlessRuntime()
        if rootless { dropDeviceRules() }
        let manager: CgroupManager
        do {
            manager = try Cgroups.manager(cgroupsPath: spec.linux?.cgroupsPath, containerID: record.id)
            _ = try manager.validate(resources)
        } catch {
            throw RuntimeError("cgroup", cause: error)
        }
        // Before `cgroup` is set: a failure here leaves the existing cgroup to its owner.
        try Self.refuseFrozen(manager)
        record.cgroup = manager.description
        cgroup = manager
    }

    /// A process that joins a frozen cgroup stops before it can report anything: create would
    /// wait for it forever. runc refuses such a cgroup too ("container's cgroup unexpectedly
    /// frozen"). Checked before anything is made (an existing cgroup) and again once the
    /// cgroups exist (a new one below a frozen parent is frozen from birth); nothing is thawed,
    /// since the freeze belongs to whoever made it.
    static func refuseFrozen(_ manager: CgroupManager) throws {
        guard let report = manager.frozenReport() else { return }
        throw RuntimeError("linux.cgroupsPath: the cgroup is frozen (\(report)): a container cannot be created in a frozen cgroup; thaw it first",
                           errno: Errno.EBUSY)
    }

    /// runtime-spec runtime.md "Create", the parent's steps in order: the cgroup (and resctrl
    /// group), the security setup, clone3 of the child, its cgroups, GO where the child
    /// waits for the runtime, then the handshake until swiftlet-init reports READY.
    mutating func run() throws -> Result {
        let store = runtime.store
        // nil: rootless without a cgroup of its own (RootlessCgroupPolicy).
        let manager = try createCgroup()
        Fault.point("after-cgroup")
        if let rdt = spec.linux?.intelRdt, let resctrl {
            let plan = IntelRdt.plan(rdt, containerID: record.id)
            let make = try IntelRdt.check(plan, root: resctrl)
            record.intelRdt = IntelRdt.record(plan, root: resctrl)
            try store.write(record)
            try IntelRdt.prepare(plan, root: resctrl, make: make)
        }

        var recorder: RecorderProcess?
        let security: PreparedSecurity
        if let recordPath {
            security = try PreparedSecurity.recording(spec, output: recordPath, preserveFDs: options.preserveFDs,
                                                      recorder: &recorder, debug: runtime.debug)
        } else {
            security = try PreparedSecurity.prepare(spec, cacheRoot: store.root, debug: runtime.debug)
        }
        let mode = manager?.description.mode ?? Cgroups.detectMode()
        let deferCgroupNS = manager != nil && namespaces.singleClone && mode != .unified
            && namespaces.createFlags & Linux.CLONE_NEWCGROUP != 0
        let initFD = try InitBinary.load()
        let cgroupJoin: CgroupSelfJoin
        do { cgroupJoin = try manager?.openSelfJoin() ?? .none } catch { throw RuntimeError("cgroup", cause: error) }
        let cgroupFD = manager?.directoryFD() ?? -1
        if !namespaces.isPrivate(.mount) { try attachHostMount() }
        // Id-mapped binds need the host's CAP_SYS_ADMIN: made here, moved into place by the child.
        let idmapped = try IdmappedMounts.prepare(spec, bundle: record.bundle)
        let netDevices = spec.linux?.netDevices ?? [:]
        let pair = try withContext("socketpair") { try Sys.socketpair() }
        // create: <root>/<id>/start.sock, where `start` connects. `run`: one end of a
        // socketpair with START already queued on it (as for exec), which the init reads once
        // it is ready; no socket file is made (binding one is an inode on the state root's
        // filesystem, and its unlink another: docs/performance.md, "CPU per container").
        let start: FileDescriptor
        var startConnection: FileDescriptor?
        if options.startAtOnce {
            let startPair = try withContext("start socketpair") { try Sys.socketpair() }
            try withContext("start") { try SyncChannel(startPair.first.raw).send(.start) }
            let runtimeEnd = startPair.first
            startConnection = consume runtimeEnd
            start = startPair.second
        } else {
            start = try withContext("start socket") { try Sys.listenUnix(store.startSocket(record.id)) }
        }
        let context = ChildContext(
            id: record.id, spec: spec, process: process, bundle: record.bundle, rootfs: record.rootfs,
            namespaces: namespaces, cgroupMode: mode, cgroupDirectories: manager.map { Self.cgroupMountDirectories($0.description) } ?? [:],
            cgroupJoin: cgroupJoin,
            initFD: initFD.raw, syncFD: pair.second.raw, startFD: start.raw, noPivot: options.noPivot, noNewKeyring: options.noNewKeyring,
            preserveFDs: options.preserveFDs,
            pauseForRuntimeHooks: !(spec.hooks?.prestart?.isEmpty ?? true) || !(spec.hooks?.createRuntime?.isEmpty ?? true),
            stateTemplate: record, deferCgroupNamespace: deferCgroupNS, seccomp: security.seccomp,
            seccompListenerFD: security.listener.raw,
            directExec: initMode == .direct, mountLabel: security.mountLabel,
            hostMount: record.hostMount, idmappedMounts: idmapped.trees, waitForNetDevices: !netDevices.isEmpty,
            inUserNamespace: namespaces.isPrivate(.user) || rootless, runtimeOpensBindSources: !rootless,
            unifiedCgroupDirectory: mode == .unified ? manager?.description.unified?.directory : nil)

        var flags = namespaces.singleClone ? namespaces.createFlags : 0
        if deferCgroupNS { flags &= ~Linux.CLONE_NEWCGROUP }
        let child = try cloneInit(context, flags: flags, cgroupFD: cgroupFD, parentEnd: pair.first.raw)
        pidfds.append(child.pidfd)
        var initProcess = InitProcess(pid: child.pid, pidfd: child.pidfd)
        try recordInit(initProcess.pid)
        // Before the child runs anything of the container's (a second stage inherits it).
        if let rdt = record.intelRdt { try IntelRdt.join(rdt, pid: initProcess.pid) }
        Fault.point("after-clone")
        let sync = SyncChannel(pair.first.raw)
        do { let childEnd = pair.second; _ = consume childEnd }
        // The parent's connection to the seccomp agent is not needed past the clone.
        _ = consume security
        // The first process goes into every hierarchy before it creates anything (the v1 ones
        // it joins itself, the unified one by CLONE_INTO_CGROUP); the second stage of the
        // two-clone path inherits its cgroups.
        do {
            try manager?.addProcess(initProcess.pid, besides: cgroupJoin, clonedIntoCgroup: cgroupFD >= 0)
        } catch {
            throw RuntimeError("cgroup", cause: error)
        }
        Fault.point("after-cgroup-join")
        if !namespaces.singleClone {
            try sync.send(.go)
        } else if namespaces.newUser || deferCgroupNS || !netDevices.isEmpty {
            if namespaces.newUser {
                try writeIDMaps(pid: initProcess.pid)
                Fault.point("after-id-maps")
            }
            try NetDevices.move(netDevices, into: initProcess.pid, pidfd: initProcess.pidfd)
            try sync.send(.go)
        }

        let console = try handshake(sync, init: &initProcess, firstChild: child.pidfd)
        do { let parentEnd = pair.first; _ = consume parentEnd }
        Fault.point("after-ready")
        record.pid = initProcess.pid
        record.initStartTime = Sys.processStat(initProcess.pid)?.startTime
        record.creating = false
        pidfds = []
        if initProcess.pidfd != child.pidfd { Sys.closeRaw(child.pidfd) }
        return Result(record: record, pidfd: initProcess.pidfd, console: console, recorder: recorder,
                      startConnection: startConnection?.take() ?? -1)
    }

    /// The container's first process as the runtime knows it: the clone, or after a two-clone
    /// start the process the first stage cloned (`childPID`).
    struct InitProcess {
        var pid: Int32
        var pidfd: Int32
    }

    /// The conversation with the child until swiftlet-init's READY (SyncProtocol.swift):
    /// answers its requests (id maps, bind sources, runtime hooks), takes the pty master and a
    /// second stage's pidfd. Returns the pty master when `run` keeps the terminal, else -1.
    private mutating func handshake(_ sync: SyncChannel, init initProcess: inout InitProcess, firstChild: Int32) throws -> Int32 {
        var console: Int32 = -1
        let netDevices = spec.linux?.netDevices ?? [:]
        let memoryLimit = spec.linux?.resources?.memory?.limit
        var current = initProcess
        defer { initProcess = current }
        do {
            try sync.converse(closed: {
                RuntimeError("container init exited before it was ready (\(LaunchSupport.exitDescription(pidfd: current.pidfd, memoryLimit: memoryLimit)))")
            }) { message in
                switch message {
                case .ready:
                    Fault.point("before-ready")
                    return .done
                case .needMaps(let pid):
                    try writeIDMaps(pid: pid)
                    Fault.point("after-id-maps")
                    try sync.send(.go)
                case .childPID(let pid, let pidfd):
                    _ = try? Sys.wait(pidfd: firstChild)  // the first stage exits right after sending this
                    current = InitProcess(pid: pid, pidfd: pidfd.take())
                    pidfds.append(current.pidfd)
                    try recordInit(pid)
                    if !netDevices.isEmpty {
                        try NetDevices.move(netDevices, into: pid, pidfd: current.pidfd)
                        try sync.send(.go)
                    }
                case .console(let master):
                    if let socket = options.consoleSocket {
                        try LaunchSupport.sendConsole(master.raw, to: socket)
                    } else {
                        console = master.take()
                    }
                case .needSources(let pid):
                    try MountSources.send(MountSources.binds(spec.mounts, bundle: record.bundle), to: sync, pid: pid)
                case .hooks:
                    var state = record
                    state.pid = current.pid
                    let json = try Runtime.specState(state, status: .creating, pid: current.pid)
                    try HookRunner.run(spec.hooks?.prestart, kind: "prestart", state: json)
                    try HookRunner.run(spec.hooks?.createRuntime, kind: "createRuntime", state: json)
                    try sync.send(.go)
                case .error, .start, .started, .go, .mountSource, .mountSourceFailed:
                    throw message.refused("container init")
                }
                return .next
            }
        } catch {
            if console >= 0 { Sys.closeRaw(console) }
            throw error
        }
        return console
    }

    /// Without a mount namespace: the rootfs bind in the host's namespace, recorded in
    /// state.json before it is attached (Rootfs/HostMountNamespace.swift).
    mutating func attachHostMount() throws {
        let prepared = try HostMountNamespace.prepare(rootfs: record.rootfs)
        record.hostMount = prepared.record
        try runtime.store.write(record)
        try HostMountNamespace.attach(prepared.tree, rootfs: record.rootfs)
    }

    /// Saves the init's pid and start time while create is still running, so that a runtime
    /// killed from here on leaves a state dir `delete --force` can clean up.
    mutating func recordInit(_ pid: Int32) throws {
        record.pid = pid
        record.initStartTime = Sys.processStat(pid)?.startTime
        try runtime.store.write(record)
    }

    /// clone3 of the container's first process, which never returns here: it becomes the init.
    /// A function of its own so that the child's copies of the descriptors `context` names stay
    /// open: their owners live in the caller's frame, which the child never leaves (noncopyable
    /// owners in the same scope may be destroyed on the child's path before it execs).
    private func cloneInit(_ context: ChildContext, flags: UInt64, cgroupFD: Int32, parentEnd: Int32) throws -> (pid: Int32, pidfd: Int32) {
        let child = try withContext("clone3") { try Sys.clone3(flags: flags, cgroupFD: cgroupFD) }
        if child.pid == 0 {
            Sys.closeRaw(parentEnd)
            ChildSetup.main(context, firstStage: !namespaces.singleClone)
        }
        return child
    }

    /// For a `cgroup` mount on a v1/hybrid host: each hierarchy's mount point and the
    /// container's directory in it (the unified one too on hybrid hosts).
    static func cgroupMountDirectories(_ description: CgroupDescription) -> [String: String] {
        var result: [String: String] = [:]
        for location in description.legacy { result[location.mountPoint] = location.directory }
        if description.mode == .hybrid, let unified = description.unified { result[unified.mountPoint] = unified.directory }
        return result
    }

    /// uid_map and gid_map of a child in a new user namespace, written by the runtime itself or,
    /// rootless, through newuidmap/newgidmap (Namespaces/IDMapWriter.swift).
    /// config-linux.md "User namespace mappings".
    func writeIDMaps(pid: Int32) throws {
        guard let idMaps else { throw RuntimeError("linux.uidMappings: not prepared") }
        try idMaps.write(pid: pid)
    }

}

/// The name create's launch had before it moved here; other branches' code still uses it.
typealias Launch = CreateLaunch
