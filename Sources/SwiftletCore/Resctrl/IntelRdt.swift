import OCI

/// config-linux.md "IntelRdt": the container's processes in a resctrl group (Intel RDT, AMD
/// PQoS): a class of service whose `schemata` caps the L3/L2 cache and memory bandwidth it
/// may use, and optionally a monitoring group of its own. Done by the runtime, in the host's
/// resctrl mount, like the cgroups:
///
///  * before anything is created, a config with `intelRdt` on a host without a resctrl mount in
///    the runtime's mount namespace is refused naming the field ("MUST generate an error");
///  * before clone3 the group is chosen and, where the spec says so, made and written
///    (`prepare`, recorded in state.json first so that `delete --force` finds it);
///  * right after clone3 the init's pid goes into the group's (or monitoring group's) `tasks`
///    (`join`), before it runs anything of the container's; every process it forks follows,
///    and `exec` puts its process there the same way;
///  * `delete` (and a failed create) removes the monitoring group and the group, only if the
///    runtime made it for this container (`closID` not set).
///
/// The group, by the spec's rules: `closID` `/` is the default class (the resctrl root);
/// another `closID` names a directory, made if a schema is given and it is missing, compared
/// with `l3CacheSchema`/`memBwSchema` if it exists, and required to exist if no schema is
/// given; without `closID` the group is `<container-id>`, made by the runtime. Schemata are
/// written only to a group the runtime made: `l3CacheSchema`, then `memBwSchema`, then each
/// line of `schemata`. `enableMonitoring` makes `mon_groups/<container-id>` in the group.
enum IntelRdt {
    /// What state.json keeps: where the processes go and what delete removes.
    struct Record: Equatable, Sendable {
        /// The `tasks` file every process of the container is written to.
        var tasks: String
        /// The group directory the runtime made for this container (removed by delete).
        var createdGroup: String?
        /// The monitoring group (removed by delete).
        var monitorGroup: String?
    }

    /// What to do, before touching the filesystem (pure).
    struct Plan: Equatable {
        /// The group, relative to the resctrl root ("" for the default class).
        var group: String
        /// Made by the runtime when missing (else it must exist).
        var createIfMissing: Bool
        /// Removed on delete if made now (no closID).
        var owned: Bool
        /// Lines written to a group the runtime made, in the spec's order.
        var lines: [String]
        /// Lines an existing group's schemata must already have.
        var compare: [String]
        /// The monitoring group's name (`mon_groups/<name>`), if asked for.
        var monitor: String?
    }

    static let superMagic = 0x7655821  // RDTGROUP_SUPER_MAGIC

    static func plan(_ rdt: LinuxIntelRdt, containerID: String) -> Plan {
        let fixed = [rdt.l3CacheSchema, rdt.memBwSchema].compactMap { $0 }.filter { !$0.isEmpty }
        let lines = fixed + (rdt.schemata ?? []).filter { !$0.isEmpty }
        let monitor = rdt.enableMonitoring == true ? containerID : nil
        guard let closID = rdt.closID, !closID.isEmpty else {
            return Plan(group: containerID, createIfMissing: true, owned: true, lines: lines, compare: [], monitor: monitor)
        }
        let group = closID == "/" ? "" : closID
        return Plan(group: group, createIfMissing: !lines.isEmpty && !group.isEmpty, owned: false, lines: lines,
                    compare: fixed, monitor: monitor)
    }

    /// The resctrl mount of the runtime's mount namespace: /sys/fs/resctrl when it is one,
    /// else the first resctrl line of /proc/self/mountinfo (read through the runtime's procfs).
    static func mountPoint() throws -> String? {
        do {
            if try Sys.fsType("/sys/fs/resctrl") == superMagic { return "/sys/fs/resctrl" }
        } catch {
            // No /sys/fs/resctrl (or not ours to stat): the mount table says where, if anywhere.
        }
        let procfs = try withContext("linux.intelRdt: find the resctrl mount") { try Procfs.mountedAtProc() }
        let text = try withContext("linux.intelRdt: find the resctrl mount") {
            let fd = try procfs.open("self/mountinfo", Linux.O_RDONLY)
            return String(decoding: try Sys.readAll(fd, path: "/proc/self/mountinfo"), as: UTF8.self)
        }
        return resctrlMountPoint(inMountinfo: text)
    }

