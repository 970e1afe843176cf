import OCI

extension Runtime {
    /// `run`: create + start, then (unless detached) wait for the container, forward signals to
    /// it, relay the terminal when the container has one, delete it (unless `options.keep`:
    /// runc's `--keep` leaves the stopped container for `delete`), and return the process's exit
    /// code (128+N when killed by signal N).
    public func run(id: String, options: CreateOptions, detach: Bool) throws -> Int32 {
        var options = options
        options.keepConsole = !detach && options.consoleSocket == nil
        options.startAtOnce = true
        var created = try create(id: id, options: options)
        do {
            try finishStart(created.record, connection: created.startConnection, lock: try store.lock(id), removeSocket: false)
        } catch {
            try? delete(id: id, force: true)
            throw error
        }
        if detach { return 0 }
        let code = try waitInForeground(created)
        if !options.keep {
            var record = created.record
            record.started = true  // as finishStart saved it
            do { try delete(id: id, force: true, known: record) } catch { warn("delete \(id): \(error)") }
        }
        if let recorder = created.recorder {
            waitForRecorder(recorder)
            // waitForRecorder owns (and closes) the pidfd now.
            created.recorder = nil
        }
        return code
    }

    func waitInForeground(_ created: borrowing CreatedContainer) throws -> Int32 {
        let signals = try withContext("signalfd") { try SignalForwarding() }
        var relay: TerminalRelay?
        if created.consoleMaster >= 0 {
            relay = TerminalRelay(master: created.consoleMaster)
            relay?.begin()
        }
        defer { relay?.end() }
        while true {
            var fds: [(Int32, Int16)] = [(created.pidfd.raw, Sys.POLLIN), (signals.fd.raw, Sys.POLLIN)]
            if let relay { fds += relay.pollSet }
            let ready = try withContext("poll") { try Sys.poll(fds, timeoutMs: -1) }
            if ready[1] != 0 {
                while let signal = signals.next() {
                    if signal == Linux.SIGCHLD { continue }
                    if signal == Linux.SIGWINCH { relay?.resize(); continue }
                    try? Sys.pidfdSendSignal(created.pidfd.raw, signal)
                }
            }
            if relay != nil { relay?.pump(ready: Array(ready.dropFirst(2))) }
            if ready[0] != 0 {
                relay?.drain()
                return try withContext("wait for container") { try Sys.wait(pidfd: created.pidfd.raw) }.code
            }
        }
    }
}

/// Blocks every signal and reads them from a signalfd, so `run` can forward them to the
/// container. The old mask comes back when it goes away.
struct SignalForwarding: ~Copyable {
    let fd: FileDescriptor
    private let saved: [UInt8]

    init() throws(SystemError) {
        let mask = try Sys.blockAllSignals()
        do {
            fd = try Sys.signalfdAll()
        } catch {
            Sys.restoreSignalMask(mask)
            throw error
        }
        saved = mask
    }

    func next() -> Int32? {
        let signal = Sys.readSignal(fd.raw)
        return signal > 0 ? signal : nil
    }

    deinit { Sys.restoreSignalMask(saved) }
}

/// `run` with process.terminal and no console socket: the caller's terminal talks to the pty
/// master, in raw mode, with window size changes passed on.
struct TerminalRelay {
    let master: Int32
    private var saved: [UInt8]?
    private var stdinOpen = true

    init(master: Int32) { self.master = master }

    var pollSet: [(Int32, Int16)] {
        [(master, Sys.POLLIN)] + (stdinOpen ? [(Int32(0), Sys.POLLIN)] : [])
    }

    mutating func begin() {
        if Sys.isTerminal(0) { saved = Sys.makeRaw(0) }
        resize()
    }

    func end() {
        if let saved { Sys.restoreTerminal(0, saved) }
    }

    func resize() {
        if let size = Sys.windowSize(0) { try? Sys.setWindowSize(master, rows: size.rows, cols: size.cols) }
    }

    /// Copies what is ready: pty output to stdout, stdin to the pty.
    mutating func pump(ready: [Int16]) {
        if ready.count > 0, ready[0] != 0 { _ = Sys.copyAvailable(from: master, to: 1) }
        if stdinOpen, ready.count > 1, ready[1] != 0 {
            if !Sys.copyAvailable(from: 0, to: master) { stdinOpen = false }
        }
    }

    /// After the process exited: whatever output is still buffered in the pty.
    func drain() {
        while Sys.poll1(master, timeoutMs: 0) && Sys.copyAvailable(from: master, to: 1) {}
    }
}
