import CSwiftlet
import OCI

/// The code that runs in the cloned child: it turns itself into the container (namespaces,
/// hostname, rootfs, pivot_root, ...) and finally executes swiftlet-init, which becomes PID 1.
/// The runtime is single-threaded when it clones, so the child may run ordinary Swift code;
/// every failure goes back to the runtime over the sync socket as one message with errno and
/// context (see docs/architecture.md "Process model").
enum ChildSetup {
    /// Entry point of the cloned child. Never returns.
    static func main(_ c: ChildContext, firstStage: Bool) -> Never {
        do {
            // Before anything else, so everything the child does is charged to the container.
            try withContext("cgroup: join") { try c.cgroupJoin.join() }
            if firstStage {
                try runFirstStage(c)
            } else {
                try becomeContainer(c, joined: false)
            }
        } catch {
            SyncChannel(c.syncFD).report(error)
        }
        Sys.exit(1)
    }

    /// The first stage of the two-clone path: join namespaces given by path while still holding
    /// the host's capabilities, unshare the new ones (the user namespace first, so it owns the
    /// rest), then clone the real PID 1 as a sibling (CLONE_PARENT) and hand its pidfd over.
    static func runFirstStage(_ c: ChildContext) throws {
        try Sys.prctl(Linux.PR_SET_PDEATHSIG, UInt(Linux.SIGKILL))
        // This process is in the container's cgroups before it creates anything (it joined
        // the v1 ones itself, the runtime adds the rest): the second stage inherits them, and
        // a new cgroup namespace is rooted there.
        try SyncChannel(c.syncFD).waitForGo(step: "wait for cgroups")
        try joinNamespaces(c.namespaces.joins)
        if c.namespaces.newUser {
            try withContext("unshare user namespace") { try Sys.unshare(Linux.CLONE_NEWUSER) }
            try SyncChannel(c.syncFD).send(.needMaps(pid: Sys.getpid()))
            try SyncChannel(c.syncFD).waitForGo(step: "wait for id maps")
            try becomeRoot(c)
        }
        let rest = c.namespaces.createFlags & ~Linux.CLONE_NEWUSER
        if rest != 0 { try withContext("unshare namespaces") { try Sys.unshare(rest) } }
        let child = try withContext("clone container init") { try Sys.clone3(flags: Linux.CLONE_PARENT) }
        if child.pid == 0 {
            do { try becomeContainer(c, joined: true) } catch { SyncChannel(c.syncFD).report(error) }
            Sys.exit(1)
        }
        let pidfd = FileDescriptor(child.pidfd)
        try SyncChannel(c.syncFD).send(.childPID(pid: child.pid, pidfd: .lent(pidfd.raw)))
        Sys.exit(0)
    }

    /// Opens every namespace path first, then setns in the plan's order (user first, mount last).
    static func joinNamespaces(_ joins: [NamespacePlan.Join]) throws {
        var fds: [Int32] = []
        defer { for fd in fds { _ = FileDescriptor(fd) } }
        for join in joins {
            let fd = try withContext("linux.namespaces (\(join.type.rawValue) \(join.path))") {
                try Sys.open(join.path, Linux.O_RDONLY)
            }
            fds.append(fd.take())
        }
        for (join, fd) in zip(joins, fds) {
            try withContext("linux.namespaces (\(join.type.rawValue) \(join.path))") {
                try Sys.setns(fd, join.flag, path: join.path)
            }
            if join.type == .user { try becomeRootOfJoinedUserNamespace() }
        }
    }

    /// In a new user namespace the child starts as the overflow uid; become the container's
    /// root when root is mapped, so files it creates belong to it.
    static func becomeRoot(_ c: ChildContext) throws {
        let rootUID = c.spec.linux?.uidMappings?.contains { $0.containerID == 0 } ?? false
        let rootGID = c.spec.linux?.gidMappings?.contains { $0.containerID == 0 } ?? false
        if rootGID { try withContext("become root in the user namespace") { try Sys.setresgid(0) } }
        if rootUID { try withContext("become root in the user namespace") { try Sys.setresuid(0) } }
        try stayDumpable()
    }

