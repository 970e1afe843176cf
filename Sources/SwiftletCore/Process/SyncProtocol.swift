import CSwiftlet
import OCI

/// Every message of the sync protocol, the one conversation between the runtime, its cloned
/// child and swiftlet-init (and of the start socket, where `start`/`run`/`exec` talk to the
/// init). The wire format is the fixed-size `struct swl_msg` of swiftlet_plan.h, which
/// swiftlet-init's C shares; this enum is its only Swift decoding, and every place that reads
/// messages switches over it exhaustively, so a new message cannot be forgotten anywhere.
///
/// Who sends what (docs/architecture.md "Create/start handshake"):
///
/// | message | from -> to | payload |
/// |---|---|---|
/// | `ready` | init -> runtime | the init's pid, once it waits for START |
/// | `error` | either way | errno and what failed (one line, with the config field) |
/// | `start` | start/run/exec -> init | run the process now |
/// | `started` | init -> start/run/exec | the process was executed |
/// | `go` | runtime -> child | continue (maps written, cgroups joined, hooks ran, sources sent) |
/// | `console` | child -> runtime | the pty master |
/// | `childPID` | first stage -> runtime | the pid and pidfd of the process it cloned |
/// | `needMaps` | child -> runtime | user namespace unshared: write uid_map/gid_map of `pid` |
/// | `hooks` | child -> runtime | mounts done: run prestart/createRuntime, then GO |
/// | `needSources` | child -> runtime | open the bind sources in the mount namespace of `pid` |
/// | `mountSource` | runtime's helper -> child | `mounts[index]`'s source, opened O_PATH |
/// | `mountSourceFailed` | runtime's helper -> child | why `mounts[index]`'s source could not be opened |
enum SyncMessage {
    case ready(pid: Int32)
    case error(errno: Int32, text: String)
    case start
    case started(pid: Int32)
    case go
    case console(master: AttachedFD)
    case childPID(pid: Int32, pidfd: AttachedFD)
    case needMaps(pid: Int32)
    case hooks(pid: Int32)
    case needSources(pid: Int32)
    case mountSource(index: Int, source: AttachedFD)
    case mountSourceFailed(index: Int, errno: Int32, text: String)

    /// The message's name in errors ("unexpected message HOOKS").
    var name: String {
        switch self {
        case .ready: return "READY"
        case .error: return "ERROR"
        case .start: return "START"
        case .started: return "STARTED"
        case .go: return "GO"
        case .console: return "CONSOLE"
        case .childPID: return "CHILD_PID"
        case .needMaps: return "NEED_MAPS"
        case .hooks: return "HOOKS"
        case .needSources: return "NEED_SOURCES"
        case .mountSource, .mountSourceFailed: return "MOUNT_SOURCE"
        }
    }

    /// What a receiver throws for a message it does not expect where it is: the peer's own
    /// error for `error`, else "`context`: unexpected message NAME".
    func refused(_ context: String) -> RuntimeError {
        if case .error(let errno, let text) = self { return RuntimeError(text, errno: errno) }
        return RuntimeError("\(context): unexpected message \(name)")
    }

    /// The wire form, and the descriptor to attach (-1: none). The attached descriptor stays
    /// the sender's: sendmsg duplicates it into the receiver.
    var wire: (message: swl_msg, attached: Int32) {
        switch self {
        case .ready(let pid): return (swl_msg(type: SWL_MSG_READY, pid: pid), -1)
        case .error(let errno, let text): return (swl_msg(type: SWL_MSG_ERROR, err: errno, pid: Sys.getpid(), text: text), -1)
        case .start: return (swl_msg(type: SWL_MSG_START), -1)
        case .started(let pid): return (swl_msg(type: SWL_MSG_STARTED, pid: pid), -1)
        case .go: return (swl_msg(type: SWL_MSG_GO), -1)
        case .console(let master): return (swl_msg(type: SWL_MSG_CONSOLE), master.raw)
        case .childPID(let pid, let pidfd): return (swl_msg(type: SWL_MSG_CHILD_PID, pid: pid), pidfd.raw)
        case .needMaps(let pid): return (swl_msg(type: SWL_MSG_NEED_MAPS, pid: pid), -1)
        case .hooks(let pid): return (swl_msg(type: SWL_MSG_HOOKS, pid: pid), -1)
        case .needSources(let pid): return (swl_msg(type: SWL_MSG_NEED_SOURCES, pid: pid), -1)
        case .mountSource(let index, let source):
            var msg = swl_msg(type: SWL_MSG_MOUNT_SOURCE)
            msg.step = UInt32(truncatingIfNeeded: index)
            return (msg, source.raw)
        case .mountSourceFailed(let index, let errno, let text):
            var msg = swl_msg(type: SWL_MSG_MOUNT_SOURCE, err: errno, text: text)
            msg.step = UInt32(truncatingIfNeeded: index)
            return (msg, -1)
        }
    }

