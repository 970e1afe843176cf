import CSwiftlet
import OCI

/// The container's filesystem, in the order the runtime-spec and the CVE history demand:
/// propagation, the rootfs bind, `mounts`, devices, the console, hooks that must see the
/// mounts, pivot_root, then the protections that must see the container's own /proc.
struct RootfsSetup {
    let context: ChildContext
    let hostPID: Int32?
    /// Bind sources opened by the runtime, by `mounts` index (`MountSources`).
    var sources: [Int: Int32] = [:]

    /// A descriptor of the rootfs, made a mount point. Without a mount namespace the runtime
    /// bound it in the host's already (HostMountNamespace); else / gets the propagation asked
    /// for and the rootfs is bound on itself (pivot_root needs a mount point).
    func openRoot() throws -> FileDescriptor {
        let c = context
        if let hostMount = c.hostMount { return try HostMountNamespace.openRoot(hostMount) }
        try RootPropagation.prepare(c.spec.linux?.rootfsPropagation, rootfs: c.rootfs)
        try withContext("root.path (\(c.rootfs))") {
            try Sys.mount(source: c.rootfs, target: c.rootfs, type: nil, flags: Linux.MS_BIND | Linux.MS_REC, data: nil)
        }
        return try withContext("root.path (\(c.rootfs))") { try Sys.open(c.rootfs, Linux.O_PATH | Linux.O_DIRECTORY) }
    }

    /// Returns the pty slave descriptor when process.terminal is set, else -1. `procfs` is the
    /// runtime's private procfs (System/Procfs.swift), for linux.sysctl; `null` the verified
    /// null device (NullDevice), the source of every masked file.
    func run(procfs: borrowing Procfs, null: Int32) throws -> Int32 {
        let c = context
        let root = try openRoot()
        // The bind masked files get, cloned now: once pivot_root detaches the old root, the null
        // device's mount is no longer in this namespace and the kernel refuses to clone it.
        let maskedPaths = c.spec.linux?.maskedPaths ?? []
        let nullBind = maskedPaths.isEmpty ? nil : try NullDevice.detachedBind(of: null)

        let performer = MountPerformer(
            rootfs: c.rootfs, root: root.raw, bundle: c.bundle, cgroupMode: c.cgroupMode,
            cgroupPaths: c.cgroupDirectories, inUserNamespace: c.inUserNamespace,
            privateNetwork: c.namespaces.isPrivate(.network), mountLabel: c.mountLabel, idmapped: c.idmappedMounts,
            sources: sources, unifiedCgroup: c.unifiedCgroupDirectory)
        var hasDevpts = false
        var devIsBind = false
        var devReadonly = false
        for (i, written) in (c.spec.mounts ?? []).enumerated() {
            var mount = written
            if mount.destination == "/dev" {
                // A read-only /dev is mounted writable and made read-only last: /dev/pts, the
                // default devices and the console must be made in it first (as runc does).
                let options = try MountOptions(mount.options ?? [], field: "mounts[\(i)].options")
                devReadonly = options.flags & Linux.MS_RDONLY != 0
                if devReadonly { mount.options = mount.options?.filter { $0 != "ro" } }
            }
            _ = try performer.perform(mount, index: i)
            if mount.destination == "/dev/pts" && mount.type == "devpts" { hasDevpts = true }
            if mount.destination == "/dev" && (mount.type == "bind" || (mount.options ?? []).contains { $0 == "bind" || $0 == "rbind" }) {
                devIsBind = true
            }
        }
        let devices = DeviceCreator(root: root.raw, inUserNamespace: c.inUserNamespace)
        if !devIsBind {
            try devices.createDefaults(hasDevpts: hasDevpts, configured: Set((c.spec.linux?.devices ?? []).map(\.path)))
        }
        for (i, device) in (c.spec.linux?.devices ?? []).enumerated() {
            try devices.create(device, field: "linux.devices[\(i)]")
        }
        var terminal: Int32 = -1
        if c.process.terminal == true { terminal = try openConsole(root: root.raw) }
        // The /dev mount itself (what /dev resolves to in the root now), for the read-only step.
        let readonlyDev = devReadonly ? try withContext("mounts (/dev): ro") {
            try InRoot.open(root.raw, "/dev", flags: Linux.O_PATH | Linux.O_DIRECTORY)
        } : nil

        if c.pauseForRuntimeHooks {
            try SyncChannel(c.syncFD).send(.hooks(pid: Sys.getpid()))
            try SyncChannel(c.syncFD).waitForGo(step: "wait for prestart/createRuntime hooks")
        }
        // createContainer hooks: in the container's namespaces, before pivot_root
        // (runtime-spec config.md "CreateContainer Hooks").
        if let hooks = c.spec.hooks?.createContainer, !hooks.isEmpty {
            let state = try Runtime.specState(c.stateTemplate, status: .creating, pid: hostPID)
            try HookRunner.run(hooks, kind: "createContainer", state: state)
        }

        if c.hostMount != nil {
            try HostMountNamespace.enter(root: root.raw, rootfs: c.rootfs)
        } else if c.noPivot {
            try RootSwitch.moveAndChroot(rootfs: c.rootfs, procfs: procfs)
        } else {
            try RootSwitch.pivot(rootfs: c.rootfs, rootFD: root.raw)
        }
        // From here every path is resolved inside the new root, from a descriptor of it.
        let slash = try withContext("pivot_root") { try Sys.open("/", Linux.O_PATH | Linux.O_DIRECTORY) }
        // Sysctls go through the runtime's own procfs, not the container's /proc.
        try PathProtection.applySysctls(c.spec.linux?.sysctl ?? [:], procfs: procfs)
        try PathProtection.mask(maskedPaths, root: slash.raw, null: nullBind)
        try PathProtection.makeReadonly(c.spec.linux?.readonlyPaths ?? [], root: slash.raw)
        if let readonlyDev {
            // Only the /dev mount: /dev/pts, /dev/shm and /dev/mqueue keep their own flags.
            try withContext("mounts (/dev): ro") {
                try Sys.mountSetattr(readonlyDev.raw, set: Linux.MOUNT_ATTR_RDONLY, clear: 0, recursive: false, display: "/dev")
            }
        }
        if c.spec.root?.readonly == true { try PathProtection.makeRootReadonly(root: slash.raw) }
        // stdio on the caller's /dev/null moves to the container's, which CRIU can dump.
        try StdioNull.reopen(root: slash.raw, ownDevices: !devIsBind)
        // runc creates process.cwd when it is missing.
        _ = try withContext("process.cwd (\(c.process.cwd))") { try InRoot.mkdirAll(slash.raw, c.process.cwd) }
        // Last: an unbindable root refuses the clones the read-only paths are made of.
        try RootPropagation.finish(c.spec.linux?.rootfsPropagation)
        return terminal
    }

    /// process.terminal: a pty from the container's own devpts instance (Pty.open, in
    /// Rootfs/Console.swift). The master goes to the runtime (and on to --console-socket); the
    /// slave becomes the process's stdio and is bound over /dev/console. runtime-spec
    /// config.md "Process" (terminal, consoleSize).
    func openConsole(root: Int32) throws -> Int32 {
        let context = "process.terminal"
        let pty = try Pty.open(root: root, size: self.context.process.consoleSize, context: context)
        try Console.bind(pty.second.raw, root: root)
        try SyncChannel(self.context.syncFD).send(.console(master: .lent(pty.first.raw)))
        return pty.second.take()
    }
}
