import FoundationEssentials
import OCI

/// The facade the CLI calls: one method per command, each in its own `Runtime+X.swift`.
/// runtime-spec runtime.md "Operations".
public struct Runtime {
    public let store: StateStore
    /// Receives warnings (failed poststart/poststop hooks, ...) and debug lines.
    public let warn: (String) -> Void
    public let debug: (String) -> Void

    public init(root: String, warn: @escaping (String) -> Void = { _ in }, debug: @escaping (String) -> Void = { _ in }) {
        self.store = StateStore(root: root)
        self.warn = warn
        self.debug = debug
    }

    /// The runtime-spec version swiftlet implements, written into the state hooks read, the
    /// configs `spec` makes and the seccomp agent's state: the one `features` reports as
    /// `ociVersionMax` and `--version` as `spec:` (BuildInfo.specVersion).
    public static let ociVersion = BuildInfo.specVersion

    /// Annotation that chooses whether swiftlet-init stays as the container's first process
    /// (`"true"`) or the process runs in its place (`"false"`: for images whose entrypoint is
    /// itself an init, such as systemd); without it, `InitMode.choose` decides.
    public static let noInitAnnotation = InitMode.annotation

    public struct CreateOptions {
        public var bundle: String
        public var pidFile: String?
        public var consoleSocket: String?
        public var noPivot = false
        public var noNewKeyring = false
        public var preserveFDs = 0
        /// systemd socket activation (runc's): `LISTEN_FDS` descriptors from 3 on, handed to the
        /// process before the preserved ones, with `LISTEN_FDS=n` and `LISTEN_PID=1` in its
        /// environment. Set from the caller's environment when `LISTEN_PID` is its pid.
        public var listenFDs = 0
        /// `run --keep`: leave the stopped container (state and cgroup) for a later `delete`.
        public var keep = false
        /// `run` keeps the pty master instead of sending it to a console socket.
        public var keepConsole = false
        /// `--seccomp-record FILE`: record the syscalls used into a profile (SeccompRecorder).
        public var seccompRecord: String?
        /// `run`: START is queued on the start socket before the init exists, so the init runs
        /// the process as soon as it is ready, without a second round trip; the caller
        /// finishes with `finishStart` on `CreatedContainer.startConnection`.
        public var startAtOnce = false

        public init(bundle: String) { self.bundle = bundle }

        /// The socket-activation descriptors passed to this process (sd_listen_fds(3)): the
        /// count in `LISTEN_FDS` when `LISTEN_PID` names this process, else 0.
        public static func socketActivationFDs() -> Int {
            guard let pid = Sys.environment("LISTEN_PID").flatMap({ Int32($0) }), pid == Sys.getpid(),
                  let count = Sys.environment("LISTEN_FDS").flatMap({ Int($0) }), count > 0 else { return 0 }
            return count
        }
    }

    /// The container's status per runtime-spec runtime.md "State", derived from the process.
    public enum Status: String, Sendable {
        case creating, created, running, stopped, paused
    }
}

extension Runtime {
    /// Absolute, `.`-free form of a path given on the command line.
    static func absolutePath(_ path: String) -> String {
        var base: [Substring] = []
        if !path.hasPrefix("/"), let cwd = try? Sys.readlink("/proc/self/cwd") {
            base = cwd.split(separator: "/")
        }
        for component in path.split(separator: "/") {
            if component == "." { continue }
            if component == ".." { _ = base.popLast(); continue }
            base.append(component)
        }
        return "/" + base.map(String.init).joinedBy("/")
    }

    /// The state JSON the spec defines (runtime.md "State"), given to hooks on stdin.
    static func specState(_ record: ContainerRecord, status: Status, pid: Int32?) throws -> [UInt8] {
        // Written by hand like state.json (ContainerRecord+JSON.swift): the fields of runtime.md
        // "State", in the order State declares them.
        return JSONValue.object([
            ("ociVersion", .string(ociVersion)), ("id", .string(record.id)), ("status", .string(status.rawValue)),
            ("pid", pid.map { .integer($0) }), ("bundle", .string(record.bundle)),
            ("annotations", record.annotations.map(JSONValue.stringMap)),
        ]).serialized()
    }
}

extension Runtime {
    /// Now, as RFC 3339 UTC with nanoseconds.
    public static func timestamp() -> String { Timestamp.now() }
}
