import OCI

/// The container's processes that a checkpoint leaves out: CRIU dumps the tree below the
/// container's init, and a process started by `exec` is not in it (its parent, the `exec`
/// command's child, exits, and the kernel hands the orphan to the reaper of the pid namespace
/// it was made from: the host's). Such a process is not in the images, ends with the container
/// when the checkpoint removes it, and is not brought back by `restore`; runc behaves the same
/// and says nothing. `checkpoint` names them in a warning (docs/checkpoint.md "exec'd processes").
enum CheckpointOutsiders {
    /// The pids of `pids` that are neither `root` nor below it: each one's chain of parents
    /// (`parent`: the parent pid, nil when unknown) is followed until it reaches `root`, a pid
    /// of 1 or less, or an unknown parent. `limit` bounds a chain (a loop cannot happen in the
    /// kernel's tree, but a pid reused between two reads must not make one).
    static func outside(_ pids: [Int32], root: Int32, limit: Int = 4096, parent: (Int32) -> Int32?) -> [Int32] {
        pids.filter { pid in
            var current = pid
            var steps = 0
            while current != root && current > 1 && steps < limit {
                guard let next = parent(current) else { return true }
                current = next
                steps += 1
            }
            return current != root
        }
    }

    /// A command name as the warning shows it: up to its newline, every byte outside printable
    /// ASCII as `?`. A process in the container chooses its name, and the warning goes to an
    /// operator's terminal: no escape sequence of its making reaches it.
    static func printable(_ comm: String) -> String {
        String(decoding: comm.utf8.prefix(while: { $0 != UInt8(ascii: "\n") }).map { (0x20...0x7e).contains($0) ? $0 : UInt8(ascii: "?") },
               as: UTF8.self)
    }

    /// The warning for `outside` (pid and command name each), or nil when there is none.
    static func warning(id: String, _ outside: [(pid: Int32, name: String)], leaveRunning: Bool) -> String? {
        guard !outside.isEmpty else { return nil }
        let one = outside.count == 1
        let list = outside.map { "\($0.pid) (\($0.name))" }.joined(separator: ", ")
        let fate: String
        switch (leaveRunning, one) {
        case (true, true): fate = "it keeps running, but restore does not bring it back"
        case (true, false): fate = "they keep running, but restore does not bring them back"
        case (false, true): fate = "it ends with the container, and restore does not bring it back"
        case (false, false): fate = "they end with the container, and restore does not bring them back"
        }
        return "checkpoint: \(one ? "1 process" : "\(outside.count) processes") of container \"\(id)\" "
            + "not below its init (started by exec?) \(one ? "is" : "are") not in the checkpoint: \(list); \(fate)"
    }
}

extension Runtime {
    /// The container's processes (its cgroup's) in the pid namespace of its init `initPID` but
    /// outside the init's tree, with their command names, read through the runtime's procfs
    /// handle: those the dump leaves out and, without --leave-running, the end of the init ends
    /// (another container sharing the cgroup, in a pid namespace of its own, is not named).
    /// Best effort, for a warning: empty when the processes cannot be listed, and a process
    /// that exits meanwhile is left out.
    func processesOutsideInit(id: String, initPID: Int32, procfs: borrowing Procfs) -> [(pid: Int32, name: String)] {
        let all: [Int32]
        let initNamespace: String
        do {
            initNamespace = try procfs.namespaceLink(initPID, "pid")
            all = try processes(id: id)
        } catch {
            debug("checkpoint: the processes outside the init are not named: \(error)")
            return []
        }
        // What cannot be read of one process (it exited meanwhile) leaves that process out.
        func readable<T>(_ what: String, _ body: () throws -> T) -> T? {
            do { return try body() } catch {
                debug("checkpoint: \(what): \(error)")
                return nil
            }
        }
        func text(_ path: String) -> String? {
            readable("/proc/\(path)") { String(decoding: try procfs.read(path), as: UTF8.self) }
        }
        let pids = all.filter { pid in readable("/proc/\(pid)/ns/pid") { try procfs.namespaceLink(pid, "pid") } == initNamespace }
        let outside = CheckpointOutsiders.outside(pids, root: initPID) { pid in
            text("\(pid)/stat").flatMap { Sys.parentPID(stat: $0) }
        }
        return outside.compactMap { pid in
            guard let name = text("\(pid)/comm") else { return nil }
            return (pid, CheckpointOutsiders.printable(name))
        }
    }
}
