import CSwiftlet
import FoundationEssentials
import OCI

/// The seccomp agent's side of SCMP_ACT_NOTIFY (runtime-spec config-linux.md "Seccomp",
/// `listenerPath`; design in docs/security.md "Seccomp notify").
///
/// The listener fd only exists once the process has loaded its filter, inside the container,
/// after pivot_root: the host's `listenerPath` is out of reach there. So the runtime connects
/// to the agent before clone3 and hands the connected socket down to swiftlet-init
/// (SWL_P_NOTIFY_FD) together with the container process state it is to send
/// (SWL_P_NOTIFY_STATE). The process sends both itself with one sendmsg(2) right after
/// seccomp(2) returns the listener (no syscall in between the agent would have to answer),
/// and the socket closes at execve. An agent that is not listening fails `create`.
public enum SeccompListener {
    /// A stream connection to `listenerPath` when the program hands out a listener; an empty
    /// socket (-1) otherwise.
    public static func connect(_ seccomp: LinuxSeccomp?, program: SeccompProgram?) throws -> ListenerSocket {
        guard let program, program.hasListener, let path = seccomp?.listenerPath, !path.isEmpty else {
            return ListenerSocket(-1)
        }
        let fd = try withContext("linux.seccomp.listenerPath") { try Sys.connectUnix(path, stream: true) }
        return ListenerSocket(fd.take())
    }

    /// The container process state (config-linux.md "The Container Process State") sent with
    /// the listener fd: `pid` is the container's init as the runtime sees it (the state's pid),
    /// and the status is `created`: the process has loaded its filter but not exec'd yet.
    public static func processState(id: String, bundle: String, annotations: [String: String]?, pid: Int32,
                                    metadata: String?) throws -> String {
        let state = State(ociVersion: Runtime.ociVersion, id: id, status: .created, pid: pid, bundle: bundle,
                          annotations: annotations)
        let message = ContainerProcessState(ociVersion: Runtime.ociVersion, fds: [ContainerProcessState.seccompFdName],
                                            pid: pid, metadata: metadata, state: state)
        do {
            return String(decoding: try JSONEncoder().encode(message), as: UTF8.self)
        } catch {
            throw RuntimeError("linux.seccomp.listenerPath: encode the container process state: \(error)")
        }
    }

    /// An owned connected socket to the agent, or none (-1); closed when it goes away.
    public struct ListenerSocket: ~Copyable {
        public let raw: Int32

        init(_ raw: Int32) { self.raw = raw }

        deinit { if raw >= 0 { Sys.closeRaw(raw) } }
    }
}

extension InitPlan {
    /// The connected agent socket and the JSON the process sends on it with its listener fd.
    public mutating func addSeccompListener(socket: Int32, state: String) {
        append(SWL_P_NOTIFY_FD, i32: socket)
        append(SWL_P_NOTIFY_STATE, string: state)
    }
}