    /// Decodes one received message; `attached` (-1: none) is owned by the result, and closed
    /// when the message does not carry one. A message type this side does not know, or a
    /// descriptor missing where one belongs, is a protocol error naming it.
    init(wire msg: swl_msg, attached: Int32) throws(RuntimeError) {
        let fd = AttachedFD.owned(attached)
        func required(_ what: String) throws(RuntimeError) -> AttachedFD {
            guard fd.raw >= 0 else { throw RuntimeError("sync: \(what) came without its descriptor") }
            return fd
        }
        switch msg.kind {
        case SWL_MSG_READY: self = .ready(pid: msg.pid)
        case SWL_MSG_ERROR: self = .error(errno: msg.err, text: msg.message)
        case SWL_MSG_START: self = .start
        case SWL_MSG_STARTED: self = .started(pid: msg.pid)
        case SWL_MSG_GO: self = .go
        case SWL_MSG_CONSOLE: self = .console(master: try required("CONSOLE (the pty master)"))
        case SWL_MSG_CHILD_PID: self = .childPID(pid: msg.pid, pidfd: try required("CHILD_PID (the pidfd)"))
        case SWL_MSG_NEED_MAPS: self = .needMaps(pid: msg.pid)
        case SWL_MSG_HOOKS: self = .hooks(pid: msg.pid)
        case SWL_MSG_NEED_SOURCES: self = .needSources(pid: msg.pid)
        case SWL_MSG_MOUNT_SOURCE where fd.raw >= 0: self = .mountSource(index: Int(msg.step), source: fd)
        case SWL_MSG_MOUNT_SOURCE: self = .mountSourceFailed(index: Int(msg.step), errno: msg.err, text: msg.message)
        default: throw RuntimeError("sync: unknown message type \(msg.type)")
        }
    }
}

/// A descriptor attached to a message (SCM_RIGHTS). Received, it is owned: closed when the
/// last reference goes, unless a receiver `take()`s it, so a handler that ignores or refuses a
/// message cannot leak it. Sent, it is lent: sendmsg duplicates it into the receiver and the
/// sender keeps (and closes) its own. A class, so that `SyncMessage` stays an ordinary value.
final class AttachedFD {
    private(set) var raw: Int32
    private let owned: Bool

    private init(_ raw: Int32, owned: Bool) {
        self.raw = raw
        self.owned = owned
    }

    /// A descriptor that arrived with a message: now the receiver's.
    static func owned(_ raw: Int32) -> AttachedFD { AttachedFD(raw, owned: true) }

    /// A descriptor to send, which stays the sender's.
    static func lent(_ raw: Int32) -> AttachedFD { AttachedFD(raw, owned: false) }

    /// The number, now the caller's to close.
    func take() -> Int32 {
        let fd = raw
        raw = -1
        return fd
    }

    deinit { if owned && raw >= 0 { Sys.closeRaw(raw) } }
}

/// One end of a sync or start socket (SOCK_SEQPACKET: one message per datagram).
struct SyncChannel {
    let fd: Int32

    init(_ fd: Int32) { self.fd = fd }

    func send(_ message: SyncMessage) throws(SystemError) {
        let wire = message.wire
        try Sys.send(fd, wire.message, attaching: wire.attached)
    }

    /// The next message; nil when the peer closed its end (it exited or died).
    func receive() throws -> SyncMessage? {
        var attached: Int32 = -1
        let received: swl_msg?
        do {
            received = try Sys.receive(fd, attachedFD: &attached)
        } catch {
            throw RuntimeError("sync: receive", error)
        }
        guard let received else { return nil }
        return try SyncMessage(wire: received, attached: attached)
    }

    /// The one message loop: hands every message to `handle` until it answers `.done`.
    /// `closed` names what it means that the peer went away before that (it is called then,
    /// and its error thrown).
    func converse(closed: () -> RuntimeError, _ handle: (SyncMessage) throws -> SyncStep) throws {
        while true {
            guard let message = try receive() else { throw closed() }
            if try handle(message) == .done { return }
        }
    }

    /// Waits for GO (the child's side of every pause); `step` names what it waited for.
    func waitForGo(step: String) throws {
        try converse(closed: { RuntimeError("\(step): the runtime went away") }) { message in
            switch message {
            case .go: return .done
            case .ready, .error, .start, .started, .console, .childPID, .needMaps, .hooks, .needSources,
                 .mountSource, .mountSourceFailed:
                throw message.refused(step)
            }
        }
    }

    /// The init's answer to START on a start connection: nil when it ran the process, else
    /// the error it sent. `closed` is thrown when the init went away without answering.
    func startReply(closed: () -> RuntimeError) throws -> RuntimeError? {
        var failure: RuntimeError?
        try converse(closed: closed) { message in
            switch message {
            case .started: return .done
            case .error(let errno, let text):
                failure = RuntimeError(text, errno: errno)
                return .done
            case .ready, .start, .go, .console, .childPID, .needMaps, .hooks, .needSources, .mountSource, .mountSourceFailed:
                throw message.refused("start")
            }
        }
        return failure
    }
}

/// What a message handler tells `SyncChannel.converse`.
enum SyncStep {
    case next
    case done
}

extension SyncChannel {
    /// Reports a failure of a child process to the runtime as one ERROR message: the errno
    /// of a typed cause, and its one-line text. Best effort: if the runtime is gone, nobody
    /// is left to tell.
    func report(_ error: Error) {
        let errno: Int32
        switch error {
        case let e as SystemError: errno = e.errno
        case let e as RuntimeError: errno = e.errno
        default: errno = 0
        }
        do { try send(.error(errno: errno, text: "\(error)")) } catch {}
    }
}

/// The wire form (swiftlet_plan.h), built and read only by `SyncMessage`.
extension swl_msg {
    /// A message with `text` truncated to fit.
    init(type: swl_msg_type, err: Int32 = 0, pid: Int32 = 0, text: String = "") {
        self.init()
        self.type = type.rawValue
        self.err = err
        self.pid = pid
        withUnsafeMutableBytes(of: &self.text) { raw in
            let bytes = Array(text.utf8.prefix(raw.count - 1))
            for (i, b) in bytes.enumerated() { raw[i] = b }
            raw[bytes.count] = 0
        }
    }

    var kind: swl_msg_type { swl_msg_type(rawValue: type) }

    var message: String {
        withUnsafeBytes(of: text) { raw in String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self) }
    }
}
