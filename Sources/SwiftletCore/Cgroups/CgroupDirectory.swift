/// One cgroup directory, reached through an O_PATH directory descriptor opened once: every
/// interface file is opened relative to it (as crun does), so a later rename or mount over the
/// path cannot redirect writes, and no string concatenation follows a symlink. Its path is
/// looked up from the command's `CgroupMountRoot`, never through sysfs.
final class CgroupDirectory {
    let location: CgroupLocation
    let root: CgroupMountRoot
    private var handle: FileDescriptor?

    init(_ location: CgroupLocation, root: CgroupMountRoot) {
        self.location = location
        self.root = root
    }

    var path: String { location.directory }

    /// The directory descriptor, opened on first use.
    func fd() throws(CgroupError) -> Int32 {
        if let raw = handle?.raw { return raw }
        let opened: FileDescriptor
        do {
            opened = try root.openDirectory(path)
        } catch {
            throw CgroupError(error)
        }
        let raw = opened.raw
        handle = consume opened
        return raw
    }

    /// Keeps `descriptor` (the directory itself, opened by `makeLevels`) as this directory's
    /// handle, so the commands that create the cgroup do not walk its path a second time.
    private func adopt(_ descriptor: consuming FileDescriptor) {
        if handle == nil { handle = consume descriptor }
    }

    /// Opens `file` of this directory: relative to the directory descriptor when one is already
    /// open (after `makeLevels`, or an earlier read or write), otherwise by its full path, which
    /// costs one lookup instead of two for a command that touches nothing else here (`exec`).
    func openFile(_ file: String, _ flags: Int32) throws(SystemError) -> FileDescriptor {
        if let raw = handle?.raw { return try Sys.openat(raw, file, flags, display: path + "/" + file) }
        return try root.openFile(in: path, file, flags)
    }

    /// Drops the descriptor (after the directory was removed).
    func close() {
        handle = nil
    }

    func read(_ file: String, field: String? = nil) throws(CgroupError) -> String {
        let dirfd = try fd()
        do {
            return try Sys.readText(at: dirfd, file, display: path + "/" + file)
        } catch {
            throw CgroupError(error, field: field)
        }
    }

    func write(_ file: String, _ value: String, field: String? = nil) throws(CgroupError) {
        let descriptor = try openForWriting(file, field: field)
        try write(value, through: descriptor, file: file, field: field)
    }

    /// Opens `file` of this directory for writing, relative to the directory descriptor. A
    /// cgroup interface file parses each write(2) on its own (one device rule per write to
    /// devices.allow), so several values may go through the one descriptor this returns.
    func openForWriting(_ file: String, field: String? = nil) throws(CgroupError) -> FileDescriptor {
        let dirfd = try fd()
        do {
            return try Sys.openat(dirfd, file, Linux.O_WRONLY | Linux.O_NOFOLLOW, display: path + "/" + file)
        } catch {
            throw CgroupError(error, field: field)
        }
    }

    /// Writes `value` as one write(2) through `descriptor`, opened on `file` by
    /// `openForWriting`. A value the kernel rejects (EINVAL) is named in the error.
    func write(_ value: String, through descriptor: borrowing FileDescriptor, file: String, field: String?) throws(CgroupError) {
        do {
            try Sys.writeAll(descriptor.raw, Array(value.utf8), path: path + "/" + file)
        } catch {
            throw CgroupError(error, field: field, message: error.errno == Errno.EINVAL ? "value \"\(value)\"" : nil)
        }
    }

    func exists(_ file: String) -> Bool {
        guard let dirfd = try? fd() else { return false }
        return Sys.exists(at: dirfd, file)
    }

    /// Reads a file of `key value` lines (memory.stat, memory.events, cpu.stat) into a dictionary.
    func readKeyValues(_ file: String) throws(CgroupError) -> [String: UInt64] {
        CgroupStatsParsing.keyValues(try read(file))
    }

    /// The pids in cgroup.procs of this cgroup and every cgroup below it.
    func processesRecursively() throws(CgroupError) -> [Int32] {
        var result: [Int32] = []
        try collectProcesses(relative: "", into: &result)
        return result
    }

    private func collectProcesses(relative: String, into result: inout [Int32]) throws(CgroupError) {
        let dirfd = try fd()
        let file = relative.isEmpty ? "cgroup.procs" : relative + "/cgroup.procs"
        let text: String
        do {
            text = try Sys.readText(at: dirfd, file, display: path + "/" + file)
        } catch where error.errno == Errno.ENOENT && !relative.isEmpty {
            return  // a sub-cgroup removed while we walked
        } catch {
            throw CgroupError(error)
        }
        for line in text.split(separator: "\n") {
            if let pid = Int32(line) { result.append(pid) }
        }
        for child in try subdirectories(relative: relative) {
            try collectProcesses(relative: relative.isEmpty ? child : relative + "/" + child, into: &result)
        }
    }

