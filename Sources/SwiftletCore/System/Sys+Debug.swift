import Glibc

/// Two debug switches for the reliability tests (docs/reliability.md). Both are read from the
/// environment of the runtime process only; neither changes what a container gets.
///
/// - `SWIFTLET_FAULT=<step>`: the runtime SIGKILLs itself when `create` reaches the named step
///   (`Fault.steps`), as an engine's timeout or the OOM killer would. It can do nothing the
///   caller could not already do with `kill -9` on the runtime, which the runtime must survive
///   anyway; an unknown or empty value does nothing. Only in a build that defines
///   `SWIFTLET_FAULTS` (every debug build, Package.swift; a release build only with
///   `-Xswiftc -DSWIFTLET_FAULTS`): elsewhere `Fault.point` is empty and the variable is
///   never read. Such a build says so in `--version` (`faults: SWIFTLET_FAULT`).
/// - `SWIFTLET_DEBUG_FDS=1`: at start and right before exit, the CLI logs the runtime's own open
///   descriptors (`Sys.openDescriptors`) to --log, so a test can assert that nothing leaked.
public enum Fault {
    /// Every step `create` can be stopped at, in the order it reaches them.
    public static let steps = [
        "after-state-dir", "after-state-file", "after-cgroup", "after-clone", "after-cgroup-join",
        "after-id-maps", "before-ready", "after-ready", "before-pid-file",
    ]

    /// Whether this build has fault injection (`SWIFTLET_FAULTS` defined at compile time).
    #if SWIFTLET_FAULTS
    public static let enabled = true
    #else
    public static let enabled = false
    #endif

    /// SIGKILLs the calling process when `SWIFTLET_FAULT` names `step`, in a build with fault
    /// injection; nothing at all otherwise.
    @inline(__always)
    public static func point(_ step: String) {
        #if SWIFTLET_FAULTS
        guard let value = getenv("SWIFTLET_FAULT"), String(cString: value) == step else { return }
        _ = Glibc.kill(getpid(), SIGKILL)
        #endif
    }
}

extension Sys {
    /// The calling process's open descriptors and what they point to (`3 -> /dev/null`), from
    /// /proc/self/fd, without the descriptor used to read it.
    public static func openDescriptors() -> [(fd: Int32, target: String)] {
        guard let dir = opendir("/proc/self/fd") else { return [] }
        defer { closedir(dir) }
        let own = dirfd(dir)
        var result: [(fd: Int32, target: String)] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard let fd = Int32(name), fd != own else { continue }
            let target = (try? readlink("/proc/self/fd/\(name)")) ?? "?"
            result.append((fd, target))
        }
        return result.sorted { $0.fd < $1.fd }
    }
}
