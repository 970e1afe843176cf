import CLibseccomp
import OCI

/// The seccomp recorder (`run|create --seccomp-record FILE`, annotation
/// `run.swiftlet.seccomp-record`; docs/hardening.md "Recording a profile"): the container's
/// process runs under a user-notification filter that sends every syscall to a recorder
/// process, which notes its number and architecture and lets it continue
/// (SECCOMP_USER_NOTIF_FLAG_CONTINUE). When no process uses the filter any more (the listener
/// reports POLLHUP once the last task of the container that inherited it is gone), the
/// recorder writes a default-deny profile allowing exactly what was used.
///
/// The filter is inherited across fork, clone (threads) and execve, so every process and
/// thread of the container is recorded through the one listener. Processes added later with
/// `exec` are not (they get the config's own profile).
public enum SeccompRecorder {
    public static let annotation = "run.swiftlet.seccomp-record"

    /// The recording filter: SCMP_ACT_NOTIFY for every syscall of every architecture of the
    /// host's ABI family, except sendmsg(2) on `socketFD`. That one call is the listener
    /// hand-off itself (swiftlet-init sends the fd to the recorder right after loading the
    /// filter): notified, it would wait forever for a recorder that has no listener yet. The
    /// socket closes at execve, so the workload only reaches that exception if it sends on a
    /// descriptor with that very number; the runtime picks a number at the top of the
    /// container's RLIMIT_NOFILE to make that unlikely.
    static func filter(socketFD: Int32) throws -> SeccompProgram {
        let filter = try LibseccompFilter(defaultAction: SeccompTables.retUserNotif)
        for arch in HardenedSeccomp.hostArchitectures {
            let name = SeccompTables.libseccompArchName(arch)
            let token = seccomp_arch_resolve_name(name)
            guard token != 0 else { continue }
            try filter.check(seccomp_arch_add(filter.context, token), allowing: -Errno.EEXIST.rawValue, "seccomp recorder: add architecture \(name)")
        }
        let sendmsg = seccomp_syscall_resolve_name("sendmsg")
        var handOff = [scmp_arg_cmp(arg: 0, op: SCMP_CMP_EQ, datum_a: UInt64(socketFD), datum_b: 0)]
        let rc = handOff.withUnsafeMutableBufferPointer {
            seccomp_rule_add_array(filter.context, SeccompTables.retAllow, sendmsg, 1, $0.baseAddress)
        }
        try filter.check(rc, "seccomp recorder: allow the listener hand-off (sendmsg)")
        return SeccompProgram(flags: SeccompTables.flagNewListener, instructions: try filter.export())
    }

    /// A started recorder: the filter for the container's process, the socket end the init
    /// sends the listener on, and the recorder process.
    public struct Started: ~Copyable {
        public let program: SeccompProgram
        public let initSocket: SeccompListener.ListenerSocket
        public let pid: Int32
        public let pidfd: FileDescriptor
    }

    /// Forks the recorder (before the container exists, so it holds nothing of it): a new
    /// session, stdio on /dev/null, no descriptor but its socket. It outlives `create`; once
    /// the runtime exits it is reparented to the nearest subreaper (the engine's shim) or
    /// init, which reaps it. `run` waits for it instead.
    public static func start(output: String, preferredFD: Int32, floor: Int32) throws -> Started {
        let pair = try withContext("seccomp recorder: socketpair") { try Sys.socketpair() }
        let initEnd: FileDescriptor
        do {
            initEnd = try Sys.dup(pair.second.raw, minimum: max(preferredFD, floor))
        } catch {
            initEnd = try withContext("seccomp recorder: move descriptor") { try Sys.dup(pair.second.raw, minimum: floor) }
        }
        let program = try filter(socketFD: initEnd.raw)
        let child = try withContext("seccomp recorder: clone3") { try Sys.clone3(flags: 0) }
        if child.pid == 0 {
            Sys.exit(recorderMain(socket: pair.first.raw, output: output))
        }
        return Started(program: program, initSocket: SeccompListener.ListenerSocket(initEnd.take()), pid: child.pid,
                       pidfd: FileDescriptor(child.pidfd))
    }

    /// The recorder process. Exit status 0: profile written (or the container never started).
    static func recorderMain(socket: Int32, output: String) -> Int32 {
        Sys.setsid()
        for signal in [Linux.SIGINT, Linux.SIGHUP, Linux.SIGPIPE] { Sys.ignoreSignal(signal) }
        do {
            try Sys.dup2(socket, 3)
            try Sys.closeRange(from: 4, cloexecOnly: false)
            let null = try Sys.open("/dev/null", Linux.O_RDWR)
            for fd: Int32 in 0...2 { try Sys.dup2(null.raw, fd) }
        } catch {
            return 1
        }
        do {
            guard let recorded = try record(socket: 3) else { return 0 }
            try Sys.writeFileAtomically(output, try recorded.profileJSON())
            return 0
        } catch {
            return 1
        }
    }

    /// Receives the listener, then answers every notification until no process uses the
    /// filter. nil when the init went away without sending a listener.
    static func record(socket: Int32) throws -> RecordedSyscalls? {
        var listener: Int32 = -1
        // The container process state comes along; the recorder needs only the descriptor.
        _ = try Sys.receiveBytes(socket, capacity: 65536, attachedFD: &listener)
        Sys.closeRaw(socket)
        guard listener >= 0 else { return nil }
        var recorded = RecordedSyscalls()
        var seen: Set<UInt64> = []
        while true {
            let revents = try Sys.pollForever(listener, events: Linux.POLLIN)
            if revents & Linux.POLLIN != 0 {
                guard let call = try answer(listener) else { continue }
                let key = UInt64(call.arch) << 32 | UInt64(UInt32(bitPattern: call.nr))
                if seen.insert(key).inserted { resolve(call, into: &recorded) }
            } else if revents & (Linux.POLLHUP | Linux.POLLERR) != 0 {
                return recorded
            }
        }
    }

