import CSwiftlet
import Glibc

extension Sys {
    /// How a process ended, from waitid(2).
    public enum ExitStatus: Equatable, Sendable {
        case exited(Int32)
        case signaled(Int32)

        /// The shell convention engines expect: the exit code, or 128+N when killed by signal N.
        public var code: Int32 {
            switch self {
            case .exited(let c): return c
            case .signaled(let s): return 128 + s
            }
        }
    }

    /// clone3(2) with fork semantics. Returns 0 in the child; in the parent the child's pid and
    /// its pidfd (CLONE_PIDFD is always added). `cgroupFD` adds CLONE_INTO_CGROUP.
    public static func clone3(flags: UInt64, cgroupFD: Int32 = -1) throws(SystemError) -> (pid: Int32, pidfd: Int32) {
        var pidfd: Int32 = -1
        let pid = try check("clone3", retryOnInterrupt: false) { swl_clone3(flags | Linux.CLONE_PIDFD, &pidfd, cgroupFD) }
        return (pid, pidfd)
    }

    public static func pidfdOpen(_ pid: Int32) throws(SystemError) -> FileDescriptor {
        FileDescriptor(try check("pidfd_open", "pid \(pid)") { swl_pidfd_open(pid, 0) })
    }

    public static func pidfdSendSignal(_ pidfd: Int32, _ signal: Int32) throws(SystemError) {
        _ = try check("pidfd_send_signal", "signal \(signal)") { swl_pidfd_send_signal(pidfd, signal, 0) }
    }

    /// Signals each pid through a pidfd of its own, never the bare pid; a process that is
    /// already gone (ESRCH) is skipped.
    public static func pidfdSignalEach(_ pids: [Int32], _ signal: Int32) throws(SystemError) {
        for pid in pids {
            do {
                let pidfd = try pidfdOpen(pid)
                try pidfdSendSignal(pidfd.raw, signal)
            } catch where error.errno == ESRCH {
                continue
            }
        }
    }

    static func status(code: Int32, value: Int32) -> ExitStatus {
        code == Linux.CLD_EXITED ? .exited(value) : .signaled(value)
    }

    /// Waits for a child to exit through its pidfd.
    public static func wait(pidfd: Int32) throws(SystemError) -> ExitStatus {
        var code: Int32 = 0
        var value: Int32 = 0
        _ = try check("waitid") { swl_waitid_pidfd(pidfd, WEXITED, &code, &value) }
        return status(code: code, value: value)
    }

    public static func wait(pid: Int32) throws(SystemError) -> ExitStatus {
        var code: Int32 = 0
        var value: Int32 = 0
        _ = try check("waitid", "pid \(pid)") { swl_waitid_pid(pid, WEXITED, &code, &value) }
        return status(code: code, value: value)
    }

