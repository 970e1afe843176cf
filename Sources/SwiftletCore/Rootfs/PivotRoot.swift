/// Making the rootfs the container's `/`. runtime-spec config.md "Root" and runc's
/// `--no-pivot`.
enum RootSwitch {
    /// pivot_root(".", ".") leaves the old root mounted on top of the new one; detaching it then
    /// leaves only the rootfs. Its propagation is made slave first so the detach does not
    /// propagate to the host's mounts. Afterwards nothing of the host's tree is reachable.
    /// The cwd moves to the old root first (as runc does): mount(2) does not step up to the
    /// topmost mount of its target as umount(2) does, so "." in the new root would make the
    /// container's own tree a slave, cutting a shared bind (rootfsPropagation rshared) off
    /// from the host's peer group.
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
