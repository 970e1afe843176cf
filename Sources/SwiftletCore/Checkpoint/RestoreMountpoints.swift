import OCI

/// The mount points restore needs in the rootfs before CRIU runs. CRIU mounts every dumped
/// mount onto its mount point in the new rootfs and fails where one is missing ("Can't stat
/// mountpoint .../etc/hosts"). The original create made them (a bind of a file onto a file it
/// created), but a rootfs restored elsewhere need not have them: podman's `restore --import`
/// rebuilds the rootfs from the image and the exported diff, which leaves the mount points
/// out. So, as runc does before a restore, each destination of config.json's `mounts` that is
/// missing is created: a directory, or an empty file for a bind of a file. Destinations below
/// another mount that is not a bind (a tmpfs at /dev, /proc, /sys) are left alone: CRIU
/// restores those filesystems with their content. runtime-spec config.md "Mounts"
/// ("destination ... relative to the container's root"); runc-restore(8).
enum RestoreMountpoints {
    /// The mounts whose destinations restore makes sure of: not below a non-bind mount.
    static func needed(_ mounts: [Mount]) -> [(index: Int, mount: Mount)] {
        let filesystems = mounts.filter { !isBind($0) }.map { normalized($0.destination) }
        return mounts.enumerated().compactMap { index, mount in
            let destination = normalized(mount.destination)
            let below = filesystems.contains { $0 != destination && (destination.hasPrefix($0 + "/") || $0 == "/") }
            return below ? nil : (index, mount)
        }
    }

    static func isBind(_ mount: Mount) -> Bool {
        let options = mount.options ?? []
        return mount.type == "bind" || options.contains("bind") || options.contains("rbind")
    }

    static func normalized(_ path: String) -> String {
        "/" + InRoot.components(path).joined(separator: "/")
    }

    /// Creates the missing destinations inside `rootfs`, resolved with RESOLVE_IN_ROOT (a
    /// symlink in the rootfs cannot send a creation outside it). No container runs yet.
    static func create(rootfs: String, mounts: [Mount], bundle: String) throws {
        let root = try withContext("root.path: \(rootfs)") {
            try Sys.open(rootfs, Linux.O_PATH | Linux.O_DIRECTORY | Linux.O_CLOEXEC)
        }
        // Made as create's child makes them (ChildSetup.becomeContainer): umask 022, whatever
        // the caller's.
        try Sys.withUmask(0o022) {
            for (index, mount) in needed(mounts) {
                let field = "mounts[\(index)].destination (\(mount.destination))"
                do throws(SystemError) {
                    _ = try InRoot.open(root.raw, mount.destination)
                    continue
                } catch where error.errno == Errno.ENOENT {
                    // missing: made below
                } catch {
                    throw RuntimeError("restore: \(field)", error)
                }
                var isFile = false
                if isBind(mount), let source = mount.source {
                    let path = source.hasPrefix("/") ? source : bundle + "/" + source
                    isFile = try withContext("mounts[\(index)].source (\(source))") { try Sys.stat(path).kind != .directory }
                }
                _ = try withContext("restore: \(field)") {
                    isFile ? try InRoot.ensureFile(root.raw, mount.destination) : try InRoot.mkdirAll(root.raw, mount.destination)
                }
            }
        }
    }
}
