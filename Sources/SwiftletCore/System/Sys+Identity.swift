import Glibc

/// Who the runtime runs as: ids, its user namespace and its effective capabilities. What
/// `Rootless` (Namespaces/Rootless.swift) decides from is read here.
extension Sys {

    /// The runtime's own /proc/self/uid_map (its user namespace as the parent sees it); nil when
    /// unreadable (no /proc: then nothing can be said, and the caller treats it as the
    /// initial namespace).
    public static func ownUIDMap() -> String? {
        try? readText("/proc/self/uid_map")
    }

    /// The effective capability set of the runtime in its own user namespace (`CapEff:` of
    /// /proc/self/status); nil when unreadable.
    public static func effectiveCapabilities() -> UInt64? {
        guard let text = try? readText("/proc/self/status") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("CapEff:") {
            let hex = line.dropFirst("CapEff:".count).filter { !$0.isWhitespace }
            return UInt64(hex, radix: 16)
        }
        return nil
    }

    /// access(2) with W_OK: whether the runtime's real ids may write `path` (a directory: create
    /// entries in it).
    public static func isWritable(_ path: String) -> Bool {
        Glibc.access(path, W_OK) == 0
    }
}
