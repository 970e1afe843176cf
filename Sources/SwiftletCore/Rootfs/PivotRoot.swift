/// Making the rootfs the container's `/`. runtime-spec config.md "Root" and runc's
/// `--no-pivot`.
enum RootSwitch {
    /// pivot_root(".", ".") leaves the old root mounted on top of the new one; detaching it then
    /// leaves only the rootfs. Its propagation is made slave first so the detach does not
    /// propagate to the host's mounts. Afterwards nothing of the host's tree is reachable.
    ///
    /// The old root is reached through a descriptor of it opened before the pivot, as runc
    /// does: mount(2) given "." while the cwd is still the new root acts on the new root, not
    /// on the old one stacked on it, and making the new root's tree slave would undo
    /// `linux.rootfsPropagation` "shared"/"rshared" (a Bidirectional volume would stop
    /// propagating to the host). umount2 goes down to the top of the stack either way.
    static func pivot(rootfs: String, rootFD: Int32) throws {
        try withContext("pivot_root \(rootfs)") {
            let oldRoot = try Sys.open("/", Linux.O_PATH | Linux.O_DIRECTORY)
            try Sys.fchdir(rootFD, path: rootfs)
            try Sys.pivotRoot(".", ".")
            try Sys.fchdir(oldRoot.raw, path: "old root")
            try Sys.mount(source: nil, target: ".", type: nil, flags: Linux.MS_SLAVE | Linux.MS_REC, data: nil,
                          display: "old root")
            try Sys.umount(".", detach: true)
            try Sys.chdir("/")
        }
    }

    /// --no-pivot: move the rootfs over / and chroot into it (for ramfs roots, where
    /// pivot_root is impossible). Weaker: the old root stays reachable to a process that can
    /// escape a chroot, which is why pivot_root is the default.
    static func moveAndChroot(rootfs: String) throws {
        try withContext("chroot \(rootfs)") {
            try Sys.chdir(rootfs)
            try Sys.mount(source: rootfs, target: "/", type: nil, flags: Linux.MS_MOVE, data: nil)
            try Sys.chroot(".")
            try Sys.chdir("/")
        }
    }
}
