import OCI

/// A user namespace with the given uid and gid mappings and nothing running in it, held as a
/// descriptor: what mount_setattr(2) takes for MOUNT_ATTR_IDMAP (config.md "Mounts",
/// `uidMappings`/`gidMappings`). The kernel only makes user namespaces for processes, so a
/// child is cloned into a new one, parks, gets its maps written by the runtime (which holds
/// CAP_SETUID/CAP_SETGID over it) and is killed once its namespace file is open; the
/// descriptor keeps the namespace alive. The runtime is single-threaded when it clones, as
/// for the container itself.
enum MappedUserNamespace {
    static func make(uidMappings: [LinuxIDMapping], gidMappings: [LinuxIDMapping], field: String) throws -> FileDescriptor {
        let context = "\(field): a user namespace for the id mapping"
        let parent = Sys.getpid()
        let child = try withContext(context) { try Sys.clone3(flags: Linux.CLONE_NEWUSER) }
        if child.pid == 0 { Sys.park(parent: parent) }
        let pidfd = FileDescriptor(child.pidfd)
        defer {
            // Nothing ever runs in it: killed and reaped whatever happened above.
            try? Sys.pidfdSendSignal(pidfd.raw, Linux.SIGKILL)
            _ = try? Sys.wait(pidfd: pidfd.raw)
        }
        try withContext("\(field).uidMappings") {
            try Sys.writeText("/proc/\(child.pid)/uid_map", NamespacePlan.mapText(uidMappings))
        }
        try withContext("\(field).gidMappings") {
            try Sys.writeText("/proc/\(child.pid)/gid_map", NamespacePlan.mapText(gidMappings))
        }
        return try withContext(context) { try Sys.open("/proc/\(child.pid)/ns/user", Linux.O_RDONLY) }
    }
}
