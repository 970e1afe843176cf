import OCI

/// `uid=N` and `gid=N` options of filesystem mounts in a new user namespace (runtime-spec
/// config.md "Mounts"; docs/rootless.md "Mounts and devices"). The kernel reads N in the
/// namespace of the mounter, where an id the mappings leave out does not exist: mount(2)
/// fails with a bare EINVAL deep in the child.
///
/// - devpts: the option only names the group of the ptys it creates (`gid=5`, the tty group,
///   in runc's default config). Where that group is not mapped it is left out, and the ptys
///   belong to the group of the process that opens them; nothing gains access by that. The
///   `--debug` line says so. (runc 1.1.5 refuses the config: "cannot specify gid= mount
///   options for unmapped gid in rootless containers".)
/// - any other filesystem: an unmapped id is an error naming the mount and the option, before
///   anything is created: the owner of a tmpfs is what its user asked for.
enum UnmappedIDOptions {
    struct Result: Equatable {
        var mounts: [Mount]
        /// One debug line per option left out.
        var notes: [String]
    }

    static func adjust(_ mounts: [Mount], uidMappings: [LinuxIDMapping], gidMappings: [LinuxIDMapping]) throws -> Result {
        var result = Result(mounts: mounts, notes: [])
        for (i, mount) in mounts.enumerated() {
            guard let options = mount.options else { continue }
            var kept: [String] = []
            for (j, option) in options.enumerated() {
                guard let (kind, id) = idOption(option) else {
                    kept.append(option)
                    continue
                }
                let mappings = kind == "uid" ? uidMappings : gidMappings
                if isMapped(id, mappings) {
                    kept.append(option)
                } else if mount.type == "devpts" {
                    result.notes.append("mounts[\(i)] (\(mount.destination)): \(option) left out: \(kind) \(id) is not mapped "
                        + "in the user namespace (linux.\(kind)Mappings); ptys get the opener's \(kind)")
                } else {
                    throw RuntimeError("mounts[\(i)].options[\(j)]: \(option): \(kind) \(id) is not mapped in the user namespace "
                        + "(linux.\(kind)Mappings), so \(mount.destination) cannot be given that owner", errno: Errno.EINVAL)
                }
            }
            if kept.count != options.count { result.mounts[i].options = kept }
        }
        return result
    }

    /// `uid=N` / `gid=N` with a decimal N; nil for anything else.
    static func idOption(_ option: String) -> (String, UInt32)? {
        for kind in ["uid", "gid"] where option.hasPrefix(kind + "=") {
            if let id = UInt32(option.dropFirst(4)) { return (kind, id) }
        }
        return nil
    }

    /// Whether container id `id` falls in one of the mappings.
    static func isMapped(_ id: UInt32, _ mappings: [LinuxIDMapping]) -> Bool {
        mappings.contains { UInt64(id) >= UInt64($0.containerID) && UInt64(id) < UInt64($0.containerID) + UInt64($0.size) }
    }
}

extension Launch {
    /// In a new user namespace with its maps given: `UnmappedIDOptions` on `mounts`, before
    /// the child sees them.
    mutating func prepareMountOptions() throws {
        guard namespaces.newUser, let uids = spec.linux?.uidMappings, let gids = spec.linux?.gidMappings,
              let mounts = spec.mounts else { return }
        let adjusted = try UnmappedIDOptions.adjust(mounts, uidMappings: uids, gidMappings: gids)
        for note in adjusted.notes { runtime.debug(note) }
        spec.mounts = adjusted.mounts
    }
}
