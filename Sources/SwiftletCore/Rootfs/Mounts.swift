import OCI

/// Performs `mounts` inside the rootfs, in order. runtime-spec config.md "Mounts" and
/// config-linux.md "Mount Propagation". Runs in the container's mount namespace before
/// pivot_root, while host paths (bind sources) are still reachable.
struct MountPerformer {
    let rootfs: String
    let root: Int32
    let bundle: String
    let cgroupMode: Cgroups.Mode
    let cgroupPaths: [String: String]  // v1 hierarchy mount point -> container cgroup dir on the host
    let inUserNamespace: Bool
    let privateNetwork: Bool
    /// linux.mountLabel (config-linux.md "Mount Label"), given only where SELinux is enabled.
    var mountLabel: String? = nil
    /// `mounts` index -> the id-mapped tree the runtime prepared (Rootfs/IdmappedMounts.swift).
    var idmapped: [Int: Int32] = [:]
    /// Bind sources the runtime opened for a container in a user namespace, by `mounts` index
    /// (`MountSources`): O_PATH descriptors in this mount namespace, used instead of the path.
    var sources: [Int: Int32] = [:]
    /// The container's own cgroup on a unified host, for `cgroupBindFallback`.
    var unifiedCgroup: String? = nil

    /// Mounts one entry of `mounts`. Returns true when it mounted a tmpfs on /dev (devices are
    /// then created by the runtime).
    func perform(_ mount: Mount, index: Int) throws -> Bool {
        let field = "mounts[\(index)]"
        let options = try MountOptions(mount.options ?? [], field: "\(field).options")
        let type = mount.type ?? ""
        let isBind = options.isBind || type == "bind"
        let context = "\(field) (\(mount.destination))"
        if isBind {
            try bind(mount, options: options, context: context, idmapped: idmapped[index], sourceFD: sources[index])
        } else if type == "cgroup" || type == "cgroup2" {
            try mountCgroup(mount, options: options, context: context)
        } else if type == "sysfs" && inUserNamespace && !privateNetwork {
            // sysfs cannot be mounted in a user namespace that does not own the network
            // namespace: bind the host's /sys read-only instead, as runc does.
            var ro = options
            ro.flags |= Linux.MS_RDONLY | Linux.MS_BIND | Linux.MS_REC
            try bind(Mount(destination: mount.destination, type: "bind", source: "/sys", options: nil), options: ro, context: context)
        } else {
            try filesystem(mount, type: type, options: options, context: context)
        }
        return mount.destination == "/dev" && type == "tmpfs"
    }

    private func sourcePath(_ source: String?) -> String { Self.sourcePath(source, bundle: bundle) }

    /// A mount's source as the runtime reads it: relative to the bundle unless absolute.
    static func sourcePath(_ source: String?, bundle: String) -> String {
        guard let source, !source.isEmpty else { return "" }
        return source.hasPrefix("/") ? source : bundle + "/" + source
    }

    /// A bind mount; an id-mapped one is the tree the runtime prepared, moved onto the target.
    /// `sourceFD`: the source opened by the runtime (a user namespace's root may not be able to
    /// reach it by path); the bind then goes through its magic link.
    private func bind(_ mount: Mount, options: MountOptions, context: String, idmapped: Int32? = nil,
                      sourceFD: Int32? = nil) throws {
        var source = sourcePath(mount.source)
        let info: Sys.FileInfo
        let sourceIsProcfs: Bool
        if let sourceFD {
            info = try withContext(context) { try Sys.fstat(sourceFD, path: source) }
            sourceIsProcfs = try withContext(context) { try Sys.fsType(fd: sourceFD, path: source) } == Linux.PROC_SUPER_MAGIC
            source = InRoot.procPath(sourceFD)
        } else {
            info = try withContext(context) { try Sys.stat(source) }
            sourceIsProcfs = try withContext(context) { try Sys.fsType(source) } == Linux.PROC_SUPER_MAGIC
        }
        try checkProcDestination(mount.destination, target: nil, sourceIsProcfs: sourceIsProcfs, context: context)
        let target = try withContext(context) {
            info.kind == .directory ? try InRoot.mkdirAll(root, mount.destination) : try InRoot.ensureFile(root, mount.destination)
        }
        try checkProcDestination(mount.destination, target: target.raw, sourceIsProcfs: sourceIsProcfs, context: context)
        let flags = Linux.MS_BIND | (options.isRecursiveBind ? Linux.MS_REC : 0)
        try withContext(context) {
            if let idmapped {
                try Sys.moveMount(idmapped, onto: target.raw, display: mount.destination)
            } else {
                try Sys.mount(source: source, target: InRoot.procPath(target.raw), type: nil, flags: flags, data: nil,
                              display: mount.destination)
            }
        }
        try finish(mount.destination, options: options, context: context, remount: options.remountFlags != 0)
    }

