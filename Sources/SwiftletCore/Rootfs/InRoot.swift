/// Path resolution inside the container's root: every lookup goes through openat2(2) with
/// RESOLVE_IN_ROOT, so a symlink or `..` planted in the rootfs resolves inside it and can never
/// redirect a mount or a device node to the host (the CVE-2021-30465 class).
/// runtime-spec config.md "Mounts": "destination ... relative to the container's root".
enum InRoot {
    static let resolve = Linux.RESOLVE_IN_ROOT | Linux.RESOLVE_NO_MAGICLINKS

    static func components(_ path: String) -> [String] {
        // Split on the "/" byte, as the kernel does (splitting the String on the Character
        // "/" ran grapheme breaking over every byte of every path the child opens).
        var names: [String] = []
        for name in path.utf8.split(separator: UInt8(ascii: "/")) where !(name.count == 1 && name.first == UInt8(ascii: ".")) {
            names.append(String(Substring(name)))
        }
        return names
    }

    static func join(_ names: ArraySlice<String>) -> String { names.joinedBy("/") }

    /// An O_PATH descriptor of `path` (absolute in the container) resolved inside `root`.
    static func open(_ root: Int32, _ path: String, flags: Int32 = Linux.O_PATH) throws(SystemError) -> FileDescriptor {
        let relative = join(components(path)[...])
        return try Sys.openat2(root, relative.isEmpty ? "." : relative, flags, resolve: resolve, display: path)
    }

    /// mkdir -p inside `root`; returns an O_PATH descriptor of the final directory.
    /// Mount points usually exist, or only their last component is missing (the cgroup
    /// hierarchies under a fresh /sys/fs/cgroup tmpfs): those are found with one or two lookups
    /// before the component-by-component walk, which costs three calls per level.
    static func mkdirAll(_ root: Int32, _ path: String, mode: UInt32 = 0o755) throws(SystemError) -> FileDescriptor {
        let directory = Linux.O_PATH | Linux.O_DIRECTORY
        if let existing = try? open(root, path, flags: directory) { return existing }
        let names = components(path)
        if let last = names.last {
            // The parent of a single component is `root` itself, which needs no lookup.
            if names.count == 1 {
                try mkdirIfMissing(root, last, mode: mode, display: path)
                return try open(root, path, flags: directory)
            }
            if let parent = try? open(root, "/" + join(names.dropLast()), flags: directory) {
                try mkdirIfMissing(parent.raw, last, mode: mode, display: path)
                return try open(root, path, flags: directory)
            }
        }
        var current = try Sys.dup(root)
        var prefix = ""
        for name in names {
            prefix += "/" + name
            try mkdirIfMissing(current.raw, name, mode: mode, display: prefix)
            current = try open(root, prefix, flags: Linux.O_PATH | Linux.O_DIRECTORY)
        }
        return current
    }

    /// mkdirat(2) of `name` in `dirfd`; one that exists already is fine.
    private static func mkdirIfMissing(_ dirfd: Int32, _ name: String, mode: UInt32, display: String) throws(SystemError) {
        do {
            try Sys.mkdirat(dirfd, name, mode: mode, display: display)
        } catch {
            if error.errno != Errno.EEXIST { throw error }
        }
    }

    /// Makes sure a regular file exists at `path` (parents created), for bind-mounting a file.
    static func ensureFile(_ root: Int32, _ path: String) throws(SystemError) -> FileDescriptor {
        if let existing = try? open(root, path) { return existing }
        let names = components(path)
        guard let last = names.last else { return try open(root, "/") }
        let parent = try mkdirAll(root, "/" + join(names.dropLast()))
        do {
            _ = try Sys.openat(parent.raw, last, Linux.O_CREAT | Linux.O_WRONLY | Linux.O_NOFOLLOW, mode: 0o644, display: path)
        } catch {
            if error.errno != Errno.EEXIST { throw error }
        }
        return try open(root, path)
    }

    /// Calls `body` with the parent directory of `path` (created if needed, opened inside
    /// `root`) and the last component's name.
    static func withParent<T>(_ root: Int32, _ path: String, _ body: (Int32, String) throws -> T) throws -> T {
        let names = components(path)
        let parent = try mkdirAll(root, "/" + join(names.dropLast()))
        return try body(parent.raw, names.last ?? ".")
    }

    /// The magic link that names an open descriptor, for calls that only take paths (mount(2)).
    static func procPath(_ fd: Int32) -> String { "/proc/self/fd/\(fd)" }
}
