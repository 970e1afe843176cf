import OCI

/// How the uid_map and gid_map of the container's new user namespace are written
/// (runtime-spec config-linux.md "User namespace mappings"; user_namespaces(7) "Defining user
/// and group ID mappings"). docs/rootless.md "User namespace".
///
/// - A runtime holding CAP_SETUID (CAP_SETGID) in its own namespace (root, or root of rootless
///   podman's namespace) writes any mapping of its ids itself.
/// - An unprivileged runtime may write one line mapping its own effective uid (gid), size 1;
///   for the gid map the kernel wants "deny" in /proc/PID/setgroups first, so that a process
///   can never drop a group the host gave it (CVE-2014-8989): the container then keeps the
///   user's groups and cannot set `additionalGids`.
/// - Anything else (several ranges, other ids) goes through the setuid helpers newuidmap and
///   newgidmap (shadow's `uidmap` package), which allow the ranges /etc/subuid and
///   /etc/subgid give the user, and nothing more: the kernel and the helpers decide, never
///   swiftlet, so no mapping gives the user an id it was not granted.
public struct IDMapPlan: Equatable, Sendable {
    public enum Method: Equatable, Sendable {
        /// The runtime writes /proc/PID/{uid,gid}_map itself.
        case direct
        /// The setuid helper writes it (`newuidmap` / `newgidmap`).
        case helper(String)
    }

    public var uid: Method
    public var gid: Method
    /// "deny" goes to /proc/PID/setgroups before gid_map.
    public var denySetgroups: Bool

    /// Pure: the methods for these mappings and this runtime.
    public static func plan(uidMappings: [LinuxIDMapping], gidMappings: [LinuxIDMapping], runtime: Rootless) -> IDMapPlan {
        func ownOnly(_ mappings: [LinuxIDMapping], _ id: UInt32) -> Bool {
            mappings.count == 1 && mappings[0].size == 1 && mappings[0].hostID == id
        }
        let uid: Method = runtime.canSetUID || ownOnly(uidMappings, runtime.euid) ? .direct : .helper("newuidmap")
        let gid: Method
        var deny = false
        if runtime.canSetGID {
            gid = .direct
        } else if ownOnly(gidMappings, runtime.egid) {
            gid = .direct
            deny = true
        } else {
            gid = .helper("newgidmap")
        }
        return IDMapPlan(uid: uid, gid: gid, denySetgroups: deny)
    }

    /// The helper's arguments after its name: `PID ctr host size ...`.
    public static func helperArguments(pid: Int32, _ mappings: [LinuxIDMapping]) -> [String] {
        ["\(pid)"] + mappings.flatMap { ["\($0.containerID)", "\($0.hostID)", "\($0.size)"] }
    }
}

/// Writes the maps of a child in a new user namespace, as `IDMapPlan` says, from the runtime
/// in the host's namespaces (the child's /proc/PID of the host's procfs, never the container's).
struct IDMapWriter {
    let uidMappings: [LinuxIDMapping]
    let gidMappings: [LinuxIDMapping]
    let plan: IDMapPlan
    /// A helper's argv[0] resolved in $PATH (then the usual places, for a runtime started with
    /// an empty environment by an engine).
    static let helperDirectories = ["/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin"]

    func write(pid: Int32) throws {
        try write(plan.uid, uidMappings, pid: pid, file: "uid_map", field: "linux.uidMappings")
        if plan.denySetgroups {
            try withContext("linux.gidMappings: setgroups deny (an unprivileged single gid mapping)") {
                try Sys.writeText("/proc/\(pid)/setgroups", "deny")
            }
        }
        try write(plan.gid, gidMappings, pid: pid, file: "gid_map", field: "linux.gidMappings")
    }

    private func write(_ method: IDMapPlan.Method, _ mappings: [LinuxIDMapping], pid: Int32, file: String, field: String) throws {
        switch method {
        case .direct:
            try withContext(field) { try Sys.writeText("/proc/\(pid)/\(file)", NamespacePlan.mapText(mappings)) }
        case .helper(let name):
            try runHelper(name, IDMapPlan.helperArguments(pid: pid, mappings), field: field)
        }
    }

    private func runHelper(_ name: String, _ arguments: [String], field: String) throws {
        let described = ([name] + arguments).joined(separator: " ")
        guard let path = Sys.lookPath(name) ?? Self.helperDirectories.map({ $0 + "/" + name }).first(where: Sys.isExecutable) else {
            throw RuntimeError("\(field): these mappings need \(name) (Debian package uidmap), which is not installed; "
                + "without it an unprivileged user can map only its own id, size 1", errno: Errno.ENOENT)
        }
        let pair = try withContext("\(field): \(name)") { try Sys.pipe() }
        let reader = pair.first
        let writer = pair.second
        let child = try withContext("\(field): \(name)") {
            try Sys.spawn(path, args: [name] + arguments, env: Sys.environment(), stdinFD: -1, outputFD: writer.raw)
        }
        _ = consume writer
        let output = try withContext("\(field): \(name)") { try Sys.readAll(reader, path: "output of \(name)") }
        _ = consume reader
        let status = try withContext("\(field): \(name)") { try Sys.wait(pid: child) }
        guard status == .exited(0) else {
            let text = String(decoding: output, as: UTF8.self).split(separator: "\n").joined(separator: "; ")
            throw RuntimeError("\(field): \(described) failed (\(status.described))\(text.isEmpty ? "" : ": " + text)"
                + " (the ranges an unprivileged user may map are its entries in /etc/subuid and /etc/subgid)",
                errno: Errno.EPERM)
        }
    }
}

extension Sys.ExitStatus {
    /// `exit status 1`, `signal 9`.
    var described: String {
        switch self {
        case .exited(let code): return "exit status \(code)"
        case .signaled(let signal): return "signal \(signal)"
        }
    }
}
