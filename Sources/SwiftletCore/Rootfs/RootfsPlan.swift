import OCI

/// One step of the container's filesystem setup (`RootfsSetup.run` performs each).
enum RootfsStep: Equatable, Sendable {
    /// `linux.rootfsPropagation` on /, the rootfs bound on itself (pivot_root needs a mount
    /// point), a descriptor of it; or the host bind of a container without a mount namespace.
    case openRoot
    /// The detached bind of the null device that masked files get, cloned while the null
    /// device's mount is still in this namespace (pivot_root detaches it with the old root).
    case cloneNull
    /// `mounts[index]`, as performed: a read-only /dev without its `ro` (see `devReadonly`).
    case mount(index: Int, Mount)
    /// The default devices (config-linux.md "Default Devices"), unless /dev is a bind.
    case defaultDevices(hasDevpts: Bool, configured: Set<String>)
    /// `linux.devices[index]`.
    case device(index: Int, LinuxDevice)
    /// `process.terminal`: the pty from the container's devpts, bound over /dev/console.
    case console
    /// A descriptor of the /dev mount, for `devReadonly` after pivot_root.
    case openDevForReadonly
    /// Runtime hooks (prestart, createRuntime): tell the runtime, wait for its GO.
    case pauseForRuntimeHooks
    /// `hooks.createContainer`, in the container's namespaces before pivot_root.
    case createContainerHooks
    case switchRoot(RootSwitchMode)
    /// `linux.sysctl`, through the runtime's procfs.
    case sysctl
    /// `linux.maskedPaths`.
    case mask
    /// `linux.readonlyPaths`.
    case readonlyPaths
    /// A read-only /dev (`mounts` with destination /dev and `ro`) made read-only now.
    case devReadonly
    /// `root.readonly`.
    case rootReadonly
    /// The process's stdio on the caller's /dev/null moved onto the container's own null device
    /// (Rootfs/StdioNull.swift), where the runtime made /dev: CRIU cannot dump a file on a mount
    /// outside the container (docs/checkpoint.md).
    case stdioNull
    /// `process.cwd`, created when missing (as runc).
    case cwd
    /// `linux.rootfsPropagation` of the new root, last.
    case finishPropagation
}

/// How the container gets its new root (runtime-spec config.md "Root", runc's --no-pivot).
enum RootSwitchMode: Equatable, Sendable {
    /// No mount namespace: chroot into the host bind (Rootfs/HostMountNamespace.swift).
    case hostMountNamespace
    /// `--no-pivot`: MS_MOVE and chroot (Rootfs/PivotRoot.swift).
    case moveAndChroot
    case pivotRoot
}

/// The order of the container's filesystem setup, as data: a pure function of the config, so
/// the order the runtime-spec and the CVE history demand is unit-tested without root
/// (Tests/SwiftletCoreTests/RootfsPlanTests.swift). `RootfsSetup.run` performs the steps in
/// this order and decides nothing about it. runtime-spec config.md "Mounts", "Root",
/// config-linux.md "Default Devices", "Masked Paths", "Readonly Paths", "Sysctl",
/// "Rootfs Mount Propagation".
///
/// Why this order:
/// - the mounts before the devices and the console, which are made in the /dev the mounts
///   gave; a read-only /dev is mounted writable for them and made read-only last (as runc);
/// - createContainer hooks after the mounts and before pivot_root (config.md "Hooks");
/// - sysctls, masked and read-only paths after pivot_root: they act on the container's own
///   /proc and /sys, resolved inside the new root from a descriptor of it;
/// - the read-only /dev and root after the paths made inside them;
/// - the root's propagation last: an unbindable root refuses the clones read-only paths are.
enum RootfsPlan {
    static func steps(spec: Spec, process: Process, noPivot: Bool, hostMountNamespace: Bool,
                      pauseForRuntimeHooks: Bool) throws -> [RootfsStep] {
        let linux = spec.linux
        var steps: [RootfsStep] = [.openRoot]
        if !(linux?.maskedPaths ?? []).isEmpty { steps.append(.cloneNull) }
        var hasDevpts = false
        var devIsBind = false
        var devReadonly = false
        for (i, written) in (spec.mounts ?? []).enumerated() {
            var mount = written
            if mount.destination == "/dev" {
                let options = try MountOptions(mount.options ?? [], field: "mounts[\(i)].options")
                devReadonly = options.flags & Linux.MS_RDONLY != 0
                if devReadonly { mount.options = mount.options?.filter { $0 != "ro" } }
            }
            steps.append(.mount(index: i, mount))
            if mount.destination == "/dev/pts" && mount.type == "devpts" { hasDevpts = true }
            if mount.destination == "/dev" && (mount.type == "bind" || (mount.options ?? []).contains { $0 == "bind" || $0 == "rbind" }) {
                devIsBind = true
            }
        }
        if !devIsBind { steps.append(.defaultDevices(hasDevpts: hasDevpts, configured: Set((linux?.devices ?? []).map(\.path)))) }
        for (i, device) in (linux?.devices ?? []).enumerated() { steps.append(.device(index: i, device)) }
        if process.terminal == true { steps.append(.console) }
        if devReadonly { steps.append(.openDevForReadonly) }
        if pauseForRuntimeHooks { steps.append(.pauseForRuntimeHooks) }
        if !(spec.hooks?.createContainer ?? []).isEmpty { steps.append(.createContainerHooks) }
        steps.append(.switchRoot(hostMountNamespace ? .hostMountNamespace : noPivot ? .moveAndChroot : .pivotRoot))
        steps += [.sysctl, .mask, .readonlyPaths]
        if devReadonly { steps.append(.devReadonly) }
        if spec.root?.readonly == true { steps.append(.rootReadonly) }
        if !devIsBind { steps.append(.stdioNull) }
        steps += [.cwd, .finishPropagation]
        return steps
    }
}
