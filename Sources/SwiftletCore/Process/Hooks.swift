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
        do {
            try Sys.writeAll(pipe.second.raw, state, path: "stdin of \(hook.path)")
        } catch {
            // EPIPE: the hook does not read its stdin; that is its business.
            if error.errno != Errno.EPIPE { throw RuntimeError(field, error) }
        }
        _ = consume pipe
        if let timeout = hook.timeout, timeout > 0 {
            let exited = try withContext(field) { try Sys.pollExit(pidfd: pidfd.raw, timeoutMs: Int32(clamping: timeout * 1000)) }
            if !exited {
                try? Sys.pidfdSendSignal(pidfd.raw, Linux.SIGKILL)
                _ = try? Sys.wait(pidfd: pidfd.raw)
                throw RuntimeError("\(field): timed out after \(timeout)s")
            }
        }
        let status = try withContext(field) { try Sys.wait(pidfd: pidfd.raw) }
        switch status {
        case .exited(0): return
        case .exited(let code): throw RuntimeError("\(field): exited with status \(code)")
        case .signaled(let sig): throw RuntimeError("\(field): killed by signal \(sig)")
        }
    }
}
