/// config-linux.md "Rootfs Mount Propagation": what the container's `/` shares with the host.
///
/// In the order runc's prepareRoot and pivotRoot use, plus the last step runc 1.1 lacks:
///  1. `prepare`: `/` of the new mount namespace gets the requested propagation (default
///     `rslave`) before anything is mounted, so the container's copies of the host's mounts
///     stay peers of them (`rshared`: a mount on either side appears on the other), become
///     their slaves (host to container only) or are cut off. `unbindable` and `runbindable`
///     get `rslave` here (runc applies them as they are, and then neither the rootfs nor any
///     host file can be bound: "invalid argument"); they are for the container's root, step 3.
///  2. `prepare`: the mount holding the rootfs is made private, unless step 1 already made it a
///     slave or private (`rslave`, `rprivate`). pivot_root(2) refuses (EINVAL) a new root whose
///     parent mount is shared, which is what `shared` and `rshared` used to end in; the bind of
///     the rootfs onto itself would also propagate into the host's namespace through a shared
///     parent, and a bind of an unbindable mount is refused. This is the mount namespace of
///     the container only: the host's mounts keep their propagation.
///  3. `finish`, once the rest of the rootfs is set up (an unbindable root refuses the clones
///     that read-only paths are made of): the new `/` (the bind of the rootfs) gets the requested
///     propagation, so the container's root itself is shared, a slave, private or unbindable
///     as asked, and under `rshared` every mount below it is shared too.
enum RootPropagation {
    /// The mount(2) flags of a `linux.rootfsPropagation` value (nil: runc's default, rslave).
    static func flags(_ value: String?) throws -> UInt {
        switch value ?? "" {
        case "": return Linux.MS_SLAVE | Linux.MS_REC
        case "shared": return Linux.MS_SHARED
        case "rshared": return Linux.MS_SHARED | Linux.MS_REC
        case "slave": return Linux.MS_SLAVE
        case "rslave": return Linux.MS_SLAVE | Linux.MS_REC
        case "private": return Linux.MS_PRIVATE
        case "rprivate": return Linux.MS_PRIVATE | Linux.MS_REC
        case "unbindable": return Linux.MS_UNBINDABLE
        case "runbindable": return Linux.MS_UNBINDABLE | Linux.MS_REC
        case let other: throw RuntimeError("linux.rootfsPropagation: unknown propagation \"\(other)\"")
        }
    }

    /// What step 1 applies to the namespace's `/`: the requested flags, except that an
    /// unbindable request is rslave there.
    static func namespaceFlags(_ flags: UInt) -> UInt {
        flags & Linux.MS_UNBINDABLE != 0 ? Linux.MS_SLAVE | Linux.MS_REC : flags
    }

    /// Whether step 2 is needed (and step 3, for the requested flags): after `rslave` or `rprivate` on `/` no mount below it is
    /// shared or unbindable any more.
    static func needsPrivateParent(_ flags: UInt) -> Bool {
        flags != Linux.MS_SLAVE | Linux.MS_REC && flags != Linux.MS_PRIVATE | Linux.MS_REC
    }

    /// Steps 1 and 2, in the container's new mount namespace, before the rootfs is bound.
    /// `rootfs` is the bundle's root.path: a host path, before any container mount exists.
    static func prepare(_ value: String?, rootfs: String) throws {
        let field = "linux.rootfsPropagation"
        let flags = namespaceFlags(try flags(value))
        try withContext("\(field): make / \(flags == Linux.MS_SLAVE | Linux.MS_REC ? "rslave" : value ?? "rslave")") {
            try Sys.mount(source: nil, target: "/", type: nil, flags: flags, data: nil)
        }
        guard needsPrivateParent(flags) else { return }
        let holder = try withContext("\(field): the mount holding root.path (\(rootfs))") {
            try containingMountRoot(of: rootfs)
        }
        try withContext("\(field): make the mount holding root.path (\(rootfs)) private") {
            try Sys.mountSetattr(holder.raw, set: 0, clear: 0, propagation: UInt64(Linux.MS_PRIVATE), recursive: false,
                                 display: rootfs)
        }
    }

    /// Step 3, once `/` is the rootfs. Nothing to do for the default (`rslave` was applied to
    /// everything below `/` in step 1, the rootfs bind included).
    static func finish(_ value: String?) throws {
        guard let value, !value.isEmpty else { return }
        let flags = try flags(value)
        guard needsPrivateParent(flags) else { return }
        try withContext("linux.rootfsPropagation: make the container's / \(value)") {
            try Sys.mount(source: nil, target: "/", type: nil, flags: flags, data: nil)
        }
    }

    /// The root of the mount `path` lies in: `path` itself when it is a mount point, else
    /// its nearest ancestor that is one (statx's STATX_ATTR_MOUNT_ROOT), found by walking
    /// `..` from a descriptor, never by parsing a path or the mount table.
    static func containingMountRoot(of path: String) throws(SystemError) -> FileDescriptor {
        var current = try Sys.open(path, Linux.O_PATH | Linux.O_DIRECTORY)
        // A path has at most PATH_MAX / 2 components; the namespace's root is a mount root.
        for _ in 0..<2048 {
            if try Sys.mountIdentity(current.raw, display: path).isMountRoot { return current }
            current = try Sys.openat(current.raw, "..", Linux.O_PATH | Linux.O_DIRECTORY, display: path + "/..")
        }
        throw SystemError(errno: Errno.ELOOP, operation: "find the mount holding", path: path)
    }
}