    /// After joining a user namespace by path the process still has the host's ids, which that
    /// namespace may not map (mkdir on its tmpfs then fails with EOVERFLOW): become its root,
    /// as runc does. The runtime only joins namespaces whose root is mapped to be useful.
    static func becomeRootOfJoinedUserNamespace() throws {
        try withContext("become root in the joined user namespace") {
            try Sys.setresgid(0)
            try Sys.setresuid(0)
        }
        try stayDumpable()
    }

    /// Changing ids makes a process non-dumpable, and then its /proc/self files belong to the
    /// host's root, out of reach of the namespace's root (writing timens_offsets fails with
    /// EACCES). The setup process stays dumpable; swiftlet-init makes itself non-dumpable
    /// before any container code runs.
    static func stayDumpable() throws {
        try withContext("prctl(PR_SET_DUMPABLE)") { try Sys.prctl(Linux.PR_SET_DUMPABLE, 1) }
    }

    /// From here on the process is the future PID 1.
    static func becomeContainer(_ c: ChildContext, joined: Bool) throws {
        try Sys.prctl(Linux.PR_SET_PDEATHSIG, UInt(Linux.SIGKILL))
        // What the runtime makes in the container (mount points and the directories above
        // them, /dev's directories) is made with umask 022 whatever its caller's, as systemd
        // makes the parents of a service's mounts: under an engine's umask 077 (or a hardened
        // host's 027) a parent made 0700 would keep a non-root process out of the mount below
        // it (runc 1.1.5 makes it 0700, crun 1.8 1700). The process itself gets
        // process.user.umask, or 022, from swiftlet-init just before it runs.
        Sys.setUmask(0o022)
        // The host's /proc is still mounted: /proc/self names this process as the host sees it,
        // which is the pid hooks must be told.
        let hostPID = (try? Sys.readlink("/proc/self")).flatMap { Int32($0) }
        if joined && c.waitForNetDevices {
            try SyncChannel(c.syncFD).waitForGo(step: "wait for linux.netDevices")
        }
        if !joined {
            // The runtime writes the id maps, finishes the cgroups and moves linux.netDevices
            // into the new network namespace, then sends GO.
            if c.namespaces.newUser || c.deferCgroupNamespace || c.waitForNetDevices {
                try SyncChannel(c.syncFD).waitForGo(step: "wait for id maps, cgroups and network devices")
            }
            if c.namespaces.newUser { try becomeRoot(c) }
            try joinNamespaces(c.namespaces.joins)
            if c.deferCgroupNamespace {
                try withContext("unshare cgroup namespace") { try Sys.unshare(Linux.CLONE_NEWCGROUP) }
            }
        }
        // Every namespace is the container's now, and none of its mounts exist yet: the
        // runtime's own procfs and null device are taken here, and from now on no /proc or
        // /dev path of the container is ever trusted (System/Procfs.swift, NullDevice).
        let procfs = try withContext("procfs") { try Procfs.open() }
        let null = try NullDevice.open()
        if c.namespaces.newTime { try setUpTimeNamespace(c, procfs: procfs) }
        if !c.noNewKeyring {
            // A fresh session keyring, so the container cannot read the host's keys (as runc).
            // Kernels without keyrings (ENOSYS) or a user namespace's key quota are tolerated.
            do {
                try Sys.joinSessionKeyring("_ses.\(c.id)")
            } catch {
                if error.errno != Errno.ENOSYS && error.errno != Errno.EDQUOT { throw RuntimeError("session keyring", error) }
            }
        }
        if let hostname = c.spec.hostname, !hostname.isEmpty {
            try withContext("hostname") { try Sys.sethostname(hostname) }
        }
        if let domain = c.spec.domainname, !domain.isEmpty {
            try withContext("domainname") { try Sys.setdomainname(domain) }
        }
        if let adj = c.process.oomScoreAdj {
            try withContext("process.oomScoreAdj") { try procfs.write("self/oom_score_adj", "\(adj)") }
        }
        // In a user namespace the runtime opens the bind sources (Rootfs/MountSources.swift).
        var sources: [Int: Int32] = [:]
        if c.namespaces.isPrivate(.user) && c.runtimeOpensBindSources
            && !MountSources.binds(c.spec.mounts, bundle: c.bundle).isEmpty {
            guard let hostPID else { throw RuntimeError("bind sources: cannot tell the runtime this process's pid (/proc/self)") }
            sources = try MountSources.receive(c.syncFD, mounts: c.spec.mounts, hostPID: hostPID)
        }
        let terminal = try RootfsSetup(context: c, hostPID: hostPID, sources: sources).run(procfs: procfs, null: null.raw)
        for fd in sources.values { Sys.closeRaw(fd) }
        try execInit(c, terminalFD: terminal, hostPID: hostPID, procfs: procfs.root.raw, null: null.raw)
    }