    private func filesystem(_ mount: Mount, type: String, options: MountOptions, context: String) throws {
        try checkProcDestination(mount.destination, target: nil, sourceIsProcfs: type == "proc", context: context)
        let target = try withContext(context) { try InRoot.mkdirAll(root, mount.destination) }
        try checkProcDestination(mount.destination, target: target.raw, sourceIsProcfs: type == "proc", context: context)
        // tmpcopyup: the directory as the image has it, opened before the tmpfs covers it.
        let copyUp = options.copyUp && type == "tmpfs"
        let lower = copyUp ? try withContext(context) {
            try InRoot.open(root, mount.destination, flags: Linux.O_RDONLY | Linux.O_DIRECTORY)
        } : nil
        let source = mount.source ?? type
        let data = Self.labeled(options.data, type: type, label: mountLabel).joinedBy(",")
        do {
            try Sys.mount(source: source, target: InRoot.procPath(target.raw), type: type,
                          flags: options.flags & ~(Linux.MS_BIND | Linux.MS_REC | Linux.MS_REMOUNT),
                          data: data.isEmpty ? nil : data, display: mount.destination)
        } catch {
            // ENODEV from mount(2) means the kernel has no such filesystem type: say which.
            if error.errno == Errno.ENODEV {
                throw RuntimeError("\(context): type \"\(type)\" is not a filesystem this kernel knows (/proc/filesystems)",
                                   errno: error.errno)
            }
            throw RuntimeError(context, error)
        }
        if let lower {
            do {
                let upper = try InRoot.open(root, mount.destination, flags: Linux.O_RDONLY | Linux.O_DIRECTORY)
                try TmpCopyUp.copy(from: lower.raw, to: upper.raw, display: mount.destination)
            } catch {
                throw RuntimeError("\(context): tmpcopyup", error)
            }
        }
        try finish(mount.destination, options: options, context: context, remount: false)
    }

    /// Refuses a mount inside the container's /proc (Rootfs/ProcDestination.swift): by its
    /// written destination before anything is created, and by where it resolved (`target`),
    /// so a symlink in the image cannot carry a mount into /proc either.
    private func checkProcDestination(_ destination: String, target: Int32?, sourceIsProcfs: Bool, context: String) throws {
        var landsOnProcfs = false
        if let target {
            landsOnProcfs = try withContext(context) { try Sys.fsType(fd: target, path: destination) } == Linux.PROC_SUPER_MAGIC
        }
        if let why = ProcDestination.refusal(destination: destination, landsOnProcfs: landsOnProcfs, sourceIsProcfs: sourceIsProcfs) {
            throw RuntimeError("\(context): \(why)", errno: Errno.EPERM)
        }
    }

    /// config-linux.md "Mount Label": the SELinux context of a filesystem mount, given as
    /// `context="LABEL"` (runc's rule: not for proc and sysfs, whose labels come from policy,
    /// nor mqueue; not when the options already name a context).
    static func labeled(_ data: [String], type: String, label: String?) -> [String] {
        guard let label, !["proc", "sysfs", "mqueue"].contains(type),
              !data.contains(where: { $0.hasPrefix("context=") }) else { return data }
        return data + ["context=\"\(label)\""]
    }

    /// Flags that bind mounts only take on a remount, recursive attributes and propagation,
    /// all applied to the new mount at `path` (re-opened, since the old descriptor names what
    /// is below), resolved inside `base` (the rootfs unless given); errors name `display`.
    private func finish(_ path: String, in base: Int32? = nil, display: String? = nil, options: MountOptions, context: String,
                        remount: Bool) throws {
        guard remount || options.recursiveSet != 0 || options.recursiveClear != 0 || !options.propagation.isEmpty else { return }
        let display = display ?? path
        let top = try withContext(context) { try InRoot.open(base ?? root, path) }
        let proc = InRoot.procPath(top.raw)
        if remount {
            try remountBind(path: proc, flags: options.remountFlags, context: context, display: display)
        }
        if options.recursiveSet != 0 || options.recursiveClear != 0 {
            try withContext(context) {
                try Sys.mountSetattr(top.raw, set: options.recursiveSet, clear: options.recursiveClear, recursive: true,
                                     display: display)
            }
        }
        for propagation in options.propagation {
            try withContext(context) {
                try Sys.mount(source: nil, target: proc, type: nil, flags: propagation, data: nil, display: display)
            }
        }
    }

