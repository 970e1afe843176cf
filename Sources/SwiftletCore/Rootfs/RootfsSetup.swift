import CSwiftlet
import OCI

/// The container's filesystem, in the order the runtime-spec and the CVE history demand:
/// propagation, the rootfs bind, `mounts`, devices, the console, hooks that must see the
/// mounts, pivot_root, then the protections that must see the container's own /proc.
struct RootfsSetup {
    let context: ChildContext
    let hostPID: Int32?

    /// Returns the pty slave descriptor when process.terminal is set, else -1.
    func run() throws -> Int32 {
        let c = context
        guard c.namespaces.isPrivate(.mount) else {
            throw RuntimeError("linux.namespaces: a mount namespace is required")
        }
        let propagation = try Self.rootPropagation(c.spec.linux?.rootfsPropagation)
        try withContext("make / \(c.spec.linux?.rootfsPropagation ?? "rslave")") {
            try Sys.mount(source: nil, target: "/", type: nil, flags: propagation, data: nil)
        }
        // pivot_root needs the new root to be a mount point.
        try withContext("root.path (\(c.rootfs))") {
            try Sys.mount(source: c.rootfs, target: c.rootfs, type: nil, flags: Linux.MS_BIND | Linux.MS_REC, data: nil)
        }
        let root = try withContext("root.path (\(c.rootfs))") { try Sys.open(c.rootfs, Linux.O_PATH | Linux.O_DIRECTORY) }

        let performer = MountPerformer(
            rootfs: c.rootfs, root: root.raw, bundle: c.bundle, cgroupMode: c.cgroupMode,
            cgroupPaths: c.cgroupDirectories, inUserNamespace: c.namespaces.isPrivate(.user),
            privateNetwork: c.namespaces.isPrivate(.network), mountLabel: c.mountLabel)
        var hasDevpts = false
        var devIsBind = false
        for (i, mount) in (c.spec.mounts ?? []).enumerated() {
            _ = try performer.perform(mount, index: i)
            if mount.destination == "/dev/pts" && mount.type == "devpts" { hasDevpts = true }
            if mount.destination == "/dev" && (mount.type == "bind" || (mount.options ?? []).contains { $0 == "bind" || $0 == "rbind" }) {
                devIsBind = true
            }
        }
        let devices = DeviceCreator(root: root.raw, inUserNamespace: c.namespaces.isPrivate(.user))
        if !devIsBind { try devices.createDefaults(hasDevpts: hasDevpts) }
        for (i, device) in (c.spec.linux?.devices ?? []).enumerated() {
            try devices.create(device, field: "linux.devices[\(i)]")
        }
        var terminal: Int32 = -1
        if c.process.terminal == true { terminal = try openConsole(root: root.raw) }

        if c.pauseForRuntimeHooks {
            try Sys.send(c.syncFD, swl_msg(type: SWL_MSG_HOOKS, pid: Sys.getpid()))
            try ChildSetup.waitForGo(c.syncFD, step: "wait for prestart/createRuntime hooks")
        }
        // createContainer hooks: in the container's namespaces, before pivot_root
        // (runtime-spec config.md "CreateContainer Hooks").
        if let hooks = c.spec.hooks?.createContainer, !hooks.isEmpty {
            let state = try Runtime.specState(c.stateTemplate, status: .creating, pid: hostPID)
            try HookRunner.run(hooks, kind: "createContainer", state: state)
        }

        if c.noPivot {
            try RootSwitch.moveAndChroot(rootfs: c.rootfs)
        } else {
            try RootSwitch.pivot(rootfs: c.rootfs, rootFD: root.raw)
        }
        // Sysctls go first: /proc/sys is usually among the readonly paths.
        try PathProtection.applySysctls(c.spec.linux?.sysctl ?? [:])
        try PathProtection.mask(c.spec.linux?.maskedPaths ?? [])
        try PathProtection.makeReadonly(c.spec.linux?.readonlyPaths ?? [])
        if c.spec.root?.readonly == true { try PathProtection.makeRootReadonly() }
        // runc creates process.cwd when it is missing.
        let slash = try withContext("process.cwd") { try Sys.open("/", Linux.O_PATH | Linux.O_DIRECTORY) }
        _ = try withContext("process.cwd (\(c.process.cwd))") { try InRoot.mkdirAll(slash.raw, c.process.cwd) }
        return terminal
    }

    /// runtime-spec config-linux.md "Mount Propagation" for the container's root.
    static func rootPropagation(_ value: String?) throws -> UInt {
        switch value ?? "" {
        case "": return Linux.MS_SLAVE | Linux.MS_REC
        case "shared": return Linux.MS_SHARED
        case "rshared": return Linux.MS_SHARED | Linux.MS_REC
        case "slave": return Linux.MS_SLAVE
        case "rslave": return Linux.MS_SLAVE | Linux.MS_REC
        case "private": return Linux.MS_PRIVATE
        case "rprivate": return Linux.MS_PRIVATE | Linux.MS_REC
        case "unbindable": return Linux.MS_UNBINDABLE
        case "runbindable": return Linux.MS_UNBINDABLE | Linux.MS_REC
        case let other: throw RuntimeError("linux.rootfsPropagation: unknown propagation \"\(other)\"")
        }
    }

    /// process.terminal: a pty from the container's own devpts instance. The master goes to
    /// the runtime (and on to --console-socket); the slave becomes the process's stdio and is
    /// bound over /dev/console. runtime-spec config.md "Process" (terminal, consoleSize).
    func openConsole(root: Int32) throws -> Int32 {
        let context = "process.terminal"
        let master = try withContext(context) {
            try InRoot.open(root, "/dev/pts/ptmx", flags: Linux.O_RDWR | Linux.O_NOCTTY)
        }
        let masterFD = master.raw
        let slave = try withContext(context) { () throws(SystemError) -> FileDescriptor in
            try Sys.unlockpt(masterFD)
            return FileDescriptor(try Sys.ioctl(masterFD, Linux.TIOCGPTPEER, Linux.O_RDWR | Linux.O_NOCTTY | Linux.O_CLOEXEC,
                                                operation: "open pty peer"))
        }
        if let size = context_consoleSize {
            try withContext(context) { try Sys.setWindowSize(slave.raw, rows: size.height, cols: size.width) }
        }
        let console = try withContext("/dev/console") { try InRoot.ensureFile(root, "/dev/console") }
        try withContext("/dev/console") {
            try Sys.mount(source: InRoot.procPath(slave.raw), target: InRoot.procPath(console.raw), type: nil,
                          flags: Linux.MS_BIND, data: nil, display: "/dev/console")
        }
        try Sys.send(self.context.syncFD, swl_msg(type: SWL_MSG_CONSOLE), attaching: master.raw)
        return slave.take()
    }

    private var context_consoleSize: (height: UInt16, width: UInt16)? {
        guard let size = context.process.consoleSize else { return nil }
        return (UInt16(clamping: size.height), UInt16(clamping: size.width))
    }
}
