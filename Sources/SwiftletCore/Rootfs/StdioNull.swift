/// The process's stdio, when it is the caller's null device, moved onto the container's own
/// `/dev/null` (as runc's init does after pivot_root).
///
/// Why: `create < /dev/null` (every detached engine run, the conformance suite, podman's
/// `--log-driver none`) gives the container's process a descriptor of the *host's* /dev/null,
/// whose mount is not in the container's mount namespace. CRIU cannot dump a file whose mount
/// it cannot find ("Can't lookup mount=N for fd=0 path=/dev/null", docs/checkpoint.md); the
/// container's own node is on its /dev, which CRIU dumps and restores with the rest. Reading or
/// writing either is the same (both are char 1:3).
///
/// The node opened is the one the runtime made itself moments ago (`DeviceCreator`, on the
/// fresh /dev of the container, before any process of the container ran): the caller passes
/// `ownDevices: false` when /dev is a bind from elsewhere, and nothing is reopened then. The
/// lookup is in the root (RESOLVE_IN_ROOT, no symlink at all: a device node is never reached
/// through one here) and what it opened must be the null device, else it is closed unused.
/// runtime-spec config-linux.md "Default Devices" (/dev/null is always supplied).
enum StdioNull {
    /// Replaces each of fds 0-2 that is the null device with the container's `/dev/null`, the
    /// access mode kept. `root`: a descriptor of the container's root (after pivot_root).
    static func reopen(root: Int32, ownDevices: Bool) throws {
        guard ownDevices else { return }
        var replacements: [(Int32, Int32)] = []
        for fd: Int32 in 0...2 {
            let info: Sys.FileInfo
            do {
                info = try Sys.fstat(fd, path: "stdio fd \(fd)")
            } catch {
                if error.errno == Errno.EBADF { continue }  // a closed stdio stays closed
                throw RuntimeError("process stdio", error)
            }
            guard info.kind == .charDevice, info.rdevMajor == 1, info.rdevMinor == 3 else { continue }
            let mode = try withContext("process stdio: flags of fd \(fd)") { try Sys.fileStatusFlags(fd) } & Linux.O_ACCMODE
            replacements.append((fd, mode))
        }
        for (fd, mode) in replacements {
            let resolve = InRoot.resolve | Linux.RESOLVE_NO_SYMLINKS
            let null = try withContext("process stdio: the container's /dev/null") {
                try Sys.openat2(root, "dev/null", mode | Linux.O_NOCTTY | Linux.O_CLOEXEC, resolve: resolve, display: "/dev/null")
            }
            let info = try withContext("process stdio: the container's /dev/null") { try Sys.fstat(null.raw, path: "/dev/null") }
            guard info.kind == .charDevice, info.rdevMajor == 1, info.rdevMinor == 3 else {
                // Not the null device (a linux.devices entry of another kind at /dev/null): the
                // process keeps the runtime's, as it did before; only a checkpoint would mind.
                continue
            }
            // dup2 clears close-on-exec on the target: the init and the process inherit it.
            try withContext("process stdio: fd \(fd) onto the container's /dev/null") { try Sys.dup2(null.raw, fd) }
        }
    }
}
