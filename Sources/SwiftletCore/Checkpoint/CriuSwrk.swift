/// One request to CRIU through its RPC: `criu swrk 3`, a CRIU spawned for the request with one
/// end of a SOCK_SEQPACKET socketpair as its fd 3 (cr-service.c `cr_service_work`). The runtime
/// sends one `criu_req` (Checkpoint/CriuRPC.swift); CRIU answers each of its steps that has a
/// notification (`notify_scripts`: setup-namespaces, post-restore, ...; `orphan_pts_master`:
/// orphan-pts-master, with the master attached as SCM_RIGHTS) with a `criu_notify` and waits
/// for the runtime's answer (`notify_success`; false fails the step and so the request), then
/// sends its final `criu_resp` and exits. The descriptors CRIU is to hand to the restored
/// processes (`inherit_fd`, swrk only) are given to it at 4, 5, ... (`inheritBase`).
///
/// Why the RPC and not `criu dump`/`criu restore`: a terminal container's console exists only
/// in the RPC (`orphan_pts_master` has no command-line form in CRIU 3.17), and the notifications
/// carry what the restore hooks need (the restored init's pid at setup-namespaces) without an
/// action script and FIFOs. docs/checkpoint.md "How".
enum CriuSwrk {
    /// The number of the first inherited descriptor in CRIU (3 is the RPC socket).
    static let inheritBase: Int32 = 4

    /// A notification: CRIU's step (`criu_notify.script`), the restored init's pid where CRIU
    /// gives it (setup-namespaces, post-restore), and the attached descriptor (-1 if none; owned
    /// by the session, closed once the handler returned).
    struct Notification {
        let script: String
        let pid: Int32?
        let fd: Int32
    }

    struct Outcome {
        /// CRIU's final answer; nil when it ended without one (crashed, killed, bad options).
        var response: CriuResponse?
        /// Everything CRIU printed on stdout/stderr (before its log file is set up).
        var output: String
        var status: Int32
        /// The first error a notification handler threw (its step was failed).
        var notifyError: Error?
    }

