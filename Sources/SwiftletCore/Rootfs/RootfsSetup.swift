import CSwiftlet
import OCI

/// The container's filesystem, in the order the runtime-spec and the CVE history demand
/// (`RootfsPlan`, Rootfs/RootfsPlan.swift): propagation, the rootfs bind, `mounts`, devices,
/// the console, hooks that must see the mounts, pivot_root, then the protections that must
/// see the container's own /proc.
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
    /// null device (NullDevice), the source of every masked file. The order of the steps is
    /// `RootfsPlan`'s (Rootfs/RootfsPlan.swift, which says why); this performs each.
    func run(procfs: borrowing Procfs, null: Int32) throws -> Int32 {
        let c = context
        let steps = try RootfsPlan.steps(spec: c.spec, process: c.process, noPivot: c.noPivot,
                                         hostMountNamespace: c.hostMount != nil,
                                         pauseForRuntimeHooks: c.pauseForRuntimeHooks)
        let root = try openRoot()
        let maskedPaths = c.spec.linux?.maskedPaths ?? []
        var nullBind: FileDescriptor? = nil
        let performer = MountPerformer(
            rootfs: c.rootfs, root: root.raw, bundle: c.bundle, cgroupMode: c.cgroupMode,
            cgroupPaths: c.cgroupDirectories, inUserNamespace: c.inUserNamespace,
            privateNetwork: c.namespaces.isPrivate(.network), mountLabel: c.mountLabel, idmapped: c.idmappedMounts,
            sources: sources, unifiedCgroup: c.unifiedCgroupDirectory)
        let devices = DeviceCreator(root: root.raw, inUserNamespace: c.inUserNamespace)
        var terminal: Int32 = -1
        // The /dev mount itself (what /dev resolves to in the root), for the read-only step.
        var readonlyDev: FileDescriptor? = nil
        // The new root, once switched: from there every path is resolved inside it, from this.
        var slash: FileDescriptor? = nil
        var slashFD: Int32 = -1
        for step in steps {
            switch step {
            case .openRoot:
                break  // above: the performer and the device creator work from it
            case .cloneNull:
                nullBind = try NullDevice.detachedBind(of: null)
            case .mount(let index, let mount):
                _ = try performer.perform(mount, index: index)
            case .defaultDevices(let hasDevpts, let configured):
                try devices.createDefaults(hasDevpts: hasDevpts, configured: configured)
            case .device(let index, let device):
                try devices.create(device, field: "linux.devices[\(index)]")
            case .console:
                terminal = try openConsole(root: root.raw)
            case .openDevForReadonly:
                readonlyDev = try withContext("mounts (/dev): ro") {
                    try InRoot.open(root.raw, "/dev", flags: Linux.O_PATH | Linux.O_DIRECTORY)
                }
            case .pauseForRuntimeHooks:
                try SyncChannel(c.syncFD).send(.hooks(pid: Sys.getpid()))
                try SyncChannel(c.syncFD).waitForGo(step: "wait for prestart/createRuntime hooks")
            case .createContainerHooks:
                let state = try Runtime.specState(c.stateTemplate, status: .creating, pid: hostPID)
                try HookRunner.run(c.spec.hooks?.createContainer ?? [], kind: "createContainer", state: state)
            case .switchRoot(let mode):
                switch mode {
                case .hostMountNamespace: try HostMountNamespace.enter(root: root.raw, rootfs: c.rootfs)
                case .moveAndChroot: try RootSwitch.moveAndChroot(rootfs: c.rootfs, procfs: procfs)
                case .pivotRoot: try RootSwitch.pivot(rootfs: c.rootfs, rootFD: root.raw)
                }
                let opened = try withContext("pivot_root") { try Sys.open("/", Linux.O_PATH | Linux.O_DIRECTORY) }
                slashFD = opened.raw
                slash = consume opened
            case .sysctl:
                // Through the runtime's own procfs, not the container's /proc.
                try PathProtection.applySysctls(c.spec.linux?.sysctl ?? [:], procfs: procfs)
            case .mask:
                let bind = nullBind.take()
                try PathProtection.mask(maskedPaths, root: slashFD, null: bind)
            case .readonlyPaths:
                try PathProtection.makeReadonly(c.spec.linux?.readonlyPaths ?? [], root: slashFD)
            case .devReadonly:
                // Only the /dev mount: /dev/pts, /dev/shm and /dev/mqueue keep their own flags.
                guard let dev = readonlyDev.take() else { throw RuntimeError("mounts (/dev): ro: /dev was not opened first") }
                try withContext("mounts (/dev): ro") {
                    try Sys.mountSetattr(dev.raw, set: Linux.MOUNT_ATTR_RDONLY, clear: 0, recursive: false, display: "/dev")
                }
            case .rootReadonly:
                try PathProtection.makeRootReadonly(root: slashFD)
            case .stdioNull:
                try StdioNull.reopen(root: slashFD, ownDevices: true)
            case .cwd:
                _ = try withContext("process.cwd (\(c.process.cwd))") { try InRoot.mkdirAll(slashFD, c.process.cwd) }
            case .finishPropagation:
                try RootPropagation.finish(c.spec.linux?.rootfsPropagation)
            }
        }
        _ = slash
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
