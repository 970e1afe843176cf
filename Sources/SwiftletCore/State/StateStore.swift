import FoundationEssentials
import OCI

/// The state directory: `<root>/<id>/` holding `state.json` (written atomically, with the
/// saved config.json inside) and the start socket. Every command that changes a container
/// holds the flock of its directory, so concurrent commands never interleave; `state` and
/// `list` only read the atomic file.
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
            if error.errno == Errno.EEXIST { throw RuntimeError("container \"\(id)\" already exists", errno: Errno.EEXIST) }
            throw RuntimeError("create state directory", error)
        }
        return try lock(id)
    }

    /// Locks an existing container; fails with a clear message when there is no such container
    /// (also when it was deleted while we waited for the lock). The lock counts only while
    /// `<root>/<id>` still names the directory locked: a container deleted and made again
    /// while this command waited has a new directory, and that one is locked instead.
    public func lock(_ id: String) throws -> Lock {
        let path = directory(id)
        for _ in 0..<8 {
            let fd = try openDirectory(id)
            try withContext("lock container \(id)") { try Sys.lockExclusive(fd.raw, path: path) }
            let named: Sys.FileInfo
            do {
                named = try Sys.stat(path, followSymlinks: false)
            } catch {
                if error.errno == Errno.ENOENT { throw Self.noSuchContainer(id) }
                throw RuntimeError("lock container \(id)", error)
            }
            let locked = try withContext("lock container \(id)") { try Sys.fstat(fd.raw, path: path) }
            if named.inode == locked.inode && named.device == locked.device { return Lock(fd: fd) }
        }
        throw RuntimeError("lock container \(id): deleted and made again eight times while this command waited")
    }

    /// What every command given an id with no container fails with.
    static func noSuchContainer(_ id: String) -> RuntimeError {
        RuntimeError("container \"\(id)\" does not exist", errno: Errno.ENOENT)
    }

    private func openDirectory(_ id: String) throws -> FileDescriptor {
        do {
            return try Sys.open(directory(id), Linux.O_RDONLY | Linux.O_DIRECTORY | Linux.O_NOFOLLOW)
        } catch {
            if error.errno == Errno.ENOENT { throw Self.noSuchContainer(id) }
            throw RuntimeError("open state directory", error)
        }
    }

    public func read(_ id: String) throws -> ContainerRecord {
        let path = stateFile(id)
        let bytes: [UInt8]
        do {
            bytes = try Sys.readFileShared(path)
        } catch {
            if error.errno == Errno.ENOENT { throw Self.noSuchContainer(id) }
            throw RuntimeError("read state", error)
        }
        return try ContainerRecord.decode(bytes, path: path)
    }

    /// Writes state.json. A rewrite whose record still fits before the saved config (the
    /// pid after the clone, `started`, most updates) changes the file's first page in place:
    /// no inode is made, where a new file would cost one (on ext4 without a journal, a walk
    /// of the inodes freed in the last minutes; docs/performance.md item 37). Otherwise, and
    /// for the first write, the whole file is written beside it and swapped in, keeping a
    /// spare (`Sys.writeFileKeepingSpare`). Either way a reader sees one whole record.
    public func write(_ record: ContainerRecord) throws {
        var lean = record
        lean.process = nil
        lean.seccomp = nil
        let parts = try ContainerRecord.encodeParts(lean)
        let path = stateFile(record.id)
        if let tail = parts.tail,
           try withContext("write state", { try Sys.rewriteHeadInPlace(path, head: parts.head, tail: tail, filler: UInt8(ascii: " ")) }) {
            return
        }
        let bytes = ContainerRecord.file(head: parts.head, tail: parts.tail)
        try withContext("write state") { try Sys.writeFileKeepingSpare(path, bytes, mode: 0o600) }
    }

    /// `<root>/<id>/config.json` of earlier versions: the saved config.json in a file of its
    /// own. It is now state.json's `config` member (`ContainerRecord.config`): one file fewer
    /// per container, whose new inode was the dearest step of `create` on a filesystem without
    /// a journal (docs/performance.md item 36).
    public func configFile(_ id: String) -> String { directory(id) + "/config.json" }

    /// The config.json saved at create (state.json's `config`, or the file earlier versions
    /// wrote), decoded; nil for a container created by a swiftlet that saved neither.
    public func savedSpec(of record: ContainerRecord) throws -> Spec? {
        let bytes: [UInt8]
        let origin: String
        if let config = record.config {
            bytes = config
            origin = stateFile(record.id) + ": config"
        } else {
            origin = configFile(record.id)
            do {
                bytes = try Sys.readFile(origin)
            } catch {
                if error.errno == Errno.ENOENT { return nil }
                throw RuntimeError("read saved config", error)
            }
        }
        do { return try Spec.decode(Data(bytes)) } catch { throw RuntimeError("\(origin): \(error)") }
    }

    /// exec.json of earlier versions: the process and seccomp profile at create time.
    public func execDefaultsFile(_ id: String) -> String { directory(id) + "/exec.json" }

    /// The record with `process` and `seccomp` filled in from the saved config (or, for a
    /// container created by an earlier swiftlet, from exec.json, or what state.json itself
    /// had); any failure to read them is an error, never a process without its filter.
    public func readWithExecDefaults(_ id: String) throws -> ContainerRecord {
        var record = try read(id)
        if let spec = try savedSpec(of: record) {
            record.process = spec.process
            record.seccomp = spec.linux?.seccomp
            record.personality = spec.linux?.personality
            record.memoryPolicy = spec.linux?.memoryPolicy
            return record
        }
        let path = execDefaultsFile(id)
        let bytes: [UInt8]
        do {
            bytes = try Sys.readFile(path)
        } catch {
            if error.errno == Errno.ENOENT { return record }
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
            if error.errno != Errno.ENOENT { throw RuntimeError("remove state directory", error) }
        }
    }

    /// Removes the seccomp cache (`SeccompCache`, `<root>/@seccomp/`) once no container is
    /// left: the root holds only containers when it holds none. Called after a container's
    /// directory is gone (delete, and a create that failed). A create that runs concurrently
    /// already has its directory when it writes the cache, so the cache is kept for it; one
    /// whose entry lands while the tree is being removed makes the removal fail with ENOTEMPTY
    /// (or its own write fail, which only costs its next create a compile): both are fine,
    /// and the next last delete removes the cache.
    public func removeCacheIfNoContainers() throws {
        let cache = SeccompCache(root: root).directory
        guard Sys.exists(cache), try ids().isEmpty else { return }
        do {
            try Sys.removeTree(cache)
        } catch where error.errno == Errno.ENOENT || error.errno == Errno.ENOTEMPTY {
            return  // another command removed it, or a concurrent create wrote an entry
        } catch {
            throw RuntimeError("remove the seccomp cache", error)
        }
    }

    /// Ids of all containers (directories under the root), sorted. A root that does not exist
    /// yet holds none; any other error reading it (EACCES, ENOTDIR, EIO) is thrown with its
    /// errno, as runc's `list` fails, rather than listing nothing.
    public func ids() throws(RuntimeError) -> [String] {
        let names: [String]
        do {
            names = try Sys.listDirectory(root)
        } catch where error.errno == Errno.ENOENT {
            return []
        } catch {
            throw RuntimeError("list the state root", error)
        }
        return names.filter(ContainerID.isValid).sorted()
    }
}