    /// MS_REMOUNT|MS_BIND with the wanted flags. In a user namespace the kernel refuses to drop
    /// flags the host mount has locked (nodev, nosuid, noexec, atime): keep them, as runc does.
    private func remountBind(path: String, flags: UInt, context: String, display: String) throws {
        let base = Linux.MS_REMOUNT | Linux.MS_BIND
        do {
            try Sys.mount(source: nil, target: path, type: nil, flags: base | flags, data: nil, display: display)
            return
        } catch {
            if error.errno != Errno.EPERM { throw RuntimeError(context, error) }
        }
        let locked = try withContext(context) { try Sys.mountFlags(path) }
        try withContext(context) {
            try Sys.mount(source: nil, target: path, type: nil, flags: base | flags | locked, data: nil, display: display)
        }
    }

    /// A `cgroup` mount: cgroup2 on a unified host; on v1/hybrid hosts a tmpfs holding a bind of
    /// the container's own cgroup directory for each hierarchy (as runc does).
    private func mountCgroup(_ mount: Mount, options: MountOptions, context: String) throws {
        var base = options
        base.data = []
        if cgroupMode == .unified {
            let fsOptions = MountOptions(copying: base, data: [])
            do {
                try filesystem(Mount(destination: mount.destination, type: "cgroup2", source: "cgroup", options: nil),
                               type: "cgroup2", options: fsOptions, context: context)
            } catch let error as RuntimeError where inUserNamespace && (error.errno == Errno.EPERM || error.errno == Errno.EBUSY) {
                try cgroupBindFallback(mount, options: base, context: context)
            }
            return
        }
        var tmpfs = base
        tmpfs.flags &= ~Linux.MS_RDONLY
        tmpfs.data = ["mode=755"]
        try filesystem(Mount(destination: mount.destination, type: "tmpfs", source: "tmpfs", options: nil),
                       type: "tmpfs", options: tmpfs, context: context)
        // The hierarchies' mount points are made and opened relative to the new tmpfs: a
        // lookup from the rootfs would walk the container's /sys (kernfs) again for each one,
        // and with many containers starting at once such walks wait for the kernfs lock that
        // network-namespace creation holds.
        let tmpfsRoot = try withContext(context) { try InRoot.open(root, mount.destination, flags: Linux.O_PATH | Linux.O_DIRECTORY) }
        // The sources likewise, from the host's /sys/fs/cgroup opened once here, in the
        // container's new mount namespace (a bind needs a source in the caller's namespace):
        // a full path would walk the host's /sys for each one (CgroupMountRoot).
        let hostCgroups = CgroupMountRoot()
        var bindOptions = base
        bindOptions.propagation = []
        for (mountPoint, hostDir) in cgroupPaths.sorted(by: { $0.key < $1.key }) {
            let name = mountPoint.split(separator: "/").last.map(String.init) ?? mountPoint
            let display = mount.destination + "/" + name
            let target = try withContext(context) { try InRoot.mkdirAll(tmpfsRoot.raw, name) }
            let source = try withContext(context) { try hostCgroups.openDirectory(hostDir) }
            try withContext(context) {
                try Sys.mount(source: InRoot.procPath(source.raw), target: InRoot.procPath(target.raw), type: nil,
                              flags: Linux.MS_BIND | (bindOptions.flags & Linux.MS_REC), data: nil,
                              display: display)
            }
            try finish(name, in: tmpfsRoot.raw, display: display, options: bindOptions, context: context,
                       remount: bindOptions.remountFlags != 0)
        }
        if options.flags & Linux.MS_RDONLY != 0 {
            let top = try withContext(context) { try InRoot.open(root, mount.destination) }
            try remountBind(path: InRoot.procPath(top.raw), flags: Linux.MS_RDONLY | (base.remountFlags), context: context,
                            display: mount.destination)
        }
    }
}

extension MountPerformer {
    /// A user namespace may mount cgroup2 only for a cgroup namespace it owns. Without one
    /// (rootless, or the runtime in rootless podman's namespace) the `cgroup` mount is a bind of
    /// the container's own cgroup, as a cgroup namespace would show it, or, without a cgroup of
    /// its own, an empty tmpfs: never the host's /sys/fs/cgroup, whose cgroups a writable bind
    /// would hand over (runc's fallback binds all of it: CVE-2023-25809).
    /// docs/rootless.md "Mounts and devices".
    func cgroupBindFallback(_ mount: Mount, options: MountOptions, context: String) throws {
        guard let unifiedCgroup else {
            var tmpfs = options
            tmpfs.data = ["mode=755"]
            try filesystem(Mount(destination: mount.destination, type: "tmpfs", source: "tmpfs", options: nil),
                           type: "tmpfs", options: tmpfs, context: context)
            return
        }
        var bind = options
        bind.flags |= Linux.MS_BIND
        try self.bind(Mount(destination: mount.destination, type: "bind", source: unifiedCgroup, options: nil),
                      options: bind, context: context)
    }
}

extension MountOptions {
    init(copying other: MountOptions, data: [String]) {
        self = other
        self.data = data
    }
}
