import OCI

/// Pieces shared by `create` (Launch) and `exec` (ExecLaunch): both clone a process that
/// executes swiftlet-init and talk to it until it is ready.
enum LaunchSupport {
    /// Sends the pty master to --console-socket with SCM_RIGHTS, as runc does
    /// (runtime-spec config.md "terminal").
    static func sendConsole(_ master: Int32, to socketPath: String) throws {
        let socket = try withContext("--console-socket") { try Sys.connectUnix(Runtime.absolutePath(socketPath), stream: true) }
        try withContext("--console-socket") { try Sys.sendBytes(socket.raw, Array("/dev/ptmx".utf8), attaching: master) }
    }

    /// How the process behind `pidfd` ended, for "exited before it was ready" errors.
    /// `memoryLimit`: linux.resources.memory.limit, named when SIGKILL suggests the OOM killer.
    static func exitDescription(pidfd: Int32, memoryLimit: Int64? = nil) -> String {
        guard pidfd >= 0, let status = try? Sys.wait(pidfd: pidfd) else { return "status unknown" }
        switch status {
        case .exited(let code): return "exit status \(code)"
        case .signaled(let sig):
            // The usual SIGKILL before READY is the OOM killer acting on a tiny memory limit.
            if sig == Linux.SIGKILL, let limit = memoryLimit, limit >= 0 {
                return "killed by signal \(sig); linux.resources.memory.limit is \(limit) bytes: out of memory?"
            }
            return "killed by signal \(sig)"
        }
    }

    /// The init's own descriptors must not sit in the preserved range 3..floor-1 (they would
    /// be taken for the process's preserved fds): a descriptor there is duplicated above it.
    static func moveAbove(_ fd: Int32, floor: Int32) throws -> Int32 {
        guard fd >= 0, fd < floor else { return fd }
        return try withContext("move descriptor") { try Sys.dup(fd, minimum: floor).take() }
    }
}
