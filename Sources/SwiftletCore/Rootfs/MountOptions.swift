import OCI

/// A mount's `options` (runtime-spec config.md "Mounts", fstab(5)-style) split into what each
/// system call needs: mount(2) flags to set and clear, propagation changes, mount_setattr(2)
/// attributes applied recursively (`rro`, `rnosuid`, ...) and the filesystem data string.
public struct MountOptions: Equatable, Sendable {
    public var flags: UInt = 0
    public var clearedFlags: UInt = 0
    public var propagation: [UInt] = []
    public var recursiveSet: UInt64 = 0
    public var recursiveClear: UInt64 = 0
    public var data: [String] = []
    /// `tmpcopyup` (runc's extension): a tmpfs starts with a copy of the directory it covers.
    public var copyUp = false
    /// `idmap` / `ridmap` (config.md "Mounts"): the bind is id-mapped, `ridmap` recursively.
    /// Never passed to mount(2); Rootfs/IdmappedMounts.swift does it with mount_setattr(2).
    public var idmap: IDMap? = nil

    public enum IDMap: Equatable, Sendable { case top, recursive }

    public var isBind: Bool { flags & Linux.MS_BIND != 0 }
    public var isRecursiveBind: Bool { isBind && flags & Linux.MS_REC != 0 }
    /// Flags that need a remount after a bind mount (bind ignores them on the first call).
    public var remountFlags: UInt {
        flags & (Linux.MS_RDONLY | Linux.MS_NOSUID | Linux.MS_NODEV | Linux.MS_NOEXEC | Linux.MS_NOATIME
            | Linux.MS_NODIRATIME | Linux.MS_RELATIME | Linux.MS_STRICTATIME | Linux.MS_NOSYMFOLLOW)
    }

    static let setFlags: [String: UInt] = [
        "bind": Linux.MS_BIND, "rbind": Linux.MS_BIND | Linux.MS_REC, "defaults": 0,
        "dirsync": Linux.MS_DIRSYNC, "iversion": Linux.MS_I_VERSION, "lazytime": Linux.MS_LAZYTIME,
        "mand": Linux.MS_MANDLOCK, "noatime": Linux.MS_NOATIME, "nodev": Linux.MS_NODEV,
        "nodiratime": Linux.MS_NODIRATIME, "noexec": Linux.MS_NOEXEC, "nosuid": Linux.MS_NOSUID,
        "nosymfollow": Linux.MS_NOSYMFOLLOW, "relatime": Linux.MS_RELATIME, "remount": Linux.MS_REMOUNT,
        "ro": Linux.MS_RDONLY, "silent": Linux.MS_SILENT, "strictatime": Linux.MS_STRICTATIME,
        "sync": Linux.MS_SYNCHRONOUS,
    ]
    static let clearFlags: [String: UInt] = [
        "async": Linux.MS_SYNCHRONOUS, "atime": Linux.MS_NOATIME, "dev": Linux.MS_NODEV,
        "diratime": Linux.MS_NODIRATIME, "exec": Linux.MS_NOEXEC, "loud": Linux.MS_SILENT,
        "nomand": Linux.MS_MANDLOCK, "noiversion": Linux.MS_I_VERSION, "nolazytime": Linux.MS_LAZYTIME,
        "norelatime": Linux.MS_RELATIME, "nostrictatime": Linux.MS_STRICTATIME, "rw": Linux.MS_RDONLY,
        "suid": Linux.MS_NOSUID, "symfollow": Linux.MS_NOSYMFOLLOW,
    ]
    static let propagationFlags: [String: UInt] = [
        "private": Linux.MS_PRIVATE, "rprivate": Linux.MS_PRIVATE | Linux.MS_REC,
        "shared": Linux.MS_SHARED, "rshared": Linux.MS_SHARED | Linux.MS_REC,
        "slave": Linux.MS_SLAVE, "rslave": Linux.MS_SLAVE | Linux.MS_REC,
        "unbindable": Linux.MS_UNBINDABLE, "runbindable": Linux.MS_UNBINDABLE | Linux.MS_REC,
    ]
    /// Recursive mount attributes (mount_setattr(2) with AT_RECURSIVE): name -> (set, clear).
    static let recursiveAttributes: [String: (UInt64, UInt64)] = [
        "rro": (Linux.MOUNT_ATTR_RDONLY, 0), "rrw": (0, Linux.MOUNT_ATTR_RDONLY),
        "rnosuid": (Linux.MOUNT_ATTR_NOSUID, 0), "rsuid": (0, Linux.MOUNT_ATTR_NOSUID),
        "rnodev": (Linux.MOUNT_ATTR_NODEV, 0), "rdev": (0, Linux.MOUNT_ATTR_NODEV),
        "rnoexec": (Linux.MOUNT_ATTR_NOEXEC, 0), "rexec": (0, Linux.MOUNT_ATTR_NOEXEC),
        "rnodiratime": (Linux.MOUNT_ATTR_NODIRATIME, 0), "rdiratime": (0, Linux.MOUNT_ATTR_NODIRATIME),
        "rrelatime": (Linux.MOUNT_ATTR_RELATIME, Linux.MOUNT_ATTR__ATIME),
        "rnorelatime": (0, Linux.MOUNT_ATTR__ATIME),
        "rnoatime": (Linux.MOUNT_ATTR_NOATIME, Linux.MOUNT_ATTR__ATIME),
        "ratime": (0, Linux.MOUNT_ATTR__ATIME),
        "rstrictatime": (Linux.MOUNT_ATTR_STRICTATIME, Linux.MOUNT_ATTR__ATIME),
        "rnostrictatime": (0, Linux.MOUNT_ATTR__ATIME),
        "rnosymfollow": (Linux.MOUNT_ATTR_NOSYMFOLLOW, 0), "rsymfollow": (0, Linux.MOUNT_ATTR_NOSYMFOLLOW),
    ]
    /// Options other runtimes define that swiftlet does not implement: refused, not ignored.
    static let unsupported: Set<String> = ["copy-symlink", "src-nofollow", "dest-nofollow"]
    /// The id-mapping options.
    static let idmapOptions: [String: IDMap] = ["idmap": .top, "ridmap": .recursive]

    /// Parses the options of `mounts[index]`; `field` is the JSON path used in errors.
    public init(_ options: [String], field: String) throws(SpecError) {
        for (i, option) in options.enumerated() {
            if let f = Self.setFlags[option] {
                flags |= f
                clearedFlags &= ~f
            } else if let f = Self.clearFlags[option] {
                flags &= ~f
                clearedFlags |= f
            } else if let p = Self.propagationFlags[option] {
                propagation.append(p)
            } else if let (set, clear) = Self.recursiveAttributes[option] {
                recursiveSet = (recursiveSet & ~clear) | set
                recursiveClear = (recursiveClear & ~set) | clear
            } else if option == "tmpcopyup" {
                copyUp = true
            } else if let mapping = Self.idmapOptions[option] {
                idmap = idmap == .recursive ? .recursive : mapping
            } else if Self.unsupported.contains(option) {
                throw SpecError(path: "\(field)[\(i)]", message: "mount option \"\(option)\" is not supported by swiftlet")
            } else {
                data.append(option)
            }
        }
    }
}
