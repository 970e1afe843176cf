import FoundationEssentials
import OCI

/// The process an `exec` runs: either a `--process` file as it is, or the container's own
/// `process` (saved at create time) with the command-line overrides applied the way runc's
/// `exec` applies them. Pure: unit-tested without root.
public enum ExecProcess {
    /// The command-line side of `exec` (runc's flags) that shapes the process.
    public struct Overrides: Sendable, Equatable {
        public var args: [String] = []
        public var cwd: String?
        public var env: [String] = []
        /// `uid[:gid]`, numbers only (as runc: names would have to be looked up in the container).
        public var user: String?
        public var additionalGids: [UInt32]?
        /// Added to the bounding, effective and permitted sets (and ambient when the process
        /// has inheritable capabilities), like `runc exec --cap`.
        public var caps: [String] = []
        public var tty = false
        /// `--no-new-privs` given: sets it; absent: the container's setting stays.
        public var noNewPrivileges = false
        public var apparmorProfile: String?
        public var processLabel: String?

        public init() {}
    }

    /// `base` (the container's process) with `overrides` applied, validated.
    public static func build(base: Process, overrides o: Overrides) throws(SpecError) -> Process {
        var p = base
        p.args = o.args
        guard !o.args.isEmpty else { throw SpecError(path: "exec", message: "a command to run is required (or --process)") }
        if let cwd = o.cwd, !cwd.isEmpty { p.cwd = cwd }
        if let profile = o.apparmorProfile, !profile.isEmpty { p.apparmorProfile = profile }
        if let label = o.processLabel, !label.isEmpty { p.selinuxLabel = label }
        for (i, entry) in o.env.enumerated() where !(entry.firstIndex(of: "=").map { $0 != entry.startIndex } ?? false) {
            throw SpecError(path: "--env[\(i)]", message: "must be KEY=VALUE, got \"\(entry)\"")
        }
        p.env = deduplicated((p.env ?? []) + o.env)
        if !o.caps.isEmpty {
            var caps = p.capabilities ?? LinuxCapabilities()
            for (i, cap) in o.caps.enumerated() {
                let name = cap.uppercased().hasPrefix("CAP_") ? cap.uppercased() : "CAP_" + cap.uppercased()
                guard Capability.number(of: name) != nil else {
                    throw SpecError(path: "--cap[\(i)]", message: "unknown capability \"\(cap)\"")
                }
                caps.bounding = (caps.bounding ?? []) + [name]
                caps.effective = (caps.effective ?? []) + [name]
                caps.permitted = (caps.permitted ?? []) + [name]
                // Ambient needs the bit in inheritable too; like runc, --cap does not add to
                // inheritable (CVE-2022-29162), so ambient only grows when inheritable is in use.
                if !(caps.inheritable ?? []).isEmpty { caps.ambient = (caps.ambient ?? []) + [name] }
            }
            p.capabilities = caps
        }
        p.terminal = o.tty
        if o.noNewPrivileges { p.noNewPrivileges = true }
        if let user = o.user, !user.isEmpty {
            let parts = user.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard let uid = UInt32(parts[0]), parts.count == 1 || UInt32(parts[1]) != nil else {
                throw SpecError(path: "--user", message: "\"\(user)\" is not uid[:gid] (numbers only)")
            }
            p.user.uid = uid
            if parts.count == 2, let gid = UInt32(parts[1]) { p.user.gid = gid }
        }
        if let gids = o.additionalGids { p.user.additionalGids = gids }
        try validate(p)
        return p
    }

