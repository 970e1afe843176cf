import OCI

/// The processes of a container that has no cgroup of its own (rootless without delegation,
/// docs/rootless.md "Cgroups"), for `ps` and `kill --all`: with a pid namespace of its own,
/// every process in that namespace (the init's `ns/pid`, which the owner of the container's
/// user namespace may read); without one, the init and its descendants. A cgroup is the
/// reliable answer; this is the best the host's /proc can give without one.
enum ContainerProcesses {
    static func pids(initPID: Int32, privatePidNamespace: Bool) throws -> [Int32] {
        let all = try withContext("list processes") { try Sys.allPIDs() }
        if privatePidNamespace {
            let namespace = try withContext("pid namespace of the container's init") {
                try Sys.namespaceIdentity("/proc/\(initPID)/ns/pid")
            }
            guard let namespace else { return [] }
            return all.filter { pid in
                // A process that is gone, or whose namespace this user may not read (another
                // user's: the owner of the container's user namespace may read all of its), is
                // not one of the container's.
                guard let theirs = try? Sys.namespaceIdentity("/proc/\(pid)/ns/pid") else { return false }
                return theirs.device == namespace.device && theirs.inode == namespace.inode
            }.sorted()
        }
        let parents = all.compactMap { pid in Sys.parentPID(pid).map { (pid, $0) } }
        return descendants(of: initPID, parents: parents)
    }

    /// Pure: `root` and every process below it, given (pid, parent pid) pairs, sorted.
    static func descendants(of root: Int32, parents: [(pid: Int32, parent: Int32)]) -> [Int32] {
        var children: [Int32: [Int32]] = [:]
        for (pid, parent) in parents { children[parent, default: []].append(pid) }
        guard parents.contains(where: { $0.pid == root }) else { return [] }
        var result: [Int32] = []
        var queue = [root]
        while let pid = queue.popLast() {
            result.append(pid)
            queue += children[pid] ?? []
        }
        return result.sorted()
    }
}

extension Runtime {
    /// `ps` of a container without a cgroup: `ContainerProcesses`; none once it stopped.
    func processesWithoutCgroup(_ record: ContainerRecord) throws -> [Int32] {
        guard status(of: record) != .stopped, let pid = record.pid else { return [] }
        return try ContainerProcesses.pids(initPID: pid, privatePidNamespace: Self.hasPrivatePidNamespace(record))
    }

    /// `kill --all` of a container without a cgroup: each of its processes through a pidfd
    /// (one that exits meanwhile is skipped).
    func signalWithoutCgroup(_ record: ContainerRecord, _ signal: Int32) throws {
        let pids = try processesWithoutCgroup(record)
        do { try Sys.pidfdSignalEach(pids, signal) } catch { throw RuntimeError("kill --all", error) }
    }

    static func hasPrivatePidNamespace(_ record: ContainerRecord) -> Bool {
        (record.namespaces ?? []).contains { $0.type == .pid && ($0.path ?? "").isEmpty }
    }
}
