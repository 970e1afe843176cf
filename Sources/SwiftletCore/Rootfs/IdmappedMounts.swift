import OCI

/// config.md "Mounts": `uidMappings`/`gidMappings` and the `idmap`/`ridmap` options, an
/// id-mapped bind (mount_setattr(2) MOUNT_ATTR_IDMAP, Linux 5.12): a file owned by id N on
/// the source filesystem shows as the id the mapping gives N (`containerID` N maps to
/// `hostID`), as a user namespace's `uid_map` would map it; the source keeps its owners.
/// Kubernetes user namespaces (`hostUsers: false`) and podman give volumes this way.
///
/// Only a process with CAP_SYS_ADMIN over the filesystem's user namespace (the host's) may
/// id-map a mount, which the container's setup process no longer has once it is in a new
/// user namespace. So the runtime does it before clone3, as runc does: for each such mount
/// it clones the source into a detached bind (open_tree, recursive for `rbind`), sets the
/// mapping on it (recursively for `ridmap`) and hands the descriptor to the child, which
/// moves it onto the target it resolved in the rootfs (Rootfs/Mounts.swift) instead of
/// calling mount(2); the other options are then applied as for any bind.
///
/// The mapping: the mount's own, else (`idmap` without mappings) the container's user
/// namespace: a new one's `linux.uidMappings`/`gidMappings`, or a joined one by its path.
struct IdmappedMounts: ~Copyable {
    /// `mounts` index -> the detached, id-mapped tree (owned: closed with this value).
    let trees: [Int: Int32]

    init() { trees = [:] }

    private init(trees: [Int: Int32]) { self.trees = trees }

    deinit { for fd in trees.values { Sys.closeRaw(fd) } }

    /// Where a mount's mapping comes from.
    enum Mapping: Equatable {
        case mappings(uid: [LinuxIDMapping], gid: [LinuxIDMapping])
        case userNamespace(path: String)
    }

    /// The mapping `mounts[index]` asks for, nil when it is no id-mapped mount.
    static func mapping(of mount: Mount, index: Int, spec: Spec) throws -> Mapping? {
        let field = "mounts[\(index)]"
        let options: MountOptions
        do { options = try MountOptions(mount.options ?? [], field: "\(field).options") } catch { throw RuntimeError(error) }
        let own = !(mount.uidMappings ?? []).isEmpty || !(mount.gidMappings ?? []).isEmpty
        guard own || options.idmap != nil else { return nil }
        guard options.isBind || mount.type == "bind" else {
            throw RuntimeError("\(field) (\(mount.destination)): id-mapped mounts (idmap, ridmap, uidMappings) need a bind mount",
                               errno: Errno.EINVAL)
        }
        if own { return .mappings(uid: mount.uidMappings ?? [], gid: mount.gidMappings ?? []) }
        if let user = spec.linux?.namespace(.user) {
            if let path = user.path, !path.isEmpty { return .userNamespace(path: path) }
            return .mappings(uid: spec.linux?.uidMappings ?? [], gid: spec.linux?.gidMappings ?? [])
        }
        throw RuntimeError("\(field).options: \"idmap\" needs uidMappings and gidMappings or a user namespace", errno: Errno.EINVAL)
    }

    /// Every id-mapped mount of the config, prepared (runtime side, before clone3).
    static func prepare(_ spec: Spec, bundle: String) throws -> IdmappedMounts {
        var trees: [Int: Int32] = [:]
        var namespaces: [Mapping: Int32] = [:]
        // Everything opened so far is closed if a later mount fails.
        var done = false
        defer {
            for fd in namespaces.values { Sys.closeRaw(fd) }
            if !done { for fd in trees.values { Sys.closeRaw(fd) } }
        }
        for (index, mount) in (spec.mounts ?? []).enumerated() {
            guard let mapping = try mapping(of: mount, index: index, spec: spec) else { continue }
            let field = "mounts[\(index)]"
            let context = "\(field) (\(mount.destination))"
            let userns: Int32
            if let existing = namespaces[mapping] {
                userns = existing
            } else {
                switch mapping {
                case let .mappings(uid, gid):
                    userns = try MappedUserNamespace.make(uidMappings: uid, gidMappings: gid, field: field).take()
                case let .userNamespace(path):
                    userns = try withContext("\(context): linux.namespaces (user \(path))") { try Sys.open(path, Linux.O_RDONLY).take() }
                }
                namespaces[mapping] = userns
            }
            let options: MountOptions
            do { options = try MountOptions(mount.options ?? [], field: "\(field).options") } catch { throw RuntimeError(error) }
            let source = Self.sourcePath(mount.source, bundle: bundle)
            let root = try withContext(context) { try Sys.open(source, Linux.O_PATH) }
            let tree = try withContext(context) {
                try Sys.cloneMount(of: root.raw, recursive: options.isRecursiveBind, display: source)
            }
            do {
                try Sys.mountSetattr(tree.raw, set: Linux.MOUNT_ATTR_IDMAP, clear: 0, recursive: options.idmap == .recursive,
                                     userNamespace: userns, display: source)
            } catch {
                if error.errno == Errno.EINVAL {
                    throw RuntimeError("\(context): cannot id-map \(source): its filesystem does not support id-mapped mounts, "
                                       + "or it is id-mapped already (mount_setattr: Invalid argument)", errno: error.errno)
                }
                throw RuntimeError(context, error)
            }
            trees[index] = tree.take()
        }
        done = true
        return IdmappedMounts(trees: trees)
    }

    /// A bind source: absolute, or relative to the bundle (as Rootfs/Mounts.swift reads it).
    static func sourcePath(_ source: String?, bundle: String) -> String {
        guard let source, !source.isEmpty else { return "" }
        return source.hasPrefix("/") ? source : bundle + "/" + source
    }
}

extension IdmappedMounts.Mapping: Hashable {
    func hash(into hasher: inout Hasher) {
        switch self {
        case let .mappings(uid, gid):
            hasher.combine(NamespacePlan.mapText(uid))
            hasher.combine(NamespacePlan.mapText(gid))
        case let .userNamespace(path):
            hasher.combine(path)
        }
    }
}