    /// The mount point of the first resctrl filesystem of a mountinfo text (fields: ... 5
    /// mount point ... `-` type source options).
    static func resctrlMountPoint(inMountinfo text: String) -> String? {
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard let dash = fields.firstIndex(of: "-"), dash + 1 < fields.count, fields.count > 4,
                  fields[dash + 1] == "resctrl" else { continue }
            return unescape(String(fields[4]))
        }
        return nil
    }

    /// mountinfo escapes space, tab, newline and backslash as \ooo.
    static func unescape(_ field: String) -> String {
        let utf8 = Array(field.utf8)
        var bytes: [UInt8] = []
        var i = 0
        while i < utf8.count {
            if utf8[i] == UInt8(ascii: "\\"), i + 3 < utf8.count,
               let value = UInt8(String(decoding: utf8[(i + 1)...(i + 3)], as: UTF8.self), radix: 8) {
                bytes.append(value)
                i += 4
            } else {
                bytes.append(utf8[i])
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Refuses `intelRdt` where there is no resctrl mount (before anything is created); the
    /// mount point otherwise.
    static func check(_ spec: Spec) throws -> String? {
        guard spec.linux?.intelRdt != nil else { return nil }
        guard let root = try mountPoint() else {
            throw RuntimeError("linux.intelRdt: no resctrl filesystem is mounted in the runtime's mount namespace (the host needs "
                               + "Intel RDT or AMD PQoS and `mount -t resctrl resctrl /sys/fs/resctrl`)", errno: Errno.ENODEV)
        }
        return root
    }

    /// The record for `plan`, before anything is made (state.json gets it first).
    static func record(_ plan: Plan, root: String) -> Record {
        let group = plan.group.isEmpty ? root : root + "/" + plan.group
        let monitor = plan.monitor.map { group + "/mon_groups/" + $0 }
        return Record(tasks: (monitor ?? group) + "/tasks", createdGroup: plan.owned ? group : nil, monitorGroup: monitor)
    }

    /// What the group's existence allows, checked before anything is recorded or made: a
    /// group the runtime is to make for this container must not exist yet (delete would remove
    /// someone else's), a named one without schemata must exist. Returns whether to make it.
    static func check(_ plan: Plan, root: String) throws -> Bool {
        let field = "linux.intelRdt"
        let group = plan.group.isEmpty ? root : root + "/" + plan.group
        let exists = Sys.exists(group)
        if plan.owned && exists {
            throw RuntimeError("\(field): resctrl group \(group) exists already (closID unset: the runtime makes it for the "
                               + "container and removes it on delete)", errno: Errno.EEXIST)
        }
        if !exists && !plan.createIfMissing {
            throw RuntimeError("\(field).closID: no resctrl group \"\(plan.group)\" in \(root), and no schema to make one with",
                               errno: Errno.ENOENT)
        }
        return !exists
    }

    /// Makes, checks and writes the group as planned (runtime side, before clone3; `make` from
    /// `check`).
    static func prepare(_ plan: Plan, root: String, make: Bool) throws {
        let field = "linux.intelRdt"
        let group = plan.group.isEmpty ? root : root + "/" + plan.group
        if make {
            try withContext("\(field): make resctrl group \(group)") { try Sys.mkdir(group) }
        }
        if make {
            try writeSchemata(plan.lines, group: group, root: root)
        } else if !plan.compare.isEmpty {
            let current = try withContext("\(field): read \(group)/schemata") { try Sys.readText(group + "/schemata") }
            for line in plan.compare where !schemataContains(current, line) {
                throw RuntimeError("\(field): resctrl group \"\(plan.group)\" exists with other schemata than \"\(line)\"",
                                   errno: Errno.EEXIST)
            }
        }
        if let monitor = plan.monitor {
            let path = group + "/mon_groups/" + monitor
            try withContext("\(field).enableMonitoring: make monitoring group \(path)") { try Sys.mkdir(path) }
        }
    }

    /// Each line to the group's `schemata` file (the kernel made it with the group), in order.
    static func writeSchemata(_ lines: [String], group: String, root: String) throws {
        for line in lines {
            do {
                try Sys.writeText(group + "/schemata", line + "\n")
            } catch {
                throw RuntimeError("linux.intelRdt: write \"\(line)\" to \(group)/schemata: \(error.reason)"
                                   + lastCommandStatus(root: root), errno: error.errno)
            }
        }
    }

    /// The kernel's explanation of a refused write (info/last_cmd_status), when it has one.
    static func lastCommandStatus(root: String) -> String {
        let text: String
        do { text = try Sys.readText(root + "/info/last_cmd_status") } catch { return "" }  // only an explanation
        let status = text.split(separator: "\n").first.map(String.init) ?? ""
        return status.isEmpty || status == "ok" ? "" : " (\(status))"
    }

    /// Whether a schemata file already has every domain value of `line` ("L3:0=7f0;1=1f"):
    /// compared per resource and domain, values as numbers (the kernel pads and zero-fills).
    static func schemataContains(_ schemata: String, _ line: String) -> Bool {
        guard let wanted = parse(line) else { return false }
        for existing in schemata.split(separator: "\n") {
            guard let have = parse(String(existing)), have.resource == wanted.resource else { continue }
            return wanted.domains.allSatisfy { have.domains[$0.key] == $0.value }
        }
        return false
    }

    static func parse(_ line: String) -> (resource: String, domains: [String: UInt64])? {
        let text = line.filter { !$0.isWhitespace }
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let resource = text[..<colon].uppercased()
        let radix = resource.hasPrefix("MB") || resource.hasPrefix("SMBA") ? 10 : 16
        var domains: [String: UInt64] = [:]
        for item in text[text.index(after: colon)...].split(separator: ";") {
            let pair = item.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, let value = UInt64(pair[1], radix: radix) else { return nil }
            domains[String(pair[0])] = value
        }
        return (resource, domains)
    }

    /// Puts `pid` in the group (after clone3 for the init, after the clone for exec).
    static func join(_ record: Record, pid: Int32) throws {
        try withContext("linux.intelRdt: add pid \(pid) to \(record.tasks)") { try Sys.writeText(record.tasks, "\(pid)\n") }
    }

    /// Removes what the runtime made for the container (delete, failed create); a group
    /// that is already gone is nothing to do.
    static func remove(_ record: Record) throws {
        for directory in [record.monitorGroup, record.createdGroup].compactMap({ $0 }) {
            do {
                try Sys.rmdir(directory)
            } catch {
                if error.errno != Errno.ENOENT { throw RuntimeError("linux.intelRdt: remove \(directory)", error) }
            }
        }
    }
}