    /// A `--process` file: a runtime-spec `process` object (what conmon and containerd's shim
    /// write). What it leaves out comes from the container's process, as in runc (libcontainer's
    /// newInitConfig): capabilities, rlimits, the AppArmor profile and the SELinux label, and
    /// (where runc would take the file's implicit `false` or uid 0) noNewPrivileges and `user`:
    /// a file that does not mention them must not quietly lift the container's no_new_privs or
    /// run as root; a `user` without `umask` keeps the container's umask.
    public static func decode(_ data: Data, file: String, container: Process?) throws(SpecError) -> Process {
        var value: JSONValue
        do { value = try JSONParser.parse(bytes: [UInt8](data)) } catch { throw SpecError(path: file, message: error.description) }
        if case .object(var object) = value, object["user"] == nil, let user = container?.user {
            object.set("user", userJSON(user))
            value = .object(object)
        }
        var p = try OCIJSON.decode(Process.self, from: value, document: file)
        p.env = p.env.map(deduplicated)
        if let container {
            if p.capabilities == nil { p.capabilities = container.capabilities }
            if p.rlimits?.isEmpty ?? true { p.rlimits = container.rlimits }
            if p.apparmorProfile?.isEmpty ?? true { p.apparmorProfile = container.apparmorProfile }
            if p.selinuxLabel?.isEmpty ?? true { p.selinuxLabel = container.selinuxLabel }
            if p.noNewPrivileges == nil { p.noNewPrivileges = container.noNewPrivileges }
            // podman writes exec's user without the umask its --umask gave the container: the
            // process joins the container, so it keeps the container's umask (runc's exec
            // ignores umask altogether; its processes get 0022).
            if p.user.umask == nil { p.user.umask = container.user.umask }
        }
        try validate(p)
        return p
    }

    /// `user` as a process file would spell it.
    static func userJSON(_ user: User) -> JSONValue {
        .object([
            ("uid", .integer(user.uid)), ("gid", .integer(user.gid)), ("umask", user.umask.map { .integer($0) }),
            ("additionalGids", user.additionalGids.map { .array($0.map { .integer($0) }) }),
        ])
    }

    /// The same checks `create` makes of config.json's `process` (config.md "Process"), with
    /// the environment deduplicated like runc's: the last value of a variable wins.
    static func validate(_ process: Process) throws(SpecError) {
        let spec = Spec(process: process)
        if let problem = spec.validationErrors().first(where: { $0.path == "process" || $0.path.hasPrefix("process.") }) {
            throw problem
        }
    }

    /// `env` without duplicate names, keeping the last value of each at its last position
    /// (runc's prepareEnv; glibc's getenv would otherwise return the first one).
    public static func deduplicated(_ env: [String]) -> [String] {
        var seen: Set<Substring> = []
        var out: [String] = []
        for entry in env.reversed() {
            let name = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)[0]
            if seen.insert(name).inserted { out.append(entry) }
        }
        return out.reversed()
    }

    /// `--cgroup` values (`[<controllers>:]<path>`, runc's syntax): the container's cgroups with
    /// the sub-cgroup appended where each applies. A path without controllers applies to every
    /// hierarchy; `cpu,cpuacct:sub` only to the v1 hierarchy with those controllers.
    public static func subCgroups(_ description: CgroupDescription, _ values: [String]) throws(SpecError) -> CgroupDescription {
        var result = description
        for (i, value) in values.enumerated() {
            let field = "--cgroup[\(i)]"
            var controllers: [String] = []
            var path = value
            if let colon = value.firstIndex(of: ":") {
                controllers = value[..<colon].split(separator: ",").map(String.init)
                path = String(value[value.index(after: colon)...])
            }
            let components = path.split(separator: "/")
            guard !components.isEmpty, !components.contains(".."), !components.contains(".") else {
                throw SpecError(path: field, message: "\"\(value)\": the sub-cgroup must be a relative path below the container's cgroup")
            }
            let sub = "/" + components.joined(separator: "/")
            func below(_ location: CgroupLocation) -> CgroupLocation {
                var l = location
                l.path = (l.path == "/" ? "" : l.path) + sub
                return l
            }
            if controllers.isEmpty {
                result.unified = result.unified.map(below)
                result.legacy = result.legacy.map(below)
                continue
            }
            for controller in controllers {
                guard let index = result.legacy.firstIndex(where: { $0.controllers.contains(controller) }) else {
                    throw SpecError(path: field, message: "\"\(value)\": no cgroup v1 hierarchy has controller \"\(controller)\"")
                }
                if result.legacy[index].path == description.legacy[index].path {
                    result.legacy[index] = below(result.legacy[index])
                }
            }
        }
        return result
    }
}
