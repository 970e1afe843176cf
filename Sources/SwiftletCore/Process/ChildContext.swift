import OCI

/// Everything the cloned child needs, computed by the runtime before clone3 so the child does
/// no decoding or validation of its own.
struct ChildContext {
    let id: String
    let spec: Spec
    let process: Process
    let bundle: String
    let rootfs: String
    let namespaces: NamespacePlan
    let cgroupMode: Cgroups.Mode
    /// v1 hierarchy mount point -> the container's cgroup directory there (for `cgroup` mounts).
    let cgroupDirectories: [String: String]
    /// The v1 `tasks` files the child writes first, to move itself into the container's cgroups.
    let cgroupJoin: CgroupSelfJoin
    let initFD: Int32
    let syncFD: Int32
    let startFD: Int32
    let noPivot: Bool
    /// --no-new-keyring: keep the runtime's session keyring instead of a fresh one.
    let noNewKeyring: Bool
    let preserveFDs: Int
    /// Runtime hooks (prestart/createRuntime) exist: pause before pivot_root so the runtime runs them.
    let pauseForRuntimeHooks: Bool
    /// The container's record so far, for the state createContainer hooks get on stdin.
    let stateTemplate: ContainerRecord
    /// The cgroup namespace is unshared by the child once the runtime has put it in its v1
    /// cgroups (clone3 can only place it in the unified hierarchy), so that the namespace's
    /// root is the container's cgroup in every hierarchy.
    let deferCgroupNamespace: Bool
    /// linux.seccomp compiled to BPF by the runtime before clone3 (nil: no filter).
    let seccomp: SeccompProgram?
    /// The runtime's connection to linux.seccomp.listenerPath (-1: none), for the listener fd.
    let seccompListenerFD: Int32
    /// Run the process in swiftlet-init's place (no supervising init): `InitMode.direct`.
    let directExec: Bool
    /// linux.mountLabel for the container's filesystem mounts; nil where SELinux is off.
    var mountLabel: String? = nil
    /// No mount namespace: the rootfs bind the runtime made in the host's namespace.
    var hostMount: HostMountNamespace.Record? = nil
    /// `mounts` index -> the id-mapped tree the runtime prepared (Rootfs/IdmappedMounts.swift).
    var idmappedMounts: [Int: Int32] = [:]
    /// linux.netDevices: the init waits for GO while the runtime moves them into its namespace.
    var waitForNetDevices = false
    /// The setup runs in a user namespace other than the initial one: the container's own (new
    /// or joined), or the runtime's (rootless podman runs it as root of the user's namespace).
    /// mknod is refused there (device nodes are bound from the host) and sysfs can only be
    /// mounted with a network namespace of that user namespace (docs/rootless.md).
    var inUserNamespace = false
    /// In a new user namespace the runtime opens the bind sources for the child, with its own
    /// credentials (Rootfs/MountSources.swift): a privileged runtime reaches what the
    /// container's root, an unprivileged uid on the host, may not. A rootless runtime has no
    /// more than that uid itself, and the child opens them as before.
    var runtimeOpensBindSources = true
    /// The container's cgroup in the unified hierarchy on a unified host (nil: none of its
    /// own): what a `cgroup` mount binds where cgroup2 cannot be mounted (a user namespace
    /// without a cgroup namespace of its own; docs/rootless.md "Mounts and devices").
    var unifiedCgroupDirectory: String? = nil
}
