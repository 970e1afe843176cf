import CSwiftlet
import OCI

/// Everything the cloned child of `exec` needs, computed by the runtime before clone3.
struct ExecContext {
    /// The container's init: its pid (runtime's view) and a verified pidfd.
    let initPID: Int32
    let pidfd: Int32
    /// Namespaces of the init that differ from the runtime's own, to join (never `pid`: the
    /// runtime joined that one for its children before clone3).
    let joins: [LinuxNamespaceType]
    /// O_PATH descriptor of /proc/<init>/root, opened in the runtime's mount namespace.
    let rootFD: Int32
    /// SOCK_SEQPACKET to the runtime: GO comes in; CONSOLE, ERROR and swiftlet-init's READY go out.
    let syncFD: Int32
    /// A listening socket with the runtime's connection (START already queued) in its backlog:
    /// swiftlet-init accepts it and reports STARTED or the process's setup error on it.
    let startFD: Int32
    /// The sealed memfd holding swiftlet-init.
    let initFD: Int32
    let process: Process
    let seccomp: SeccompProgram?
    /// The connection to linux.seccomp.listenerPath (-1: none) and the container process state
    /// sent along with this process's listener fd.
    let seccompListenerFD: Int32
    let seccompListenerState: String?
    let preserveFDs: Int
    /// The container's v1 `tasks` files, written first to join its cgroups.
    let cgroupJoin: CgroupSelfJoin
    /// The container's linux.personality and linux.memoryPolicy (from its saved config.json),
    /// which an exec'd process gets too, as runc's do.
    var personality: LinuxPersonality? = nil
    var memoryPolicy: LinuxMemoryPolicy? = nil
    /// process.execCPUAffinity's final mask (or every CPU: ExecAffinity), applied by swiftlet-init.
    var finalAffinity: [UInt8]? = nil
    /// Rootless: `joins` includes the pid namespace, which this child joins along with the
    /// others and then clones the real process into (CLONE_PARENT), handing its pidfd over.
    var pidByChild = false
}

/// The child side of `exec`: joins the container and executes swiftlet-init in DIRECT mode,
/// which applies the process settings (the same code as for the container's own process)
/// and execve's the program in place. Executing through the sealed memfd matters: the process
/// that ends up running the user's program never has the host's swiftlet binary as
/// /proc/self/exe (CVE-2019-5736).
///
/// Order, and why:
///  1. PR_SET_PDEATHSIG: a runtime that dies mid-way takes the half-made process with it.
///  2. Join the container's v1 cgroups by writing "0" to their `tasks` files (clone3's
///     CLONE_INTO_CGROUP only covers the unified hierarchy; see `CgroupSelfJoin`), then wait
///     for GO: the runtime adds whatever is left, so nothing of the setup, and nothing of the
///     program, runs outside the container's limits.
///  3. Join the namespaces through the init's pidfd (one atomic setns, Linux >= 5.8), or one
///     /proc/<pid>/ns/* file at a time (user first, mount last) on older kernels. The pid
///     namespace was joined by the runtime for this child before clone3 (setns(CLONE_NEWPID)
///     only affects children). In a user namespace, become its root (uid/gid 0), so the
///     capabilities survive the execve of swiftlet-init. Rootless, the runtime cannot join
///     the pid namespace for it (or not leave it again): this child joins it with the rest
///     and clones the process into it (`cloneIntoPidNamespace`), which goes on from here.
///  4. chroot into the init's root: after pivot_root that is the mount namespace's root,
///     which setns(CLONE_NEWNS) already made ours, but with --no-pivot, or without a mount
///     namespace, only the init's root is the container's root.
///  5. oom_score_adj, the terminal (a pty of the container's devpts; the master goes to the
///     runtime), the executable's lookup in the container (so "not found" is a clear error
///     before anything runs), then the plan and execveat of swiftlet-init.
enum ExecSetup {
    static func main(_ c: ExecContext) -> Never {
        do {
            try run(c)
        } catch {
            SyncChannel(c.syncFD).report(error)
        }
        Sys.exit(1)
    }

    static func run(_ c: ExecContext) throws {
        try Sys.prctl(Linux.PR_SET_PDEATHSIG, UInt(Linux.SIGKILL))
        try withContext("exec: join cgroup") { try c.cgroupJoin.join() }
        try SyncChannel(c.syncFD).waitForGo(step: "wait for cgroups")
        // The container's /proc is the container's to change (it may be root in there): the
        // runtime's procfs is the host's, taken before entering the container's mount
        // namespace (System/Procfs.swift).
        let procfs = try withContext("exec: procfs") { try Procfs.mountedAtProc() }
        try joinNamespaces(c)
        if c.joins.contains(.user) {
            // Our host uid is not root in the container's user namespace: without becoming its
            // root, every capability would be gone at the execve of swiftlet-init.
            try withContext("become root in the container's user namespace") {
                try Sys.setresgid(0)
                try Sys.setresuid(0)
            }
        }
        if c.pidByChild { try cloneIntoPidNamespace(c) }
        try withContext("enter the container's root") {
            try Sys.fchdir(c.rootFD, path: "/proc/\(c.initPID)/root")
            try Sys.chroot(".")
            try Sys.chdir("/")
        }
        if let adj = c.process.oomScoreAdj {
            try withContext("process.oomScoreAdj") { try procfs.write("self/oom_score_adj", "\(adj)") }
        }
        let terminal = c.process.terminal == true ? try openTerminal(c) : -1
        let executable = try ExecutableLookup.resolve(c.process)
        try execInit(c, terminalFD: terminal, executable: executable, procfs: procfs.root.raw)
    }