    private func subdirectories(relative: String) throws(CgroupError) -> [String] {
        let dirfd = try fd()
        let display = relative.isEmpty ? path : path + "/" + relative
        do {
            if relative.isEmpty { return try Sys.listSubdirectories(at: dirfd, path: display) }
            let sub = try Sys.openDirectoryPath(at: dirfd, relative, display: display)
            return try Sys.listSubdirectories(at: sub.raw, path: display)
        } catch where error.errno == Errno.ENOENT {
            return []
        } catch {
            throw CgroupError(error)
        }
    }

    /// Creates this cgroup's directory and any missing ancestors below the mount point.
    /// `eachLevel` runs on every level from the mount point (depth 0) down to the cgroup itself,
    /// before the next level is made, with that level's directory descriptor and whether this
    /// call created it. Returns the directories created, outermost first. The last level's
    /// descriptor becomes this directory's handle (`adopt`) instead of being closed.
    @discardableResult
    func makeLevels(eachLevel: (_ dirfd: Int32, _ display: String, _ depth: Int, _ created: Bool) throws(CgroupError) -> Void)
        throws(CgroupError) -> [String]
    {
        var created: [String] = []
        do throws(CgroupError) {
            var current = try Self.openPath(location.mountPoint, root: root)
            var display = location.mountPoint
            try eachLevel(current.raw, display, 0, false)
            let components = location.path.split(separator: "/").map(String.init)
            for (index, name) in components.enumerated() {
                display = CgroupPath.join(display, "/" + name)
                let made = try Self.makeDirectory(current.raw, name, display: display)
                if made { created.append(display) }
                current = try Self.openChild(current.raw, name, display: display)
                try eachLevel(current.raw, display, index + 1, made)
            }
            adopt(current)
        } catch {
            Self.removeCreated(created, root: root)
            throw error
        }
        return created
    }

    private static func openPath(_ path: String, root: CgroupMountRoot) throws(CgroupError) -> FileDescriptor {
        do {
            return try root.openDirectory(path)
        } catch {
            throw CgroupError(error)
        }
    }

    private static func openChild(_ dirfd: Int32, _ name: String, display: String) throws(CgroupError) -> FileDescriptor {
        do {
            return try Sys.openDirectoryPath(at: dirfd, name, display: display)
        } catch {
            throw CgroupError(error)
        }
    }

    /// mkdir; false when it already exists (joining an existing cgroup is allowed). The mode is
    /// 0755 whatever the caller's umask, as systemd makes cgroups: under an engine's umask 077
    /// a parent cgroup made 0700 could not be searched by a user-namespace container's root (a
    /// host uid other than 0), which then could not bind its own cgroup (runc's directories
    /// take the umask).
    private static func makeDirectory(_ dirfd: Int32, _ name: String, display: String) throws(CgroupError) -> Bool {
        do {
            try Sys.withUmask(0) { () throws(SystemError) in try Sys.mkdirat(dirfd, name, mode: 0o755, display: display) }
            return true
        } catch where error.errno == Errno.EEXIST {
            return false
        } catch {
            throw CgroupError(error)
        }
    }

    /// Best-effort removal of directories this call made, innermost first, after a failure.
    static func removeCreated(_ directories: [String], root: CgroupMountRoot) {
        for directory in directories.reversed() { try? root.removeDirectory(directory) }
    }

    /// Removes the cgroup and every cgroup below it, deepest first. EBUSY (processes still
    /// exiting) is retried `retries` times with doubling sleeps from 10 ms; ENOENT is success.
    static func removeTree(_ directory: String, root: CgroupMountRoot, retries: Int = 6) throws(CgroupError) {
        // The usual cgroup has no sub-cgroups: one rmdir, no listing of its interface files.
        do {
            try root.removeDirectory(directory)
            return
        } catch where error.errno == Errno.ENOENT {
            return
        } catch {
            // EBUSY/ENOTEMPTY: sub-cgroups or processes; the walk below deals with both.
        }
        let children: [String]
        do {
            let dir = try root.openDirectory(directory)
            children = try Sys.listSubdirectories(at: dir.raw, path: directory)
        } catch where error.errno == Errno.ENOENT {
            return
        } catch {
            throw CgroupError(error)
        }
        for child in children {
            try removeTree(directory + "/" + child, root: root, retries: retries)
        }
        var delay = 10
        var attempt = 0
        while true {
            do {
                try root.removeDirectory(directory)
                return
            } catch where error.errno == Errno.ENOENT {
                return
            } catch where (error.errno == Errno.EBUSY || error.errno == Errno.ENOTEMPTY) && attempt < retries {
                // ENOTEMPTY: a sub-cgroup appeared meanwhile; remove it on the next round.
                if error.errno == Errno.ENOTEMPTY {
                    if let dir = try? root.openDirectory(directory),
                       let again = try? Sys.listSubdirectories(at: dir.raw, path: directory) {
                        for child in again { try removeTree(directory + "/" + child, root: root, retries: retries) }
                    }
                }
                Sys.sleepMs(delay)
                delay *= 2
                attempt += 1
            } catch {
                throw CgroupError(error, message: error.errno == Errno.EBUSY ? "processes are still in the cgroup" : nil)
            }
        }
    }
}
