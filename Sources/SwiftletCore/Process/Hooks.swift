import OCI

/// Runs lifecycle hooks: runtime-spec config.md "POSIX-platform Hooks" and runtime.md
/// "Lifecycle". Each hook gets the container state on stdin, its own args and env (nothing
/// else of the runtime's environment), and is killed when its timeout passes.
enum HookRunner {
    /// Runs `hooks` in order; the first failure stops the rest and is returned as an error
    /// naming the hook (`hooks.createRuntime[1] (/usr/bin/x): exited with status 3`).
    static func run(_ hooks: [Hook]?, kind: String, state: [UInt8]) throws {
        for (i, hook) in (hooks ?? []).enumerated() {
            try runOne(hook, field: "hooks.\(kind)[\(i)] (\(hook.path))", state: state)
        }
    }

    /// Runs every hook and only reports failures as warnings: poststart and poststop failures
    /// must not fail the operation (runtime.md steps 11 and 15... "log a warning").
    static func runWarning(_ hooks: [Hook]?, kind: String, state: [UInt8], warn: (String) -> Void) {
        for (i, hook) in (hooks ?? []).enumerated() {
            do {
                try runOne(hook, field: "hooks.\(kind)[\(i)] (\(hook.path))", state: state)
            } catch {
                warn("\(error)")
            }
        }
    }

    static func runOne(_ hook: Hook, field: String, state: [UInt8]) throws {
        let pipe = try withContext(field) { try Sys.pipe() }
        let args = (hook.args?.isEmpty ?? true) ? [hook.path] : (hook.args ?? [])
        let pid = try withContext(field) { try Sys.spawn(hook.path, args: args, env: hook.env ?? [], stdinFD: pipe.first.raw) }
        let pidfd = try withContext(field) { try Sys.pidfdOpen(pid) }
        let deadline = hook.timeout.flatMap { $0 > 0 ? Sys.monotonicMs() + Int64($0) * 1000 : nil }
        let fed = try withContext(field) {
            try feed(state, to: pipe.second.raw, while: pidfd.raw, until: deadline, path: "stdin of \(hook.path)")
        }
        _ = consume pipe
        var exited = fed != .timedOut
        if fed == .fed, let deadline {
            exited = try withContext(field) { try Sys.pollExit(pidfd: pidfd.raw, timeoutMs: Int32(clamping: max(0, deadline - Sys.monotonicMs()))) }
        }
        if !exited {
            try? Sys.pidfdSendSignal(pidfd.raw, Linux.SIGKILL)
            _ = try? Sys.wait(pidfd: pidfd.raw)
            throw RuntimeError("\(field): timed out after \(hook.timeout ?? 0)s")
        }
        let status = try withContext(field) { try Sys.wait(pidfd: pidfd.raw) }
        switch status {
        case .exited(0): return
        case .exited(let code): throw RuntimeError("\(field): exited with status \(code)")
        case .signaled(let sig): throw RuntimeError("\(field): killed by signal \(sig)")
        }
    }

    enum Feeding { case fed, exited, timedOut }

    /// Writes `state` into the hook's stdin between polls (non-blocking), watching the hook's
    /// pidfd, until all is written (`.fed`: the caller closes the pipe and waits), the hook
    /// exited, or `deadline` (Sys.monotonicMs; nil: none) passed. A hook that never reads its
    /// stdin is its business: EPIPE (SIGPIPE is ignored) ends the feeding as if all was
    /// written, and a state larger than a pipe holds (annotations can make it so) cannot hold
    /// the timeout off.
    private static func feed(_ state: [UInt8], to fd: Int32, while pidfd: Int32, until deadline: Int64?, path: String) throws(SystemError) -> Feeding {
        if state.isEmpty { return .fed }
        try Sys.setNonBlocking(fd, true)
        var offset = 0
        while offset < state.count {
            let left = deadline.map { max(0, $0 - Sys.monotonicMs()) } ?? -1
            let events = try Sys.poll([(pidfd, Sys.POLLIN), (fd, Sys.POLLOUT)], timeoutMs: Int32(clamping: left))
            if events[0] != 0 { return .exited }
            if events[1] == 0 {
                if deadline != nil && left == 0 { return .timedOut }
                continue
            }
            if events[1] & (Linux.POLLERR | Linux.POLLHUP) != 0 { return .fed }
            do {
                offset += try Sys.writeSome(fd, state, from: offset, path: path)
            } catch where error.errno == Errno.EPIPE {
                return .fed
            }
        }
        return .fed
    }
}
