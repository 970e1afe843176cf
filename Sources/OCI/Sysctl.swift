import FoundationEssentials

/// config-linux.md "Sysctl": which kernel parameters a container may set. Only parameters that
/// belong to a namespace the container owns can be set without changing the host; the rules
/// follow runc's validator.
public enum Sysctl {
    /// A dotted name of non-empty components, without `/` (which would make a different
    /// /proc/sys path), NUL or whitespace. `..` is an empty component and so invalid.
    public static func isValidName(_ name: String) -> Bool {
        guard !name.isEmpty else { return false }
        let components = name.split(separator: ".", omittingEmptySubsequences: false)
        return components.allSatisfy { !$0.isEmpty }
            && !name.utf8.contains { $0 == UInt8(ascii: "/") || $0 == 0 || $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\t") }
    }

    /// The namespace whose instance of `name` is set, or nil if `name` is global to the host.
    ///
    /// `net.*` belongs to the network namespace; `kernel.hostname`/`kernel.domainname` to
    /// uts; the System V IPC limits (`kernel.msg*`, `kernel.sem*`, `kernel.shm*`) and
    /// `fs.mqueue.*` to ipc.
    public static func namespace(of name: String) -> LinuxNamespaceType? {
        if name.hasPrefix("net.") {
            return .network
        }
        if name == "kernel.hostname" || name == "kernel.domainname" {
            return .uts
        }
        if name.hasPrefix("kernel.msg") || name.hasPrefix("kernel.sem") || name.hasPrefix("kernel.shm")
            || name.hasPrefix("fs.mqueue.") {
            return .ipc
        }
        return nil
    }

    /// Why `name` cannot be set given `namespaces`, or nil if it can. A namespace joined by
    /// path counts: it is not the host's unless the path points there, which only the runtime
    /// can check.
    public static func problem(with name: String, namespaces: [LinuxNamespace]) -> String? {
        guard isValidName(name) else {
            return "invalid sysctl name \(JSONPath.quoted(name))"
        }
        guard let owner = namespace(of: name) else {
            return "sysctl \(JSONPath.quoted(name)) is not namespaced, refusing to set it for the host"
        }
        if !namespaces.contains(where: { $0.type == owner }) {
            let article = owner == .ipc ? "an" : "a"
            return "sysctl \(JSONPath.quoted(name)) requires \(article) \(owner.rawValue) namespace"
        }
        return nil
    }
}