    /// Time namespace: unshared here (not by clone3) so the offsets can be written before any
    /// process enters it; swiftlet-init enters it when it is executed.
    /// runtime-spec config-linux.md "Offset for Time Namespace".
    static func setUpTimeNamespace(_ c: ChildContext, procfs: borrowing Procfs) throws {
        try withContext("unshare time namespace") { try Sys.unshare(Linux.CLONE_NEWTIME) }
        if let offsets = c.spec.linux?.timeOffsets, !offsets.isEmpty {
            try withContext("linux.timeOffsets") {
                try procfs.write("self/timens_offsets", NamespacePlan.timeOffsetsText(offsets))
            }
        }
    }

    /// Builds the plan for swiftlet-init and executes it from its sealed memfd (InitExec).
    static func execInit(_ c: ChildContext, terminalFD: Int32, hostPID: Int32?, procfs: Int32, null: Int32) throws {
        let executable = try ExecutableLookup.resolve(c.process)
        var handoff = InitExec(
            mode: c.directExec ? SWL_MODE_DIRECT : SWL_MODE_SUPERVISE, initFD: c.initFD, syncFD: c.syncFD, startFD: c.startFD,
            terminalFD: terminalFD, notifyFD: c.seccompListenerFD, procFD: procfs, nullFD: null, preserveFDs: c.preserveFDs,
            process: c.process, executable: executable, personality: c.spec.linux?.personality, seccomp: c.seccomp,
            memoryPolicy: c.spec.linux?.memoryPolicy)
        if !c.directExec {
            // Orphans of the process come back to the init, not to the host's init, when the
            // container has no pid namespace of its own.
            handoff.subreaper = !c.namespaces.isPrivate(.pid)
            // If PID 1 dies without a pid namespace to take its children along, they die too.
            handoff.parentDeathSignal = true
        }
        // Direct mode: the process is the container, as runc's is: not a subreaper, and no
        // parent-death signal (its parent is the runtime, which exits after `create`; the
        // engine's shim or the host's init adopts it).
        if c.seccompListenerFD >= 0 {
            handoff.seccompListenerState = try SeccompListener.processState(
                id: c.id, bundle: c.bundle, annotations: c.spec.annotations, pid: hostPID ?? Sys.getpid(),
                metadata: c.spec.linux?.seccomp?.listenerMetadata)
        }
        if let hooks = c.spec.hooks?.startContainer, !hooks.isEmpty {
            handoff.startHooks = (hooks, try Runtime.specState(c.stateTemplate, status: .created, pid: hostPID))
        }
        try handoff.exec()
    }
}

/// Finding the executable of process.args[0] the way execvp(3) would, inside the container:
/// runc reports a missing one at create time, and so do we.
enum ExecutableLookup {
    static let defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    static func resolve(_ process: Process) throws -> String {
        guard let name = process.args?.first, !name.isEmpty else {
            throw RuntimeError("process.args: must not be empty")
        }
        if name.contains("/") {
            let path = name.hasPrefix("/") ? name : process.cwd + "/" + name
            guard Sys.isExecutable(path) else {
                throw RuntimeError("exec: \"\(name)\": " + (Sys.exists(path) ? "permission denied" : "no such file or directory"),
                                   errno: Sys.exists(path) ? Errno.EACCES : Errno.ENOENT)
            }
            return path
        }
        let pathVariable = process.env?.last { $0.hasPrefix("PATH=") }.map { String($0.dropFirst(5)) } ?? defaultPath
        for dir in pathVariable.split(separator: ":", omittingEmptySubsequences: false) {
            let base = dir.isEmpty ? "." : String(dir)
            let candidate = (base.hasPrefix("/") ? base : process.cwd + "/" + base) + "/" + name
            if Sys.isExecutable(candidate) { return candidate }
        }
        throw RuntimeError("exec: \"\(name)\": executable file not found in $PATH", errno: Errno.ENOENT)
    }
}
