import CSwiftlet
import OCI

/// The last steps of every child, create's (ChildSetup) and exec's (ExecSetup): the plan for
/// swiftlet-init written into a memfd, the descriptors it needs moved out of the preserved
/// range and kept across execve (everything else closed), the memory policy, and execveat of
/// the sealed init. What differs between the two is what goes into the plan.
struct InitExec {
    /// SUPERVISE (the init stays PID 1) or DIRECT (the init becomes the program).
    var mode: swl_mode
    /// The sealed memfd holding swiftlet-init.
    var initFD: Int32
    var syncFD: Int32
    var startFD: Int32
    /// The pty slave (process.terminal), else -1.
    var terminalFD: Int32 = -1
    /// The connection to linux.seccomp.listenerPath, else -1.
    var notifyFD: Int32 = -1
    /// The root of the runtime's private procfs (System/Procfs.swift).
    var procFD: Int32
    /// The verified null device, else -1 (exec: the init then keeps stdio as it is).
    var nullFD: Int32 = -1
    /// --preserve-fds: 3..3+n-1 are the process's and pass through untouched.
    var preserveFDs: Int
    var process: Process
    /// process.args[0] as found in the container (ExecutableLookup).
    var executable: String
    var personality: LinuxPersonality?
    /// process.execCPUAffinity's final mask (exec only).
    var finalAffinity: [UInt8]? = nil
    var seccomp: SeccompProgram?
    /// The container process state sent with the listener fd (with `notifyFD`).
    var seccompListenerState: String? = nil
    /// SUPERVISE without a pid namespace of its own: orphans come back to the init.
    var subreaper = false
    /// SUPERVISE: the process dies with PID 1.
    var parentDeathSignal = false
    /// startContainer hooks and the state they get (create only).
    var startHooks: (hooks: [Hook], state: [UInt8])? = nil
    /// linux.memoryPolicy, set last.
    var memoryPolicy: LinuxMemoryPolicy?

    /// The plan (swiftlet_plan.h) for the descriptors as numbered after the move.
    func plan(_ fds: Descriptors) throws -> InitPlan {
        var plan = InitPlan(mode: mode)
        plan.append(SWL_P_PROC_FD, i32: fds.proc)
        if fds.null >= 0 { plan.append(SWL_P_NULL_FD, i32: fds.null) }
        plan.append(SWL_P_SYNC_FD, i32: fds.sync)
        plan.append(SWL_P_START_FD, i32: fds.start)
        if fds.terminal >= 0 { plan.append(SWL_P_TERMINAL_FD, i32: fds.terminal) }
        if preserveFDs > 0 { plan.append(SWL_P_PRESERVE_FDS, u32: [UInt32(preserveFDs)]) }
        if subreaper { plan.append(SWL_P_SUBREAPER) }
        if parentDeathSignal { plan.append(SWL_P_PDEATHSIG, u32: [UInt32(Linux.SIGKILL)]) }
        do { try plan.addProcess(process, executable: executable) } catch { throw RuntimeError(error) }
        plan.addPersonality(personality)
        if let finalAffinity { plan.append(SWL_P_CPU_AFFINITY, raw: finalAffinity) }
        if let seccomp { plan.addSeccomp(seccomp) }
        if fds.notify >= 0, let seccompListenerState { plan.addSeccompListener(socket: fds.notify, state: seccompListenerState) }
        if let startHooks { plan.addStartHooks(startHooks.hooks, state: startHooks.state) }
        return plan
    }

    /// The descriptors the init inherits, as numbered in the plan.
    struct Descriptors {
        var initFD, sync, start, terminal, notify, proc, null: Int32
    }

    /// Writes the plan and executes swiftlet-init; returns only by throwing.
    func exec() throws {
        // The init's own descriptors must not sit in the preserved range 3..3+n-1.
        let floor = Int32(3 + preserveFDs)
        func above(_ fd: Int32) throws -> Int32 { try LaunchSupport.moveAbove(fd, floor: floor) }
        let fds = Descriptors(initFD: try above(initFD), sync: try above(syncFD), start: try above(startFD),
                              terminal: try above(terminalFD), notify: try above(notifyFD), proc: try above(procFD),
                              null: try above(nullFD))
        let bytes = try plan(fds).bytes
        let planFD = try withContext("write init plan") {
            let fd = try Sys.memfd(name: "swiftlet-plan", bytes: bytes)
            return fd.raw < floor ? try Sys.dup(fd.raw, minimum: floor) : fd
        }
        // Only stdio, the preserved fds and what the init needs survive the exec.
        try withContext("close inherited descriptors") {
            try Sys.closeRange(from: UInt32(floor), cloexecOnly: true)
            for fd in [fds.sync, fds.start, planFD.raw, fds.terminal, fds.notify, fds.proc, fds.null] where fd >= 0 {
                try Sys.setCloexec(fd, false)
            }
        }
        // config-linux.md "Memory policy": last, so that none of the setup's own allocations
        // follow it; PID 1 keeps it across execve and the process inherits it at fork.
        try MemoryPolicy.apply(memoryPolicy)
        try Sys.prctl(Linux.PR_SET_PDEATHSIG, 0)
        let error = Sys.execveat(fds.initFD, argv: ["swiftlet-init", "\(planFD.raw)"], env: [])
        throw RuntimeError("exec swiftlet-init", error)
    }
}
