/// Making the rootfs the container's `/`. runtime-spec config.md "Root" and runc's
/// `--no-pivot`.
enum RootSwitch {
    /// pivot_root(".", ".") leaves the old root mounted on top of the new one; detaching it then
    /// leaves only the rootfs. Its propagation is made slave first so the detach does not
    /// propagate to the host's mounts. Afterwards nothing of the host's tree is reachable.
    static func pivot(rootfs: String, rootFD: Int32) throws {
        try withContext("pivot_root \(rootfs)") {
            try Sys.fchdir(rootFD, path: rootfs)
            try Sys.pivotRoot(".", ".")
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

/// maskedPaths and readonlyPaths, applied after pivot_root so paths resolve inside the
/// container. runtime-spec config-linux.md "Masked Paths" and "Readonly Paths".
enum PathProtection {
    /// A masked file gets /dev/null bound over it; a masked directory a read-only empty tmpfs.
    /// Paths that do not exist are skipped.
    static func mask(_ paths: [String]) throws {
        for (i, path) in paths.enumerated() {
            guard let info = try existing(path) else { continue }
            try withContext("linux.maskedPaths[\(i)] (\(path))") {
                if info.kind == .directory {
                    try Sys.mount(source: "tmpfs", target: path, type: "tmpfs", flags: Linux.MS_RDONLY, data: "size=0k")
                } else {
                    try Sys.mount(source: "/dev/null", target: path, type: nil, flags: Linux.MS_BIND, data: nil)
                }
            }
        }
    }

    /// Bind each path on itself and make the bind read-only, recursively.
    static func makeReadonly(_ paths: [String]) throws {
        for (i, path) in paths.enumerated() {
            let context = "linux.readonlyPaths[\(i)] (\(path))"
            guard try existing(path) != nil else { continue }
            try withContext(context) {
                try Sys.mount(source: path, target: path, type: nil, flags: Linux.MS_BIND | Linux.MS_REC, data: nil)
            }
            try withContext(context) {
                let fd = try Sys.open(path, Linux.O_PATH)
                try Sys.mountSetattr(fd.raw, set: Linux.MOUNT_ATTR_RDONLY, clear: 0, recursive: true, display: path)
            }
        }
    }

    /// stat(2) of a path that may legitimately be missing (nil then).
    static func existing(_ path: String) throws -> Sys.FileInfo? {
        do {
            return try Sys.stat(path)
        } catch {
            if error.errno == Linux.ENOENT || error.errno == Linux.ENOTDIR { return nil }
            throw RuntimeError("stat", error)
        }
    }

    /// root.readonly: the container's / becomes read-only (its submounts keep their flags).
    static func makeRootReadonly() throws {
        try withContext("root.readonly") {
            let fd = try Sys.open("/", Linux.O_PATH | Linux.O_DIRECTORY)
            try Sys.mountSetattr(fd.raw, set: Linux.MOUNT_ATTR_RDONLY, clear: 0, recursive: false, display: "/")
        }
    }

    /// linux.sysctl: written under /proc/sys once the container's /proc is mounted.
    /// runtime-spec config-linux.md "Sysctl".
    static func applySysctls(_ sysctls: [String: String]) throws {
        for key in sysctls.keys.sorted() {
            let path = "/proc/sys/" + key.replacing(".", with: "/")
            try withContext("linux.sysctl[\"\(key)\"]") { try Sys.writeText(path, sysctls[key] ?? "") }
        }
    }
}
