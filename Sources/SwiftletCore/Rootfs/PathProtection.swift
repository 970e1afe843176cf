/// maskedPaths, readonlyPaths, root.readonly and linux.sysctl: the protections applied after
/// pivot_root, when every path names the container's tree. runtime-spec config-linux.md
/// "Masked Paths", "Readonly Paths", "Sysctl" and config.md "Root".
///
/// The container's tree is not trusted here (its /dev, its /proc, any bind the config asked
/// for): each target is resolved inside the root with openat2 into a descriptor, checked with
/// fstat, and mounted onto through that descriptor with move_mount, so nothing can swap the
/// target between the check and the mount. What is mounted there never comes from the container
/// either: the null device is the runtime's own verified descriptor (`NullDevice`), a masked
/// directory gets a fresh detached tmpfs, a read-only path a detached clone of itself.
/// Sysctls go through the runtime's private procfs (`Procfs`).
enum PathProtection {
    /// maskedPaths: a masked file or device gets a read-only bind of the null device over it, a
    /// masked directory a read-only empty tmpfs. Paths that do not exist are skipped (as runc).
    /// `null` is a detached bind of the verified null device (`NullDevice.detachedBind`); the
    /// first masked file receives it, and the others get clones of that now attached mount.
    static func mask(_ paths: [String], root: Int32, null: consuming FileDescriptor?) throws {
        // The detached bind until the first masked file takes it; then the attached bind that
        // later clones come from, never from a path in the container.
        let bind = null?.take() ?? -1
        defer { if bind >= 0 { Sys.closeRaw(bind) } }
        var attached = false
        for (i, path) in paths.enumerated() {
            let context = "linux.maskedPaths[\(i)] (\(path))"
            guard let target = try existing(root, path, context: context) else { continue }
            let info = try withContext(context) { try Sys.fstat(target.raw, path: path) }
            if info.kind == .directory {
                let empty = try withContext(context) {
                    try Sys.newMount(type: "tmpfs", options: [("size", "0k"), ("nr_inodes", "1")], attributes: readonly,
                                     display: path)
                }
                try withContext(context) { try Sys.moveMount(empty.raw, onto: target.raw, display: path) }
                continue
            }
            guard bind >= 0 else { throw RuntimeError("\(context): no null device to mask with") }
            if attached {
                let clone = try withContext(context) { try Sys.cloneMount(of: bind, recursive: false, display: "/dev/null") }
                try withContext(context) { try Sys.moveMount(clone.raw, onto: target.raw, display: path) }
            } else {
                try withContext(context) { try Sys.moveMount(bind, onto: target.raw, display: path) }
                attached = true
            }
        }
    }

    static let readonly = Linux.MOUNT_ATTR_RDONLY | Linux.MOUNT_ATTR_NOSUID | Linux.MOUNT_ATTR_NOEXEC

    /// readonlyPaths: a detached recursive clone of the path, made read-only, mounted back over
    /// the very object that was resolved.
    static func makeReadonly(_ paths: [String], root: Int32) throws {
        for (i, path) in paths.enumerated() {
            let context = "linux.readonlyPaths[\(i)] (\(path))"
            guard let target = try existing(root, path, context: context) else { continue }
            try withContext(context) {
                let clone = try Sys.cloneMount(of: target.raw, recursive: true, display: path)
                try Sys.mountSetattr(clone.raw, set: Linux.MOUNT_ATTR_RDONLY, clear: 0, recursive: true, display: path)
                try Sys.moveMount(clone.raw, onto: target.raw, display: path)
            }
        }
    }

    /// An O_PATH descriptor of `path` resolved inside `root`, or nil when it does not exist.
    static func existing(_ root: Int32, _ path: String, context: String) throws -> FileDescriptor? {
        do {
            return try InRoot.open(root, path)
        } catch {
            if error.errno == Errno.ENOENT || error.errno == Errno.ENOTDIR { return nil }
            throw RuntimeError(context, error)
        }
    }

    /// root.readonly: the container's / becomes read-only (its submounts keep their flags).
    static func makeRootReadonly(root: Int32) throws {
        try withContext("root.readonly") {
            try Sys.mountSetattr(root, set: Linux.MOUNT_ATTR_RDONLY, clear: 0, recursive: false, display: "/")
        }
    }

    /// linux.sysctl, written through the runtime's private procfs: the file is the kernel's
    /// for the container's namespaces whatever the container's /proc holds.
    static func applySysctls(_ sysctls: [String: String], procfs: borrowing Procfs) throws {
        for key in sysctls.keys.sorted() {
            try withContext("linux.sysctl[\"\(key)\"]") { try procfs.write(Procfs.sysctlPath(key), sysctls[key] ?? "") }
        }
    }
}

/// The null device every masked file is bound to, opened by the runtime itself before any of the
/// container's mounts exist and verified to be the character device 1:3: never the container's
/// `/dev/null`, which a bundle or a racing container can make a symlink to a procfs file
/// (CVE-2025-31133: the "masked" file then became a writable bind of a host sysctl).
enum NullDevice {
    /// `/dev/null` of the mount namespace the child starts in (the host's copy), verified.
    static func open() throws -> FileDescriptor {
        try withContext("open the null device") {
            let fd = try Sys.open("/dev/null", Linux.O_RDWR | Linux.O_NOFOLLOW | Linux.O_NOCTTY)
            try verify(fd.raw)
            return fd
        }
    }

    static func verify(_ fd: Int32) throws {
        let info = try Sys.fstat(fd, path: "/dev/null")
        guard info.kind == .charDevice, info.rdevMajor == 1, info.rdevMinor == 3 else {
            throw RuntimeError("/dev/null is not the null device (char 1:3): refusing to mask with it", errno: Errno.EXDEV)
        }
    }

    /// A detached, read-only bind of the verified device (made while its mount is still in the
    /// caller's mount namespace: before pivot_root detaches the old root).
    static func detachedBind(of fd: Int32) throws -> FileDescriptor {
        try withContext("bind the null device") {
            let bind = try Sys.cloneMount(of: fd, recursive: false, display: "/dev/null")
            try Sys.mountSetattr(bind.raw, set: PathProtection.readonly, clear: 0, recursive: false, display: "/dev/null")
            return bind
        }
    }
}