    /// Waits until the pidfd becomes readable (the process exited) or `timeoutMs` passes.
    /// Returns true when the process has exited.
    public static func pollExit(pidfd: Int32, timeoutMs: Int32) throws(SystemError) -> Bool {
        var pfd = pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0)
        let n = try check("poll") { Glibc.poll(&pfd, 1, timeoutMs) }
        return n > 0
    }

    /// The calling thread's permitted capability set (capget(2)), bit N for capability N.
    public static func permittedCapabilities() throws(SystemError) -> UInt64 {
        var mask: UInt64 = 0
        _ = try check("capget") { swl_capget_permitted(&mask) }
        return mask
    }

    public static func exit(_ code: Int32) -> Never { Glibc._exit(code) }

    /// For a child that only has to exist (its namespaces are what matter): dies with its
    /// parent (`parent`, read before the clone, in case it died before the prctl), otherwise
    /// waits to be killed.
    public static func park(parent: Int32) -> Never {
        _ = swl_prctl(Linux.PR_SET_PDEATHSIG, UInt(Linux.SIGKILL), 0, 0, 0)
        if Glibc.getppid() != parent { Glibc._exit(1) }
        while true { _ = Glibc.pause() }
    }

    public static func getpid() -> Int32 { Glibc.getpid() }

    public static func setns(_ fd: Int32, _ nstype: UInt64, path: String) throws(SystemError) {
        _ = try check("setns", path) { swl_setns(fd, Int32(truncatingIfNeeded: nstype)) }
    }

    public static func unshare(_ flags: UInt64) throws(SystemError) {
        _ = try check("unshare") { swl_unshare(Int32(truncatingIfNeeded: flags)) }
    }

    public static func sethostname(_ name: String) throws(SystemError) {
        _ = try check("sethostname", name) { Glibc.sethostname(name, name.utf8.count) }
    }

    public static func setdomainname(_ name: String) throws(SystemError) {
        _ = try check("setdomainname", name) { Glibc.setdomainname(name, name.utf8.count) }
    }

    public static func setresuid(_ uid: UInt32) throws(SystemError) {
        _ = try check("setresuid", "\(uid)") { swl_setresuid(uid) }
    }

    public static func setresgid(_ gid: UInt32) throws(SystemError) {
        _ = try check("setresgid", "\(gid)") { swl_setresgid(gid) }
    }

    public static func prctl(_ option: Int32, _ a2: UInt = 0, _ a3: UInt = 0) throws(SystemError) {
        _ = try check("prctl", "option \(option)") { swl_prctl(option, a2, a3, 0, 0) }
    }

    public static func chdir(_ path: String) throws(SystemError) {
        _ = try check("chdir", path) { Glibc.chdir(path) }
    }

    public static func fchdir(_ fd: Int32, path: String) throws(SystemError) {
        _ = try check("chdir", path) { Glibc.fchdir(fd) }
    }

    public static func chroot(_ path: String) throws(SystemError) {
        _ = try check("chroot", path) { Glibc.chroot(path) }
    }

    /// execveat(fd, "", AT_EMPTY_PATH): runs the program held by `fd` (a sealed memfd).
    /// Returns only on failure.
    public static func execveat(_ fd: Int32, argv: [String], env: [String]) -> SystemError {
        withCStrings(argv) { cargv in
            withCStrings(env) { cenv in _ = swl_execveat_empty(fd, cargv, cenv) }
        }
        return SystemError(errno: Glibc.errno, operation: "execveat", path: argv.first)
    }

    /// A NULL-terminated `char *[]` for the duration of `body`.
    static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        pointers.append(nil)
        defer { for p in pointers { free(p) } }
        return pointers.withUnsafeBufferPointer { buffer in
            // swiftlint:disable:next force_unwrapping
            body(buffer.baseAddress ?? UnsafePointer(bitPattern: 1).unsafelyUnwrapped)
        }
    }

    public static func pipe() throws(SystemError) -> FileDescriptorPair {
        var fds: [Int32] = [-1, -1]
        _ = try check("pipe2") { swl_pipe2(&fds, O_CLOEXEC) }
        return FileDescriptorPair(FileDescriptor(fds[0]), FileDescriptor(fds[1]))
    }

    /// Monotonic milliseconds, for timeouts.
    public static func monotonicMs() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    /// Realtime clock as seconds and nanoseconds, for RFC 3339 timestamps.
    public static func now() -> (seconds: Int64, nanos: Int64) {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return (Int64(ts.tv_sec), Int64(ts.tv_nsec))
    }

    public static func sleepMs(_ ms: Int) {
        var request = timespec(tv_sec: ms / 1000, tv_nsec: (ms % 1000) * 1_000_000)
        var remaining = timespec()
        while nanosleep(&request, &remaining) < 0 && Glibc.errno == EINTR { request = remaining }
    }

    /// The start time of a process in clock ticks since boot (field 22 of /proc/PID/stat) and
    /// its state letter; nil when the process does not exist.
    public static func processStat(_ pid: Int32) -> (startTime: UInt64, state: Character)? {
        guard let bytes = try? readFile("/proc/\(pid)/stat") else { return nil }
        return parseProcessStat(bytes)
    }

    /// Fields 3 (state) and 22 (start time) of a /proc/PID/stat line, on bytes: `list` checks
    /// every container's init with it, and splitting the text into Characters cost more than
    /// reading it. The command name (field 2) may contain spaces and parentheses: the fields
    /// start after the last ')'.
    static func parseProcessStat(_ bytes: [UInt8]) -> (startTime: UInt64, state: Character)? {
        guard let close = bytes.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        var field = 2  // the field the cursor is in: 2 is the command name's end
        var position = close + 1
        var state: UInt8 = 0
        while position < bytes.count {
            // one separating space, then the next field
            guard bytes[position] == UInt8(ascii: " ") else { return nil }
            position += 1
            field += 1
            let start = position
            while position < bytes.count, bytes[position] != UInt8(ascii: " "), bytes[position] != UInt8(ascii: "\n") {
                position += 1
            }
            if field == 3 {
                guard position - start == 1 else { return nil }
                state = bytes[start]
            } else if field == 22 {
                guard position > start else { return nil }
                var value: UInt64 = 0
                for byte in bytes[start..<position] {
                    guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                    let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
                    let (sum, overflow2) = times10.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
                    guard !overflow1, !overflow2 else { return nil }
                    value = sum
                }
                return (value, Character(Unicode.Scalar(state)))
            }
            if position < bytes.count, bytes[position] == UInt8(ascii: "\n") { return nil }
        }
        return nil
    }

    /// The parent pid of a process (field 4 of /proc/PID/stat); nil when it does not exist.
    public static func parentPID(_ pid: Int32) -> Int32? {
        (try? readText("/proc/\(pid)/stat")).flatMap { parentPID(stat: $0) }
    }

    /// The parent pid in the text of a /proc/PID/stat: the field after the state, which follows
    /// the last `)` (the command name may itself hold spaces and parentheses).
    public static func parentPID(stat text: String) -> Int32? {
        guard let close = text.lastIndex(of: ")") else { return nil }
        let rest = text[text.index(after: close)...].split(separator: " ")
        return rest.count > 1 ? Int32(rest[1]) : nil
    }

    /// The pids /proc lists now (the runtime's pid namespace), unsorted.
    public static func allPIDs() throws(SystemError) -> [Int32] {
        try listDirectory("/proc").compactMap { Int32($0) }
    }

    /// Sends a signal to a process group or pid (only for children the runtime itself spawned).
    public static func kill(_ pid: Int32, _ signal: Int32) {
        _ = Glibc.kill(pid, signal)
    }

    public static func isTerminal(_ fd: Int32) -> Bool { Glibc.isatty(fd) == 1 }

    public static func geteuid() -> UInt32 { Glibc.geteuid() }

    /// Joins a new session keyring named `name` (keyctl(2) KEYCTL_JOIN_SESSION_KEYRING).
    public static func joinSessionKeyring(_ name: String) throws(SystemError) {
        _ = try check("keyctl join session keyring", name) { swl_join_session_keyring(name) }
    }
}

extension Sys {
    /// exit(3): flushes and exits (the CLI's normal way out).
    public static func exitProcess(_ code: Int32) -> Never { Glibc.exit(code) }
}
