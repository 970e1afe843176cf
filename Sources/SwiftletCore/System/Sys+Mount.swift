import CSwiftlet
import Glibc

extension Sys {
    /// mount(2). `display` names the target as the user wrote it (the real target is often a
    /// /proc/self/fd path).
    public static func mount(source: String?, target: String, type: String?, flags: UInt, data: String?,
                             display: String? = nil) throws(SystemError) {
        _ = try check("mount", display ?? target) { Glibc.mount(source, target, type, flags, data) }
    }

    public static func umount(_ target: String, detach: Bool = true) throws(SystemError) {
        _ = try check("umount", target) { Glibc.umount2(target, detach ? Int32(MNT_DETACH) : 0) }
    }

    public static func pivotRoot(_ newRoot: String, _ putOld: String) throws(SystemError) {
        _ = try check("pivot_root", newRoot) { swl_pivot_root(newRoot, putOld) }
    }

    /// mount_setattr(2) on the mount at `fd` (AT_EMPTY_PATH), recursively when asked. With
    /// MOUNT_ATTR_IDMAP in `set`, `userNamespace` is the user namespace whose mappings the mount gets.
    public static func mountSetattr(_ fd: Int32, set: UInt64, clear: UInt64, propagation: UInt64 = 0, recursive: Bool,
                                    userNamespace: Int32 = -1, display: String) throws(SystemError) {
        let flags = Linux.AT_EMPTY_PATH | (recursive ? Linux.AT_RECURSIVE : 0)
        _ = try check("mount_setattr", display) { swl_mount_setattr(fd, "", flags, set, clear, propagation, userNamespace) }
    }

    /// The mount an object belongs to, from statx(2) of its descriptor.
    public struct MountIdentity: Equatable, Sendable {
        /// STATX_MNT_ID_UNIQUE where the kernel has it (Linux 6.8: never reused), else STATX_MNT_ID.
        public let id: UInt64
        public let unique: Bool
        /// The object is the root of that mount (STATX_ATTR_MOUNT_ROOT).
        public let isMountRoot: Bool
    }

    public static func mountIdentity(_ fd: Int32, display: String) throws(SystemError) -> MountIdentity {
        var id: UInt64 = 0
        var unique: Int32 = 0
        var root: Int32 = 0
        _ = try check("statx", display) { swl_statx_mount(fd, &id, &unique, &root) }
        return MountIdentity(id: id, unique: unique != 0, isMountRoot: root != 0)
    }

    /// statmount(2): the unique id of the mount that the mount with unique id `id` sits on.
    public static func mountParent(of id: UInt64) throws(SystemError) -> UInt64 {
        var parent: UInt64 = 0
        _ = try check("statmount", "mount \(id)") { swl_statmount_parent(id, &parent) }
        return parent
    }

    /// umount2(2) of the mount whose root `fd` is, through its /proc/self/fd link (the
    /// host's procfs: only the runtime calls this, in its own mount namespace), detached.
    public static func umount(fd: Int32, display: String) throws(SystemError) {
        _ = try check("umount", display) { Glibc.umount2("/proc/self/fd/\(fd)", Int32(MNT_DETACH)) }
    }
}

extension Sys {
    /// open_tree(2) with OPEN_TREE_CLONE on the object `fd` names (AT_EMPTY_PATH): a detached
    /// bind mount of it, recursive when asked, that belongs to no namespace until moved. The
    /// source must be a mount of the caller's mount namespace (or the kernel says EINVAL).
    public static func cloneMount(of fd: Int32, recursive: Bool, display: String) throws(SystemError) -> FileDescriptor {
        let flags = Linux.OPEN_TREE_CLONE | Linux.OPEN_TREE_CLOEXEC | Linux.AT_EMPTY_PATH | (recursive ? Linux.AT_RECURSIVE : 0)
        return FileDescriptor(try check("open_tree", display) { swl_open_tree(fd, "", flags) })
    }

    /// move_mount(2) of the detached (or attached) mount `from` onto the object `onto` names:
    /// both given as descriptors, so no path is looked up at all.
    public static func moveMount(_ from: Int32, onto: Int32, display: String) throws(SystemError) {
        let flags = Linux.MOVE_MOUNT_F_EMPTY_PATH | Linux.MOVE_MOUNT_T_EMPTY_PATH
        _ = try check("move_mount", display) { swl_move_mount(from, "", onto, "", flags) }
    }

    /// A new, detached instance of filesystem `type` (fsopen, fsconfig with `options`, where a
    /// nil value sets a flag, FSCONFIG_CMD_CREATE, fsmount with `attributes`): the mount's root
    /// directory, which nothing else can see or cover until it is moved somewhere.
    public static func newMount(type: String, options: [(String, String?)] = [], attributes: UInt64,
                                display: String) throws(SystemError) -> FileDescriptor {
        let context = FileDescriptor(try check("fsopen", type) { swl_fsopen(type, Linux.FSOPEN_CLOEXEC) })
        for (key, value) in options {
            _ = try check("fsconfig", "\(type) \(key)") { swl_fsconfig(context.raw, key, value) }
        }
        _ = try check("fsconfig", "\(type) create") { swl_fsconfig(context.raw, nil, nil) }
        return FileDescriptor(try check("fsmount", display) {
            swl_fsmount(context.raw, Linux.FSMOUNT_CLOEXEC, UInt32(truncatingIfNeeded: attributes))
        })
    }

    /// The MS_* flags of the mount at `path` that a user namespace cannot drop (statvfs(3)).
    public static func mountFlags(_ path: String) throws(SystemError) -> UInt {
        let f = UInt(try check("statvfs", path) { swl_statvfs_flags(path) })
        var flags: UInt = 0
        // ST_* values equal the MS_* ones for these bits.
        for bit in [Linux.MS_RDONLY, Linux.MS_NOSUID, Linux.MS_NODEV, Linux.MS_NOEXEC, Linux.MS_NOATIME,
                    Linux.MS_NODIRATIME, Linux.MS_RELATIME] where f & bit != 0 {
            flags |= bit
        }
        return flags & ~Linux.MS_RDONLY
    }
}
