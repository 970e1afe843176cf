import FoundationEssentials

extension Spec {
    /// config.md "Mounts" and "POSIX-platform Mounts".
    func validateMounts(_ problems: inout Problems) {
        let hasUserNamespace = linux?.namespace(.user) != nil
        for (index, mount) in (mounts ?? []).enumerated() {
            let base = JSONPath.index("mounts", index)
            // v1.2.0 allows a relative destination on Linux (relative to "/"); empty is not a path.
            if mount.destination.isEmpty {
                problems.add("\(base).destination", "must not be empty")
            } else if Check.containsNUL(mount.destination) {
                problems.add("\(base).destination", "contains a NUL byte")
            }
            if let type = mount.type, type.isEmpty {
                problems.add("\(base).type", "must not be empty when present")
            }
            // mount(2) takes C strings: a NUL would cut the value short without a word.
            if let type = mount.type, Check.containsNUL(type) { problems.add("\(base).type", "contains a NUL byte") }
            if let source = mount.source, Check.containsNUL(source) { problems.add("\(base).source", "contains a NUL byte") }
            for (i, option) in (mount.options ?? []).enumerated() where Check.containsNUL(option) {
                problems.add(JSONPath.index("\(base).options", i), "contains a NUL byte")
            }
            if mount.isBind && (mount.source ?? "").isEmpty {
                problems.add("\(base).source", "required for a bind mount")
            }
            let uidMappings = mount.uidMappings ?? []
            let gidMappings = mount.gidMappings ?? []
            if mount.uidMappings != nil && mount.gidMappings == nil {
                problems.add("\(base).uidMappings", "must be given together with gidMappings")
            } else if mount.gidMappings != nil && mount.uidMappings == nil {
                problems.add("\(base).gidMappings", "must be given together with uidMappings")
            }
            validateMappings(uidMappings, "\(base).uidMappings", &problems)
            validateMappings(gidMappings, "\(base).gidMappings", &problems)
            let idmapOption = (mount.options ?? []).first { $0 == "idmap" || $0 == "ridmap" }
            if let idmapOption, uidMappings.isEmpty, !hasUserNamespace {
                problems.add("\(base).options", "\(Check.quote(idmapOption)) needs uidMappings and gidMappings or a user namespace")
            }
            // mount_setattr(MOUNT_ATTR_IDMAP) maps a bind of an existing tree (runc has the same rule).
            if (idmapOption != nil || !uidMappings.isEmpty || !gidMappings.isEmpty) && !mount.isBind {
                problems.add("\(base).type", "id-mapped mounts (idmap, ridmap, uidMappings) need a bind mount, got type \(Check.quote(mount.type ?? ""))")
            }
        }
    }

    /// config.md "POSIX-platform Hooks": `path` absolute, `timeout` > 0.
    func validateHooks(_ problems: inout Problems) {
        guard let hooks else { return }
        for (name, list) in hooks.all {
            for (index, hook) in list.enumerated() {
                let base = JSONPath.index("hooks.\(name)", index)
                Check.absolute(hook.path, at: "\(base).path", &problems)
                if let timeout = hook.timeout, timeout <= 0 {
                    problems.add("\(base).timeout", "must be greater than 0, got \(timeout)")
                }
                // `env` has environ(7) semantics, like process.env.
                for (i, entry) in (hook.env ?? []).enumerated() {
                    let path = JSONPath.index("\(base).env", i)
                    if !entry.contains("=") || entry.hasPrefix("=") {
                        problems.add(path, "must be of the form KEY=VALUE, got \(Check.quote(entry))")
                    } else if Check.containsNUL(entry) {
                        problems.add(path, "contains a NUL byte")
                    }
                }
                for (i, arg) in (hook.args ?? []).enumerated() where Check.containsNUL(arg) {
                    problems.add(JSONPath.index("\(base).args", i), "contains a NUL byte")
                }
            }
        }
    }

    /// config-linux.md "User namespace mappings": non-empty ranges inside 32 bits.
    func validateMappings(_ mappings: [LinuxIDMapping], _ base: String, _ problems: inout Problems) {
        let limit = UInt64(UInt32.max) + 1
        for (index, mapping) in mappings.enumerated() {
            let path = JSONPath.index(base, index)
            if mapping.size == 0 {
                problems.add("\(path).size", "must be greater than 0")
            } else if UInt64(mapping.containerID) + UInt64(mapping.size) > limit
                        || UInt64(mapping.hostID) + UInt64(mapping.size) > limit {
                problems.add("\(path).size", "range exceeds the 32-bit id space")
            } else if let earlier = mappings[..<index].firstIndex(where: { Self.overlaps($0, mapping) }) {
                // The kernel refuses overlapping ranges in uid_map/gid_map with a bare EINVAL.
                problems.add(path, "overlaps \(JSONPath.index(base, earlier)) (container or host ids)")
            }
        }
    }

    /// Whether two mappings share a container id or a host id.
    static func overlaps(_ a: LinuxIDMapping, _ b: LinuxIDMapping) -> Bool {
        func intersect(_ x: UInt32, _ y: UInt32, _ n: UInt32, _ m: UInt32) -> Bool {
            UInt64(x) < UInt64(y) + UInt64(m) && UInt64(y) < UInt64(x) + UInt64(n)
        }
        return intersect(a.containerID, b.containerID, a.size, b.size) || intersect(a.hostID, b.hostID, a.size, b.size)
    }
}
