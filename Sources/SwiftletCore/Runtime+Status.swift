import FoundationEssentials
import OCI

extension Runtime {
    /// A verified handle on a container's init: a pidfd opened for the recorded pid, checked
    /// against the recorded start time after opening, so it can never name a reused pid.
    func openInit(_ record: ContainerRecord) -> FileDescriptor? {
        guard let pid = record.pid, pid > 0, let expected = record.initStartTime else { return nil }
        guard let pidfd = try? Sys.pidfdOpen(pid) else { return nil }
        guard let stat = Sys.processStat(pid), stat.startTime == expected, stat.state != "Z", stat.state != "X" else {
            return nil
        }
        return pidfd
    }

    /// Whether the recorded init is alive: its pid's start time is the recorded one and it is
    /// neither a zombie nor dead. The same check as `openInit` without the pidfd, which a
    /// status would only close again (`list` makes it for every container).
    func initAlive(_ record: ContainerRecord) -> Bool {
        guard let pid = record.pid, pid > 0, let expected = record.initStartTime,
              let stat = Sys.processStat(pid) else { return false }
        return stat.startTime == expected && stat.state != "Z" && stat.state != "X"
    }

    /// runtime-spec runtime.md "State": derived from the live init, never trusted from the file.
    public func status(of record: ContainerRecord) -> Status {
        if record.creating {
            // A create still in progress holds the lock; one whose runtime died left it behind.
            return initAlive(record) || isLocked(record.id) ? .creating : .stopped
        }
        guard initAlive(record) else { return .stopped }
        if let description = record.cgroup, Cgroups.manager(from: description).isFrozen() { return .paused }
        return record.started ? .running : .created
    }

    func isLocked(_ id: String) -> Bool {
        guard let fd = try? Sys.open(store.directory(id), Linux.O_RDONLY | Linux.O_DIRECTORY) else { return false }
        return !Sys.tryLock(fd.raw)
    }

    /// What `state` prints: the spec's fields plus runc's `rootfs`, `created` and `owner`.
    public struct StateOutput: Codable, Sendable {
        public let ociVersion: String
        public let id: String
        public let pid: Int32
        public let status: String
        public let bundle: String
        public let rootfs: String
        public let created: String
        public var owner: String
        public let annotations: [String: String]?
    }

    public func stateOutput(_ record: ContainerRecord) -> StateOutput {
        let status = status(of: record)
        let pid = (status == .stopped) ? 0 : (record.pid ?? 0)
        return StateOutput(ociVersion: record.ociVersion, id: record.id, pid: pid, status: status.rawValue,
                           bundle: record.bundle, rootfs: record.rootfs, created: record.created, owner: record.owner,
                           annotations: record.annotations)
    }

    /// `state ID`.
    public func state(id: String) throws -> StateOutput {
        do { try ContainerID.validate(id) } catch { throw RuntimeError(error) }
        return stateOutput(try store.read(id))
    }

    /// `list`: every container, in id order; unreadable entries are skipped with a warning, and
    /// a state root that cannot be read fails the command (a missing one lists nothing). The
    /// owner is the user name of the state directory's owner (`#UID` when /etc/passwd has
    /// none), as runc's list shows it; `state` keeps the recorded owner (empty), as runc's does.
    public func list() throws(RuntimeError) -> [StateOutput] {
        // Read and indexed once: a search of the text per container was 0.5 M instructions
        // each (Character-by-Character splitting), most of `list` at 1,000 containers.
        let names = UserNames((try? Sys.readText("/etc/passwd")) ?? "")
        return try store.ids().compactMap { id in
            do {
                var output = stateOutput(try store.read(id))
                if let uid = try? Sys.stat(store.directory(id)).uid {
                    output.owner = names.name(of: uid)
                }
                return output
            } catch {
                warn("\(id): \(error)")
                return nil
            }
        }
    }
}

extension Runtime.StateOutput {
    /// runc's `state` and `list --format json` members, in its order (its containerState
    /// struct): annotations only when there are some, owner last.
    public func jsonValue() -> JSONValue {
        .object([
            ("ociVersion", .string(ociVersion)), ("id", .string(id)), ("pid", .integer(pid)),
            ("status", .string(status)), ("bundle", .string(bundle)), ("rootfs", .string(rootfs)),
            ("created", .string(created)),
            ("annotations", (annotations?.isEmpty ?? true) ? nil : JSONValue.stringMap(annotations ?? [:])),
            ("owner", .string(owner)),
        ])
    }
}

/// User names from /etc/passwd text (the host's, for `list`), indexed once.
public struct UserNames {
    private var byUID: [UInt32: String] = [:]

    /// Reads every `name:x:uid:...` line, splitting on bytes (not Characters); the first
    /// line naming a uid wins, as a search from the top would find it.
    public init(_ passwd: String) {
        var utf8 = passwd.utf8[...]
        while !utf8.isEmpty {
            let end = utf8.firstIndex(of: UInt8(ascii: "\n")) ?? utf8.endIndex
            let line = utf8[utf8.startIndex..<end]
            utf8 = end == utf8.endIndex ? utf8[end...] : utf8[utf8.index(after: end)...]
            var fields: [Substring.UTF8View] = []
            var rest = line
            while fields.count < 3 {
                let colon = rest.firstIndex(of: UInt8(ascii: ":")) ?? rest.endIndex
                fields.append(Substring(rest[rest.startIndex..<colon]).utf8)
                if colon == rest.endIndex { break }
                rest = rest[rest.index(after: colon)...]
            }
            guard fields.count == 3, !fields[0].isEmpty, let uid = UInt32(Substring(fields[2])) else { continue }
            if byUID[uid] == nil { byUID[uid] = String(Substring(fields[0])) }
        }
    }

    /// The name of `uid`, else `#uid` (runc's fallback).
    public func name(of uid: UInt32) -> String {
        byUID[uid] ?? "#\(uid)"
    }

    /// The name of `uid` in `passwd`, else `#uid`.
    public static func name(of uid: UInt32, passwd: String) -> String {
        UserNames(passwd).name(of: uid)
    }
}
