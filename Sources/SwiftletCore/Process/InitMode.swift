import OCI

/// Whether swiftlet-init stays as the container's first process (`supervise`: it forks the
/// process, forwards signals, reaps, exits with the status) or the process runs in its place
/// (`direct`: swiftlet-init sets the process up and executes it, as runc's init does).
///
/// runtime-spec runtime.md "Lifecycle" leaves the container's process tree to the runtime;
/// the rule (README "PID 1", docs/kubernetes.md):
///
/// 1. The annotation `run.swiftlet.init` decides when present: `"true"` keeps swiftlet-init,
///    `"false"` runs the process directly. Any other value is an error naming the annotation.
/// 2. A CRI sandbox (annotation `io.kubernetes.cri.container-type: sandbox`, set by
///    containerd's CRI plugin on a pod's pause container) runs directly: Kubernetes expects
///    pause to be PID 1 of a pod's shared pid namespace (it reaps the pod's zombies).
/// 3. A pid namespace joined by `path` (another container's, a pod's) runs directly: that
///    namespace has its PID 1 already, and the process is a plain member of it.
/// 4. Otherwise swiftlet-init stays: PID 1 of a new pid namespace, or, without a pid namespace
///    of the container's own (the host's), a child subreaper for the process's orphans.
public enum InitMode: Equatable, Sendable {
    case supervise
    case direct

    /// The opt-in/opt-out annotation (`true`/`false`).
    public static let annotation = "run.swiftlet.init"
    /// containerd's CRI plugin: `sandbox` on a pod's pause container, `container` on the others.
    public static let criContainerType = "io.kubernetes.cri.container-type"

    /// The mode for a container's annotations and namespaces (the rule above).
    public static func choose(annotations: [String: String]?, namespaces: [LinuxNamespace]?) throws(SpecError) -> InitMode {
        if let value = annotations?[annotation] {
            switch value {
            case "true": return .supervise
            case "false": return .direct
            default:
                throw SpecError(path: JSONPath.member("annotations", annotation),
                                message: "must be \"true\" or \"false\", got \(JSONPath.quoted(value))")
            }
        }
        if annotations?[criContainerType] == "sandbox" { return .direct }
        let joinsPid = namespaces?.contains { $0.type == .pid && !($0.path ?? "").isEmpty } ?? false
        return joinsPid ? .direct : .supervise
    }
}