    /// Receives one notification and lets the call continue. nil when the caller was killed
    /// between poll and receive (ENOENT); a caller interrupted (or killed) before the answer
    /// still counts as a call.
    static func answer(_ listener: Int32) throws(SystemError) -> Sys.SeccompNotification? {
        let call: Sys.SeccompNotification
        do {
            call = try Sys.receiveNotification(listener)
        } catch {
            if error.errno == Errno.ENOENT { return nil }
            throw error
        }
        do {
            try Sys.continueNotification(listener, id: call.id)
        } catch {
            if error.errno != Errno.ENOENT { throw error }
        }
        return call
    }

    /// The syscall's name in libseccomp's table for its architecture.
    static func resolve(_ call: Sys.SeccompNotification, into recorded: inout RecordedSyscalls) {
        guard let arch = AuditArch.oci(call.arch, nr: call.nr) else { return }
        let token = seccomp_arch_resolve_name(SeccompTables.libseccompArchName(arch))
        var name = Sys.takeCString(seccomp_syscall_resolve_num_arch(token, call.nr))
        if name == nil, arch == .x32 {
            name = Sys.takeCString(seccomp_syscall_resolve_num_arch(token, call.nr & ~AuditArch.x32SyscallBit))
        }
        if let name {
            recorded.add(name, arch: arch)
        } else {
            recorded.unknown[arch, default: []].insert(call.nr)
        }
    }
}

/// The recorder process of a container being created (raw pidfd owned by whoever takes it).
public struct RecorderProcess: Sendable, Equatable {
    public let pid: Int32
    public let pidfd: Int32
}

extension PreparedSecurity {
    /// Like `prepare`, with the recording filter in place of linux.seccomp (which is not
    /// applied while recording: the point is to see what the program does unrestricted).
    static func recording(_ spec: Spec, output: String, preserveFDs: Int, recorder: inout RecorderProcess?,
                          debug: (String) -> Void) throws -> PreparedSecurity {
        let host = HostSecurity.probe()
        do { try host.check(process: spec.process, linux: spec.linux, debug: debug) } catch { throw RuntimeError(error) }
        try AppArmorDefault.ensureLoaded(for: spec.process, host: host, debug: debug)
        if spec.linux?.seccomp != nil { debug("linux.seccomp: not applied while recording a profile") }
        let nofile = spec.process?.rlimits?.first { $0.type == "RLIMIT_NOFILE" }?.soft ?? 1024
        let preferred = Int32(clamping: max(nofile, 4) - 1)
        let started = try SeccompRecorder.start(output: output, preferredFD: preferred, floor: Int32(3 + preserveFDs))
        recorder = RecorderProcess(pid: started.pid, pidfd: started.pidfd.take())
        debug("seccomp recorder: pid \(started.pid) writes \(output); hand-off on fd \(started.initSocket.raw), \(started.program.instructionCount) BPF instructions")
        return PreparedSecurity(seccomp: started.program, listener: started.initSocket, mountLabel: host.mountLabel(spec.linux))
    }
}

extension Runtime {
    /// Where to write the recorded profile: `--seccomp-record` (relative to the working
    /// directory), else the annotation (a path inside the bundle). Its directory must exist.
    static func seccompRecordPath(option: String?, annotations: [String: String]?, bundle: String) throws -> String? {
        let path: String
        let field: String
        if let option, !option.isEmpty {
            path = absolutePath(option)
            field = "--seccomp-record"
        } else if let value = annotations?[SeccompRecorder.annotation], !value.isEmpty {
            // The config may come from whoever wrote the bundle: the file stays inside it.
            field = "annotations[\"\(SeccompRecorder.annotation)\"]"
            let parts = value.split(separator: "/")
            guard !value.hasPrefix("/"), !parts.contains("..") else {
                throw RuntimeError("\(field): \(value): must be a path relative to the bundle, without ..")
            }
            path = bundle + "/" + value
        } else {
            return nil
        }
        let dir = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        do {
            guard try Sys.stat(dir.isEmpty ? "/" : dir).kind == .directory else {
                throw RuntimeError("\(field): \(dir) is not a directory", errno: Errno.ENOTDIR)
            }
        } catch let error as SystemError {
            throw RuntimeError(field, error)
        }
        return path
    }

    /// `run`: after the container is gone, the recorder writes the profile and exits; wait for
    /// it (bounded) so the file is complete when `run` returns.
    func waitForRecorder(_ recorder: RecorderProcess) {
        let fd = FileDescriptor(recorder.pidfd)
        do {
            guard try Sys.pollExit(pidfd: fd.raw, timeoutMs: 10_000) else {
                warn("seccomp recorder (pid \(recorder.pid)) still running after 10 s; the profile may come later")
                return
            }
            if case .exited(0) = try Sys.wait(pidfd: fd.raw) { return }
            warn("seccomp recorder (pid \(recorder.pid)) failed: no profile written")
        } catch {
            warn("seccomp recorder: \(error)")
        }
    }
}
