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
    ///
    /// The host's mounts stay in the container's mount namespace, under the moved rootfs. The
    /// kernel lets a process that unshares a user and mount namespace mount a new procfs or
    /// sysfs when an instance of it is fully visible in its namespace ("mount_too_revealing"),
    /// and the host's /proc and /sys are: first they are detached here (or, where the kernel
    /// refuses, covered with an empty tmpfs), as runc does. These are mount points of the host's
    /// tree outside the rootfs, named by the kernel's mountinfo (read through the runtime's
    /// procfs); nothing under the rootfs, which the container controls, is touched by path.
    static func moveAndChroot(rootfs: String, procfs: borrowing Procfs) throws {
        let mountInfo = try withContext("--no-pivot: read mountinfo") {
            let fd = try procfs.open("thread-self/mountinfo", Linux.O_RDONLY)
            return String(decoding: try Sys.readAll(fd, path: "/proc/thread-self/mountinfo"), as: UTF8.self)
        }
        for mountPoint in hostPseudoFilesystems(CgroupProcFiles.parseMountInfo(mountInfo), rootfs: rootfs) {
            try hide(mountPoint)
        }
        try withContext("chroot \(rootfs)") {
            try Sys.chdir(rootfs)
            try Sys.mount(source: rootfs, target: "/", type: nil, flags: Linux.MS_MOVE, data: nil)
            try Sys.chroot(".")
            try Sys.chdir("/")
        }
    }

    /// The mount points of full procfs and sysfs instances (their root mounted) outside
    /// `rootfs`, deepest first.
    static func hostPseudoFilesystems(_ mounts: [MountInfoEntry], rootfs: String) -> [String] {
        let root = rootfs.hasSuffix("/") ? String(rootfs.dropLast()) : rootfs
        return mounts.filter { entry in
            (entry.fsType == "proc" || entry.fsType == "sysfs") && entry.root == "/"
                && entry.mountPoint != root && !entry.mountPoint.hasPrefix(root + "/")
        }
        .map(\.mountPoint)
        .sorted { $0.count > $1.count }
    }

    /// Detaches one host mount (slave first, so the detach never propagates to the host); where
    /// the kernel refuses (EINVAL, EPERM: a locked mount in a user namespace) an empty
    /// read-only tmpfs covers it. A mount point already gone with its parent is skipped.
    static func hide(_ mountPoint: String) throws {
        let context = "--no-pivot: hide the host's \(mountPoint)"
        do {
            try Sys.mount(source: nil, target: mountPoint, type: nil, flags: Linux.MS_SLAVE | Linux.MS_REC, data: nil)
        } catch where error.errno == Errno.ENOENT {
            return
        } catch {
            throw RuntimeError(context, error)
        }
        do {
            try Sys.umount(mountPoint, detach: true)
        } catch where error.errno == Errno.EINVAL || error.errno == Errno.EPERM {
            try withContext(context) {
                try Sys.mount(source: "tmpfs", target: mountPoint, type: "tmpfs", flags: Linux.MS_RDONLY, data: nil)
            }
        } catch {
            throw RuntimeError(context, error)
        }
    }
}
