/// Operations on a cgroup in the unified (v2) hierarchy, shared by the v2 manager and the
/// hybrid side of the v1 manager, and the pid-by-pid signalling both fall back to.
enum CgroupUnified {
    /// Makes the cgroup and its missing ancestors. On every ancestor (from the mount point down
    /// to the parent) the controllers that ancestor offers are enabled in its
    /// cgroup.subtree_control so that they reach the new cgroup, as runc does. Failures there are
    /// ignored: an ancestor that holds processes cannot delegate ("no internal processes"), and
    /// a controller that did not arrive shows up as a clear error when its file is written.
    @discardableResult
    static func create(_ directory: CgroupDirectory) throws(CgroupError) -> [String] {
        let depth = directory.location.path.split(separator: "/").count
        return try directory.makeLevels { dirfd, display, level, _ throws(CgroupError) in
            if level < depth { enableControllers(dirfd, display) }
        }
    }

    static func enableControllers(_ dirfd: Int32, _ display: String) {
        guard let offered = try? Sys.readText(at: dirfd, "cgroup.controllers", display: display + "/cgroup.controllers"),
              let enabled = try? Sys.readText(at: dirfd, "cgroup.subtree_control", display: display + "/cgroup.subtree_control")
        else { return }
        let have = Set(enabled.split(separator: " "))
        let missing = offered.split(separator: " ").filter { !have.contains($0) }
        guard !missing.isEmpty else { return }
        let file = display + "/cgroup.subtree_control"
        if (try? Sys.writeText(at: dirfd, "cgroup.subtree_control", missing.map { "+" + $0 }.joinedBy(" "), display: file)) != nil {
            return
        }
        for controller in missing {
            _ = try? Sys.writeText(at: dirfd, "cgroup.subtree_control", "+" + controller, display: file)
        }
    }

    /// Controllers enabled for the cgroup (its cgroup.controllers).
    static func controllers(_ dir: CgroupDirectory) -> Set<String> {
        guard let text = try? dir.read("cgroup.controllers") else { return [] }
        return Set(text.split(separator: " ").map(String.init))
    }

    /// The controllers the cgroup has or, before it exists, those of its nearest existing
    /// ancestor (what `create` enables down to it), so resources can be checked before anything
    /// is created.
    static func expectedControllers(_ dir: CgroupDirectory) -> Set<String> {
        if dir.exists("cgroup.controllers") { return controllers(dir) }
        var components = dir.location.path.split(separator: "/")
        while !components.isEmpty {
            components.removeLast()
            let path = CgroupPath.join(dir.location.mountPoint, "/" + components.map(String.init).joinedBy("/"))
            if let text = try? dir.root.readText(path + "/cgroup.controllers") {
                return Set(CgroupStatsParsing.trim(text).split(separator: " ").map(String.init))
            }
        }
        return []
    }

    // MARK: freezer (cgroup.freeze, cgroup.events "frozen")

    static func setFrozen(_ dir: CgroupDirectory, _ frozen: Bool, timeoutMs: Int64 = 10_000) throws(CgroupError) {
        try dir.write("cgroup.freeze", frozen ? "1" : "0")
        let want = frozen ? "1" : "0"
        let deadline = Sys.monotonicMs() + timeoutMs
        var delay = 1
        while true {
            let events = try dir.readKeyValues("cgroup.events")
            // Before 5.2 there is no "frozen" key; the write itself is all we can check.
            guard let state = events["frozen"] else { return }
            if String(state) == want { return }
            if Sys.monotonicMs() >= deadline {
                if frozen { _ = try? dir.write("cgroup.freeze", "0") }
                throw CgroupError(operation: frozen ? "freeze" : "thaw", path: dir.path + "/cgroup.events",
                                  message: "timed out waiting for \"frozen \(want)\"")
            }
            Sys.sleepMs(delay)
            delay = min(delay * 2, 50)
        }
    }

    static func isFrozen(_ dir: CgroupDirectory) -> Bool {
        (try? dir.read("cgroup.freeze")) == "1"
    }

    /// The cgroup's effective state: `frozen 1` in cgroup.events covers a frozen ancestor too,
    /// `cgroup.freeze 1` a freeze still in progress. nil when thawed, or when the cgroup (or
    /// the v2 freezer, before Linux 5.2) does not exist.
    static func frozenReport(_ dir: CgroupDirectory) -> String? {
        if let events = try? dir.readKeyValues("cgroup.events"), events["frozen"] == 1 {
            return dir.path + "/cgroup.events: frozen 1"
        }
        if isFrozen(dir) { return dir.path + "/cgroup.freeze: 1" }
        return nil
    }

    /// cgroup.kill (Linux 5.14): SIGKILL to every process in the cgroup and below, atomically
    /// with respect to forks. Returns false when the file does not exist.
    static func kill(_ dir: CgroupDirectory) throws(CgroupError) -> Bool {
        guard dir.exists("cgroup.kill") else { return false }
        try dir.write("cgroup.kill", "1")
        return true
    }

    /// Signals each pid through a pidfd; a process that is already gone (ESRCH) is skipped.
    static func signal(_ pids: [Int32], _ signal: Int32) throws(CgroupError) {
        do { try Sys.pidfdSignalEach(pids, signal) } catch { throw CgroupError(error) }
    }
}
