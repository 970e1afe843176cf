import OCI

/// A container without a mount namespace. config-linux.md "Namespaces": when no `mount` entry
/// is listed, the container shares the runtime's mount namespace. runc and crun accept that
/// and then mount the config's filesystems in the host's namespace, where they stay after
/// the container is gone. swiftlet keeps them together and takes them away again:
///
///  1. `create` (the runtime, before clone3) clones the rootfs into a detached bind, made
///     private so that nothing mounted below it propagates anywhere, records the bind's mount
///     id in state.json, and only then attaches it onto root.path: a runtime killed before the
///     record is written leaves a detached mount that dies with it, one killed after leaves a
///     record `delete --force` acts on.
///  2. The child applies `mounts`, devices, the console, masked and read-only paths exactly as
///     with a mount namespace (resolved in the root, by descriptor): all of them land below
///     that bind. It then chroots into it (pivot_root needs a namespace of its own).
///  3. `delete` (and a failed `create`) detaches the bind, lazily and with everything below it,
///     after checking by mount id that the mount at root.path is the one recorded. Mounts
///     stacked on top of it later (a container with CAP_SYS_ADMIN mounting over its own `/`)
///     have newer ids and are detached first.
///
/// The risks, which `audit` reports: the container's processes live in the host's mount
/// namespace, a chroot is not a pivot_root (a process with CAP_SYS_CHROOT can leave it), and
/// one with CAP_SYS_ADMIN can mount and unmount host filesystems. docs/security.md "Without a
/// mount namespace".
enum HostMountNamespace {
    /// What state.json keeps of the bind: where it was attached and its mount id.
    struct Record: Equatable, Sendable {
        /// root.path as create resolved it (absolute).
        var path: String
        /// statx's mount id of the bind: STATX_MNT_ID_UNIQUE (never reused) where `unique`.
        var mountID: UInt64
        var unique: Bool
    }

    /// What the config asks for that cannot be done in the host's mount namespace: refused
    /// before anything is created.
    static func check(_ spec: Spec, namespaces: NamespacePlan) throws {
        guard !namespaces.isPrivate(.mount) else { return }
        if let propagation = spec.linux?.rootfsPropagation, !propagation.isEmpty {
            throw RuntimeError("linux.rootfsPropagation: \"\(propagation)\" needs a mount namespace (linux.namespaces has none): "
                               + "without one it would change the propagation of the host's mounts", errno: Errno.EINVAL)
        }
        if namespaces.isPrivate(.user) {
            throw RuntimeError("linux.namespaces: a user namespace without a mount namespace cannot mount anything "
                               + "(the host's mount namespace belongs to the host's user namespace); add a mount namespace",
                               errno: Errno.EINVAL)
        }
    }

    /// The detached bind and its record, between `prepare` and `attach`.
    struct Prepared: ~Copyable {
        let tree: FileDescriptor
        let record: Record
    }

    /// Step 1, first half: the detached, private bind of the rootfs and the record to save
    /// before `attach`.
    static func prepare(rootfs: String) throws -> Prepared {
        let context = "root.path (\(rootfs)): bind it in the host's mount namespace"
        let root = try withContext(context) { try Sys.open(rootfs, Linux.O_PATH | Linux.O_DIRECTORY) }
        let tree = try withContext(context) { try Sys.cloneMount(of: root.raw, recursive: true, display: rootfs) }
        try withContext(context) {
            try Sys.mountSetattr(tree.raw, set: 0, clear: 0, propagation: UInt64(Linux.MS_PRIVATE), recursive: true,
                                 display: rootfs)
        }
        let identity = try withContext(context) { try Sys.mountIdentity(tree.raw, display: rootfs) }
        return Prepared(tree: tree, record: Record(path: rootfs, mountID: identity.id, unique: identity.unique))
    }

    /// Step 1, second half: the bind goes onto root.path.
    static func attach(_ tree: borrowing FileDescriptor, rootfs: String) throws {
        try withContext("root.path (\(rootfs)): bind it in the host's mount namespace") {
            let root = try Sys.open(rootfs, Linux.O_PATH | Linux.O_DIRECTORY)
            try Sys.moveMount(tree.raw, onto: root.raw, display: rootfs)
        }
    }

    /// The child's descriptor of the bind (step 2), checked to be the recorded mount.
    static func openRoot(_ record: Record) throws -> FileDescriptor {
        let context = "root.path (\(record.path))"
        let root = try withContext(context) { try Sys.open(record.path, Linux.O_PATH | Linux.O_DIRECTORY) }
        let identity = try withContext(context) { try Sys.mountIdentity(root.raw, display: record.path) }
        guard identity.id == record.mountID, identity.isMountRoot else {
            throw RuntimeError("\(context): the mount there is not the bind create made (mount id \(identity.id), "
                               + "expected \(record.mountID))", errno: Errno.EXDEV)
        }
        return root
    }

    /// Step 2's root switch: chroot into the bind.
    static func enter(root: Int32, rootfs: String) throws {
        try withContext("chroot \(rootfs)") {
            try Sys.fchdir(root, path: rootfs)
            try Sys.chroot(".")
            try Sys.chdir("/")
        }
    }

    /// Step 3. Returns what it detached, for the log; a bind that is no longer there (gone
    /// with its mount id) is nothing to do.
    @discardableResult
    static func detach(_ record: Record) throws -> Int {
        var detached = 0
        // Each round detaches one mount: ours, or one stacked on it after it (a newer id).
        for _ in 0..<64 {
            guard let top = try openTop(record) else { return detached }
            let identity = try withContext("root.path (\(record.path))") { try Sys.mountIdentity(top.raw, display: record.path) }
            switch disposition(of: identity, record: record, parent: { try? Sys.mountParent(of: $0) }) {
            case .ours, .stackedOnOurs:
                try withContext("root.path (\(record.path)): detach the container's mounts") {
                    try Sys.umount(fd: top.raw, display: record.path)
                }
                detached += 1
                if identity.id == record.mountID { return detached }
            case .notOurs:
                return detached
            }
        }
        throw RuntimeError("root.path (\(record.path)): more than 64 mounts stacked on the container's root", errno: Errno.ELOOP)
    }

    /// The topmost mount at root.path, nil when the path is gone.
    private static func openTop(_ record: Record) throws -> FileDescriptor? {
        do {
            return try Sys.open(record.path, Linux.O_PATH | Linux.O_DIRECTORY | Linux.O_NOFOLLOW)
        } catch {
            if error.errno == Errno.ENOENT { return nil }
            throw RuntimeError("root.path (\(record.path)): detach the container's mounts", error)
        }
    }

    enum Disposition: Equatable { case ours, stackedOnOurs, notOurs }

    /// What the topmost mount at root.path is to the record: the bind itself, one stacked on
    /// it (its chain of parent mounts, from statmount(2), reaches the bind), or something else
    /// (ours is gone: never touched). Without unique mount ids (before Linux 6.8) nothing but
    /// the exact id is touched.
    static func disposition(of top: Sys.MountIdentity, record: Record, parent: (UInt64) -> UInt64?) -> Disposition {
        guard top.isMountRoot else { return .notOurs }
        if top.id == record.mountID && top.unique == record.unique { return .ours }
        guard top.unique && record.unique && top.id > record.mountID else { return .notOurs }
        var current = top.id
        for _ in 0..<64 {
            guard let up = parent(current), up != current else { return .notOurs }
            if up == record.mountID { return .stackedOnOurs }
            current = up
        }
        return .notOurs
    }
}
