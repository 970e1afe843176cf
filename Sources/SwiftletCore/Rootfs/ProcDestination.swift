/// Config mounts whose destination lies inside the container's /proc.
///
/// A mount over part of procfs can make a later write by anyone who trusts that path land
/// somewhere else (CVE-2025-52881: a bind over /proc/sys/... redirected a sysctl write to a
/// host-global one). swiftlet itself never writes through the container's /proc any more
/// (System/Procfs.swift), but the container's own tools do (sysctl, LSM-aware programs), so
/// such mounts are refused as runc refuses them, with two exceptions:
/// - the files lxcfs-style tools legitimately cover with their own view (runc's list, including
///   ns_last_pid for CRIU);
/// - a bind whose source is itself on procfs (a procfs file over a procfs file).
/// `/proc` itself takes a procfs only: a `proc` mount, or a bind of procfs; a fake /proc (a
/// bundle directory, a tmpfs) would feed the container's own tools whatever it holds.
/// runtime-spec config.md "Mounts" leaves this to the runtime; this is runc's rule.
enum ProcDestination {
    static let lxcfsFiles: Set<String> = [
        "/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo", "/proc/stat", "/proc/swaps", "/proc/uptime",
        "/proc/loadavg", "/proc/slabinfo", "/proc/net/dev", "/proc/sys/kernel/ns_last_pid",
    ]

    /// The destination with `.`, empty and `..` components resolved lexically ("/proc/./sys/../x"
    /// is "/proc/x"); never above "/".
    static func clean(_ path: String) -> String {
        // On the "/" byte, as the kernel splits paths; joined by a loop (the generic
        // `joined(separator:)` looked protocol conformances up at run time, ~170,000
        // instructions in every container's child: docs/performance.md).
        var out: [String] = []
        for name in path.utf8.split(separator: UInt8(ascii: "/")) {
            if name.count == 1 && name.first == UInt8(ascii: ".") { continue }
            if name.count == 2 && name.allSatisfy({ $0 == UInt8(ascii: ".") }) { _ = out.popLast(); continue }
            out.append(String(Substring(name)))
        }
        return "/" + out.joinedBy("/")
    }

    /// True when `destination` (cleaned) is strictly below /proc.
    static func isInside(_ destination: String) -> Bool {
        clean(destination).hasPrefix("/proc/")
    }

    /// Why a mount at `destination` is refused, or nil when it is allowed. `landsOnProcfs` says
    /// the resolved target is on procfs (a path outside /proc that a symlink sends into it);
    /// `sourceIsProcfs` that the mount is a bind of a procfs file or directory, or a `proc`
    /// filesystem.
    static func refusal(destination: String, landsOnProcfs: Bool, sourceIsProcfs: Bool) -> String? {
        let path = clean(destination)
        if path == "/proc" {
            return sourceIsProcfs ? nil : "only a procfs (type proc, or a bind of procfs) may be mounted at /proc"
        }
        guard isInside(path) || landsOnProcfs else { return nil }
        if sourceIsProcfs || lxcfsFiles.contains(path) { return nil }
        let listed = lxcfsFiles.sorted().joined(separator: ", ")
        return "the destination is inside /proc, where only a procfs bind or one of \(listed) may be mounted"
            + " (a mount over procfs redirects writes meant for the kernel: CVE-2025-52881)"
    }
}
