import CSwiftlet
import OCI

/// Bind sources opened by the runtime for a container in a user namespace (runc's "mount
/// fds", runtime-spec config.md "Mounts").
///
/// Why: in a user namespace the child that mounts is the container's root, an unprivileged uid
/// on the host, which cannot search a directory like a 0700 one of the host's root: a bind
/// source below it fails with EACCES, although the runtime that was asked to mount it could
/// reach it. So the child asks (`SyncMessage.needSources`), and a helper the runtime forks joins
/// the child's mount namespace, opens every bind source `O_PATH` with the runtime's
/// credentials, and hands each descriptor to the child (`SyncMessage.mountSource`). The child
/// binds through the descriptor's magic link. The descriptors must belong to the child's mount
/// namespace (the kernel binds only from a mount of the caller's namespace), which is why the
/// helper joins it; a fork, so that the runtime's own root and working directory never change.
enum MountSources {
    /// The bind mounts of `mounts` (a `bind` type or a `bind`/`rbind` option) by index, with
    /// their sources as the runtime resolves them (relative to the bundle unless absolute).
    static func binds(_ mounts: [Mount]?, bundle: String) -> [(index: Int, path: String)] {
        var result: [(index: Int, path: String)] = []
        for (index, mount) in (mounts ?? []).enumerated()
        where mount.type == "bind" || (mount.options ?? []).contains(where: { $0 == "bind" || $0 == "rbind" }) {
            result.append((index, MountPerformer.sourcePath(mount.source, bundle: bundle)))
        }
        return result
    }

    // MARK: child

    /// Asks the runtime for the bind sources and receives them until GO. A source the runtime
    /// could not open fails create here, naming the mount. `hostPID`: this process as the
    /// runtime sees it (getpid() says 1 in a new pid namespace).
    static func receive(_ sync: Int32, mounts: [Mount]?, hostPID: Int32) throws -> [Int: Int32] {
        let channel = SyncChannel(sync)
        try channel.send(.needSources(pid: hostPID))
        var sources: [Int: Int32] = [:]
        do {
            try channel.converse(closed: { RuntimeError("receive bind sources: the runtime went away") }) { message in
                switch message {
                case .go:
                    return .done
                case .mountSource(let index, let source):
                    sources[index] = source.take()
                case .mountSourceFailed(let index, let errno, let text):
                    let destination = (mounts ?? []).indices.contains(index) ? (mounts ?? [])[index].destination : "?"
                    throw RuntimeError("mounts[\(index)] (\(destination)): \(text)", errno: errno)
                case .ready, .error, .start, .started, .console, .childPID, .needMaps, .hooks, .needSources:
                    throw message.refused("receive bind sources")
                }
                return .next
            }
        } catch {
            for fd in sources.values { Sys.closeRaw(fd) }
            throw error
        }
        return sources
    }

    // MARK: runtime

    /// Opens `binds` in the mount namespace of `pid` (the child, which waits) and sends them on
    /// `sync`, then GO. The helper process writes on `sync` itself; the runtime waits for it
    /// before sending GO, so the child sees every source first.
    static func send(_ binds: [(index: Int, path: String)], to sync: SyncChannel, pid: Int32) throws {
        let target = try withContext("bind sources: the child's mount namespace") { try Sys.pidfdOpen(pid) }
        let helper = try withContext("bind sources: fork") { try Sys.clone3(flags: 0) }
        if helper.pid == 0 { openAndSend(binds, to: sync, namespace: target.raw) }
        let pidfd = FileDescriptor(helper.pidfd)
        let status = try withContext("bind sources: wait") { try Sys.wait(pidfd: pidfd.raw) }
        guard status == .exited(0) else {
            throw RuntimeError("bind sources: the helper that opens them in the container's mount namespace failed (exit status \(status.code))")
        }
        try withContext("bind sources") { try sync.send(.go) }
    }

    /// The helper: joins the mount namespace, sends each source or why it could not be opened,
    /// and exits (1 if it could not join or send; the runtime then fails create).
    private static func openAndSend(_ binds: [(index: Int, path: String)], to sync: SyncChannel, namespace: Int32) -> Never {
        do {
            try Sys.setns(namespace, Linux.CLONE_NEWNS, path: "the container's mount namespace")
            for (index, path) in binds {
                let message: SyncMessage
                do {
                    // Closed once sent (the child gets its own copy).
                    message = .mountSource(index: index, source: .owned(try Sys.open(path, Linux.O_PATH).take()))
                } catch {
                    message = .mountSourceFailed(index: index, errno: error.errno, text: "\(error)")
                }
                try sync.send(message)
            }
        } catch {
            Sys.exit(1)
        }
        Sys.exit(0)
    }
}
