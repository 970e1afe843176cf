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

    /// mount_setattr(2) on the mount at `fd` (AT_EMPTY_PATH), recursively when asked.
    public static func mountSetattr(_ fd: Int32, set: UInt64, clear: UInt64, propagation: UInt64 = 0, recursive: Bool,
                                    display: String) throws(SystemError) {
        let flags = Linux.AT_EMPTY_PATH | (recursive ? Linux.AT_RECURSIVE : 0)
        _ = try check("mount_setattr", display) { swl_mount_setattr(fd, "", flags, set, clear, propagation) }
    }
}

extension Sys {
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