    /// Spawns `criu swrk 3` (`path`), sends `type` with `opts`, answers the notifications with
    /// `onNotify` (a throw answers false), and returns once CRIU has exited. `inherit`: the
    /// runtime's descriptors CRIU gets at `inheritBase`, `inheritBase + 1`, ... in that order.
    /// `debug` hears what went wrong on the socket (CRIU's own error comes in its answer or log).
    static func run(_ path: String, _ type: CriuRequestType, opts: CriuOpts, command: String, inherit: [Int32] = [],
                    debug: (String) -> Void, onNotify: (Notification) throws -> Void = { _ in }) throws -> Outcome {
        let pair = try withContext("\(command): criu socketpair") { try Sys.socketpair() }
        let socket = pair.first
        let child = pair.second
        let output = try withContext("\(command): criu") { try Sys.pipe() }
        let reader = output.first
        let writer = output.second
        let devnull = try withContext("\(command): /dev/null") { try Sys.open("/dev/null", Linux.O_RDONLY) }
        // Every descriptor CRIU gets is first copied above all the numbers it gets them at, so
        // that no dup2 of the spawn overwrites one still to come.
        let sources = [child.raw] + inherit
        let floor = inheritBase + Int32(inherit.count)
        var spread: [Int32] = []
        defer { for fd in spread { Sys.closeRaw(fd) } }
        for fd in sources {
            spread.append(try withContext("\(command): descriptor \(fd) for criu") { try Sys.dup(fd, minimum: floor).take() })
        }
        let placed = spread.enumerated().map { ($0.element, Int32(3 + $0.offset)) }
        let pid = try withContext("\(command): spawn \(path) swrk") {
            try Sys.spawn(path, args: ["criu", "swrk", "3"], env: Sys.environment(), stdinFD: devnull.raw,
                          outputFD: writer.raw, inherit: placed)
        }
        for fd in spread { Sys.closeRaw(fd) }
        spread = []
        // Only CRIU holds its ends now: its exit is an EOF on both.
        _ = consume child
        _ = consume writer

        var outcome = Outcome(response: nil, output: "", status: -1, notifyError: nil)
        var text: [UInt8] = []
        do {
            try withContext("\(command): request to criu") { try Sys.sendBytes(socket.raw, CriuRequest.encode(type, opts: opts)) }
        } catch {
            // CRIU died before reading (its output says why): wait for it below.
            debug("\(command): \(error)")
        }
        var outputOpen = true
        var socketOpen = true
        // An error on the socket or in an answer ends the session: both ends close below, so
        // CRIU sees EOF (or EPIPE) and exits, and it is reaped before the error is thrown.
        var sessionError: Error?
        do {
            while outputOpen || socketOpen {
                let ready = try withContext("\(command): poll") {
                    try Sys.poll([(outputOpen ? reader.raw : -1, Sys.POLLIN), (socketOpen ? socket.raw : -1, Sys.POLLIN)], timeoutMs: -1)
                }
                if ready[0] != 0 {
                    let chunk = try withContext("\(command): output of criu") { try Sys.readSome(reader.raw, count: 16384, path: "output of criu") }
                    if chunk.isEmpty { outputOpen = false }
                    text += chunk
                }
                guard ready[1] != 0 else { continue }
                var attached: Int32 = -1
                let message: [UInt8]
                let capacity = 1 << 16
                do {
                    message = try Sys.receiveBytes(socket.raw, capacity: capacity, attachedFD: &attached)
                } catch {
                    debug("\(command): criu's socket: \(error)")
                    socketOpen = false
                    continue
                }
                defer { if attached >= 0 { Sys.closeRaw(attached) } }
                // A datagram that fills the buffer may have been cut (SOCK_SEQPACKET drops the rest).
                guard message.count < capacity else {
                    throw RuntimeError("\(command): criu's answer is \(capacity) bytes or more", errno: Errno.EPROTO)
                }
                if message.isEmpty {
                    socketOpen = false
                    continue
                }
                let response: CriuResponse
                do { response = try CriuResponse.decode(message) } catch {
                    throw RuntimeError("\(command): criu's answer: \(error)", errno: Errno.EPROTO)
                }
                guard response.isNotify else {
                    // The final answer: CRIU exits after it.
                    outcome.response = response
                    socketOpen = false
                    continue
                }
                var success = true
                do {
                    try onNotify(Notification(script: response.notifyScript ?? "", pid: response.notifyPid, fd: attached))
                } catch {
                    success = false
                    if outcome.notifyError == nil { outcome.notifyError = error }
                }
                do { try Sys.sendBytes(socket.raw, CriuRequest.notifyAnswer(success: success)) } catch {
                    debug("\(command): answer to criu's \(response.notifyScript ?? "") notification: \(error)")
                }
            }
        } catch {
            sessionError = error
        }
        _ = consume socket
        _ = consume reader
        let status = try withContext("\(command): wait for criu") { try Sys.wait(pid: pid) }
        if let sessionError { throw sessionError }
        outcome.status = status.code
        outcome.output = String(decoding: text, as: UTF8.self)
        return outcome
    }

    /// The one-line reason of a failed request: CRIU's `cr_errmsg` (its log's first error),
    /// else the log file's first error, else CRIU's last line of output.
    static func failure(_ outcome: Outcome, log: String) -> String {
        if let message = outcome.response?.crErrmsg, !message.isEmpty {
            return CriuTool.firstError(message).trimmingSuffix(while: { $0 == "\n" })
        }
        return CriuTool.logError(log) ?? CriuTool.lastLine(outcome.output)
    }
}

extension String {
    fileprivate func trimmingSuffix(while predicate: (Character) -> Bool) -> String {
        var end = endIndex
        while end > startIndex, predicate(self[index(before: end)]) { end = index(before: end) }
        return String(self[..<end])
    }
}
