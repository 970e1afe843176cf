import OCI

/// The prestart and createRuntime hooks of a restore. runc runs them while CRIU restores, once
/// the container's namespaces exist and before its processes are restored (CRIU's
/// `setup-namespaces` step), with the state's pid set to the restored init's; createContainer,
/// startContainer and poststart hooks are not run (runc-restore(8) behaviour, which runc learns
/// the step through CRIU's RPC). With CRIU's command line the step is an action script: CRIU
/// executes it (execvp, no shell) at each step with CRTOOLS_SCRIPT_ACTION and, from
/// `setup-namespaces` on, CRTOOLS_INIT_PID. The script, written into the container's state
/// directory (root's, 0700), only reports the step to the runtime through a FIFO there and
/// waits for the answer on a second FIFO, so the hooks run in the runtime itself (HookRunner,
/// with its timeouts, as at create).
/// config.md "POSIX-platform Hooks" (prestart, createRuntime).
final class CriuRestoreHooks {
    let requestPath: String
    let answerPath: String
    /// The action script's path, given to CRIU as `--action-script`.
    let scriptPath: String
    /// Both FIFOs are held open read-write: opening never blocks, the request FIFO never reports
    /// hang-up between writers, and an answer stays in the answer FIFO until the script reads it.
    let request: FileDescriptor
    let answer: FileDescriptor

    /// Makes the two FIFOs in `directory` (the container's state directory).
    init(directory: String) throws {
        let requestPath = directory + "/criu-hooks.request"
        let answerPath = directory + "/criu-hooks.answer"
        for path in [requestPath, answerPath] {
            try withContext("restore hooks: \(path)") { try Sys.mkfifo(path, mode: 0o600) }
        }
        self.requestPath = requestPath
        self.answerPath = answerPath
        let scriptPath = directory + "/criu-hooks.sh"
        let text = "#!/bin/sh\n" + Self.script(request: requestPath, answer: answerPath) + "\n"
        try withContext("restore hooks: \(scriptPath)") { try Sys.writeFileAtomically(scriptPath, Array(text.utf8), mode: 0o700) }
        self.scriptPath = scriptPath
        request = try withContext("restore hooks: \(requestPath)") {
            try Sys.open(requestPath, Linux.O_RDWR | Linux.O_NONBLOCK | Linux.O_CLOEXEC)
        }
        answer = try withContext("restore hooks: \(answerPath)") { try Sys.open(answerPath, Linux.O_RDWR | Linux.O_CLOEXEC) }
    }

    /// The action script's body: only `setup-namespaces` waits for the runtime.
    static func script(request: String, answer: String) -> String {
        "[ \"$CRTOOLS_SCRIPT_ACTION\" = setup-namespaces ] || exit 0; echo \"$CRTOOLS_INIT_PID\" > \(quoted(request))"
            + " && read -r answer < \(quoted(answer)) && [ \"$answer\" = ok ]"
    }

    /// `text` as one sh word (single quotes; a single quote inside closed, escaped, reopened).
    static func quoted(_ text: String) -> String {
        "'" + text.replacing("'", with: "'\\''") + "'"
    }

    /// The pid the script reported (the restored init's, as the host sees it).
    static func pid(_ bytes: [UInt8]) -> Int32? {
        let text = String(decoding: bytes, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
        guard let pid = Int32(text), pid > 0 else { return nil }
        return pid
    }

    /// Called when the request FIFO is readable: reads the pid, runs `hooks` with it and answers
    /// the script (`ok`, or `fail`, which fails CRIU's step and so the restore). Returns the
    /// hooks' error, which the restore reports instead of CRIU's.
    func answer(running hooks: (Int32) throws -> Void) -> Error? {
        var failure: Error?
        do {
            let bytes = try withContext("restore hooks: \(requestPath)") { try Sys.readSome(request.raw, count: 64, path: requestPath) }
            if bytes.isEmpty { return nil }
            guard let pid = Self.pid(bytes) else {
                throw RuntimeError("restore hooks: CRIU's action script reported no pid: \"\(String(decoding: bytes, as: UTF8.self))\"")
            }
            try hooks(pid)
        } catch {
            failure = error
        }
        let reply = failure == nil ? "ok\n" : "fail\n"
        do {
            try withContext("restore hooks: \(answerPath)") { try Sys.writeAll(answer.raw, Array(reply.utf8), path: answerPath) }
        } catch {
            return failure ?? error
        }
        return failure
    }

    /// Removes the FIFOs (the descriptors close with the value); `log` hears what failed.
    func remove(log: (String) -> Void) {
        for path in [requestPath, answerPath, scriptPath] {
            do { try Sys.unlink(path) } catch { log("restore hooks: unlink \(path): \(error)") }
        }
    }
}