    /// Rootless: setns(CLONE_NEWPID) only decided where this process's children go. The first
    /// stage clones the process there as the runtime's child (CLONE_PARENT), sends its pidfd
    /// and exits; the clone carries on with the setup. ChildSetup's first stage does the same.
    static func cloneIntoPidNamespace(_ c: ExecContext) throws {
        let child = try withContext("exec: clone into the container's pid namespace") { try Sys.clone3(flags: Linux.CLONE_PARENT) }
        if child.pid == 0 {
            try Sys.prctl(Linux.PR_SET_PDEATHSIG, UInt(Linux.SIGKILL))
            return
        }
        let pidfd = FileDescriptor(child.pidfd)
        try SyncChannel(c.syncFD).send(.childPID(pid: child.pid, pidfd: .lent(pidfd.raw)))
        Sys.exit(0)
    }

    /// The `/proc/<pid>/ns/` file name of each namespace type.
    static func nsFile(_ type: LinuxNamespaceType) -> String {
        switch type {
        case .pid: return "pid"
        case .network: return "net"
        case .mount: return "mnt"
        case .ipc: return "ipc"
        case .uts: return "uts"
        case .user: return "user"
        case .cgroup: return "cgroup"
        case .time: return "time"
        }
    }

    static func joinNamespaces(_ c: ExecContext) throws {
        guard !c.joins.isEmpty else { return }
        let flags = c.joins.reduce(UInt64(0)) { $0 | NamespacePlan.flag(of: $1) }
        do {
            try Sys.setns(c.pidfd, flags, path: "pidfd of the container's init")
            return
        } catch {
            // EINVAL: a kernel before 5.8 cannot setns through a pidfd. The call is atomic, so
            // nothing was joined yet; go the old way, which also names the failing namespace.
            if error.errno != Errno.EINVAL { throw RuntimeError("join the container's namespaces", error) }
        }
        var fds: [Int32] = []
        defer { for fd in fds { Sys.closeRaw(fd) } }
        let ordered = NamespacePlan.joinOrder.filter { c.joins.contains($0) }
        for type in ordered {
            let path = "/proc/\(c.initPID)/ns/\(nsFile(type))"
            fds.append(try withContext("join \(type.rawValue) namespace") { try Sys.open(path, Linux.O_RDONLY).take() })
        }
        for (type, fd) in zip(ordered, fds) {
            try withContext("join \(type.rawValue) namespace") {
                try Sys.setns(fd, NamespacePlan.flag(of: type), path: "/proc/\(c.initPID)/ns/\(nsFile(type))")
            }
        }
    }

    /// `exec --tty`: a pty from the container's own devpts instance (its /dev/pts/ptmx, resolved
    /// in the container's root and verified: Pty.open), so the process's terminal is
    /// /dev/pts/N inside the container. The master goes to the runtime (and on to
    /// --console-socket); the slave becomes the process's stdio and controlling terminal
    /// (swiftlet-init's SWL_P_TERMINAL_FD).
    static func openTerminal(_ c: ExecContext) throws -> Int32 {
        let context = "exec --tty"
        let pty = try Pty.open(root: c.rootFD, size: c.process.consoleSize, context: context)
        try withContext(context) { try SyncChannel(c.syncFD).send(.console(master: .lent(pty.first.raw))) }
        return pty.second.take()
    }

    /// The DIRECT-mode plan (no supervising init, no start hooks, no parent-death signal: a
    /// detached exec outlives the runtime), then execveat of the sealed init (InitExec).
    static func execInit(_ c: ExecContext, terminalFD: Int32, executable: String, procfs: Int32) throws {
        let handoff = InitExec(
            mode: SWL_MODE_DIRECT, initFD: c.initFD, syncFD: c.syncFD, startFD: c.startFD, terminalFD: terminalFD,
            notifyFD: c.seccompListenerFD, procFD: procfs, preserveFDs: c.preserveFDs, process: c.process,
            executable: executable, personality: c.personality, finalAffinity: c.finalAffinity, seccomp: c.seccomp,
            seccompListenerState: c.seccompListenerState, memoryPolicy: c.memoryPolicy)
        try handoff.exec()
    }
}
