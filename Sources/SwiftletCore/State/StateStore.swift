import OCI

/// The state directory: `<root>/<id>/` holding `state.json` (written atomically) and the start
/// socket. Every command that changes a container holds the flock of its directory, so
/// concurrent commands never interleave; `state` and `list` only read the atomic file.
public struct StateStore: Sendable {
    public let root: String

    public init(root: String) { self.root = root }

    public func directory(_ id: String) -> String { root + "/" + id }
    public func stateFile(_ id: String) -> String { directory(id) + "/state.json" }
    public func startSocket(_ id: String) -> String { directory(id) + "/start.sock" }

    /// An exclusive lock on one container's directory, released when it goes away.
    public struct Lock: ~Copyable {
        let fd: FileDescriptor
    }

    /// Creates the container's directory (the id must be new) and locks it.
    public func create(_ id: String) throws -> Lock {
        try withContext("state root") { try Sys.mkdirAll(root, mode: 0o711) }
        do {
            try Sys.mkdir(directory(id), mode: 0o711)
        } catch {
            if error.errno == Linux.EEXIST { throw RuntimeError("container \"\(id)\" already exists", errno: Linux.EEXIST) }
            throw RuntimeError("create state directory", error)
        }
        return try lock(id)
    }

    /// Locks an existing container; fails with a clear message when there is no such container
    /// (also when it was deleted while we waited for the lock).
    public func lock(_ id: String) throws -> Lock {
        let fd = try openDirectory(id)
        try withContext("lock container \(id)") { try Sys.lockExclusive(fd.raw, path: directory(id)) }
        guard Sys.exists(directory(id)) else {
            throw RuntimeError("container \"\(id)\" does not exist", errno: Linux.ENOENT)
        }
        return Lock(fd: fd)
    }

    private func openDirectory(_ id: String) throws -> FileDescriptor {
        do {
            return try Sys.open(directory(id), Linux.O_RDONLY | Linux.O_DIRECTORY | Linux.O_NOFOLLOW)
        } catch {
            if error.errno == Linux.ENOENT { throw RuntimeError("container \"\(id)\" does not exist", errno: Linux.ENOENT) }
            throw RuntimeError("open state directory", error)
        }
    }

    public func read(_ id: String) throws -> ContainerRecord {
        let path = stateFile(id)
        let bytes: [UInt8]
        do {
            bytes = try Sys.readFile(path)
        } catch {
            if error.errno == Linux.ENOENT { throw RuntimeError("container \"\(id)\" does not exist", errno: Linux.ENOENT) }
            throw RuntimeError("read state", error)
        }
        return try ContainerRecord.decode(bytes, path: path)
    }

    /// `process` and `seccomp` (which only `exec` needs, and a Docker-style seccomp profile
    /// is most of the record) live in `exec.json`, written once by `writeExecDefaults`, so
    /// that start, kill, state and delete encode and decode a small file.
    public func execDefaultsFile(_ id: String) -> String { directory(id) + "/exec.json" }

    public func write(_ record: ContainerRecord) throws {
        var lean = record
        lean.process = nil
        lean.seccomp = nil
        let bytes = try ContainerRecord.encode(lean)
        try withContext("write state") { try Sys.writeFileAtomically(stateFile(record.id), bytes, mode: 0o600) }
    }

    public func writeExecDefaults(_ record: ContainerRecord) throws {
        let bytes = try ExecDefaults.encode(ExecDefaults(process: record.process, seccomp: record.seccomp))
        try withContext("write exec defaults") { try Sys.writeFileAtomically(execDefaultsFile(record.id), bytes, mode: 0o600) }
    }

    /// The record with `process` and `seccomp` filled in from `exec.json`. A state directory
    /// without that file (written by a swiftlet that kept them in state.json) keeps what
    /// state.json had; any other failure is an error, never a process without its filter.
    public func readWithExecDefaults(_ id: String) throws -> ContainerRecord {
        var record = try read(id)
        let path = execDefaultsFile(id)
        let bytes: [UInt8]
        do {
            bytes = try Sys.readFile(path)
        } catch {
            if error.errno == Linux.ENOENT { return record }
            throw RuntimeError("read exec defaults", error)
        }
        let defaults = try ExecDefaults.decode(bytes, path: path)
        record.process = defaults.process
        record.seccomp = defaults.seccomp
        return record
    }

    public func remove(_ id: String) throws {
        do {
            try Sys.removeTree(directory(id))
        } catch {
            if error.errno != Linux.ENOENT { throw RuntimeError("remove state directory", error) }
        }
    }

    /// Ids of all containers (directories under the root), sorted.
    public func ids() -> [String] {
        guard let names = try? Sys.listDirectory(root) else { return [] }
        return names.filter { (try? ContainerID.validate($0)) != nil }.sorted()
    }
}
