import OCI

/// The container's pty, for `create`/`run` with process.terminal and for `exec --tty`.
/// runtime-spec config.md "Process" (terminal, consoleSize).
///
/// The master is opened at the container's `/dev/pts/ptmx`, which the container's mounts
/// decide: it must be verified before the runtime trusts it (CVE-2025-52565 class). A FIFO or
/// a symlink to a host file there would otherwise hand the runtime something else as the
/// terminal. The slave is never looked up by path: TIOCGPTPEER opens it from the master.
enum Pty {
    /// The one way a pty is opened, for create's process.terminal and `exec --tty`: the
    /// container's `/dev/pts/ptmx` resolved inside `root` (openat2 RESOLVE_IN_ROOT, never a
    /// path the container could point at the host), opened O_NONBLOCK so no FIFO can hang us,
    /// verified as the multiplexer of a devpts instance, and its slave from TIOCGPTPEER.
    /// Returns the master (`first`) and the slave (`second`).
    static func open(root: Int32, size: Box?, context: String) throws -> FileDescriptorPair {
        let master = try withContext(context) {
            try InRoot.open(root, "/dev/pts/ptmx", flags: Linux.O_RDWR | Linux.O_NOCTTY | Linux.O_NONBLOCK)
        }
        let slave = try verifiedPeer(of: master.raw, display: "/dev/pts/ptmx", size: size, context: context)
        return FileDescriptorPair(master, slave)
    }

    /// Checks that `master` (opened O_NONBLOCK, so that no FIFO can hang the runtime) is the pty
    /// multiplexer, character device 5:2, on a devpts filesystem; unlocks it and returns its
    /// slave, sized to `size`. The master is left blocking, as a terminal's reader expects.
    private static func verifiedPeer(of master: Int32, display: String, size: Box?, context: String) throws -> FileDescriptor {
        let info = try withContext(context) { try Sys.fstat(master, path: display) }
        let type = try withContext(context) { try Sys.fsType(fd: master, path: display) }
        guard info.kind == .charDevice, info.rdevMajor == 5, info.rdevMinor == 2, type == Linux.DEVPTS_SUPER_MAGIC else {
            throw RuntimeError("\(context): \(display) in the container is not the pty multiplexer of a devpts instance"
                               + " (no devpts mount there, or something else mounted over it)", errno: Errno.ENOTTY)
        }
        return try withContext(context) { () throws(SystemError) -> FileDescriptor in
            try Sys.setNonBlocking(master, false)
            try Sys.unlockpt(master)
            let slave = FileDescriptor(try Sys.ioctl(master, Linux.TIOCGPTPEER, Linux.O_RDWR | Linux.O_NOCTTY | Linux.O_CLOEXEC,
                                                     operation: "open pty peer"))
            if let size {
                try Sys.setWindowSize(slave.raw, rows: UInt16(clamping: size.height), cols: UInt16(clamping: size.width))
            }
            return slave
        }
    }
}

/// /dev/console of a terminal container: the pty slave bound over it (as runc does), through
/// descriptors only.
enum Console {
    /// Binds `slave` over the container's /dev/console, made as an empty file when missing.
    /// Anything else at that name (a symlink that would carry the bind elsewhere, a FIFO, a
    /// directory) is refused, not followed and not replaced: /dev may be a bind of a host
    /// directory. The bind is a detached clone of the slave moved onto the descriptor that
    /// was checked.
    static func bind(_ slave: Int32, root: Int32) throws {
        try withContext("/dev/console") {
            let dev = try InRoot.mkdirAll(root, "/dev")
            let target = try consoleFile(in: dev.raw)
            let bind = try Sys.cloneMount(of: slave, recursive: false, display: "pty slave")
            try Sys.moveMount(bind.raw, onto: target.raw, display: "/dev/console")
        }
    }

    /// An O_PATH descriptor of `console` in the directory `dev`, a regular file or a character
    /// device (created empty, without following anything, when missing).
    static func consoleFile(in dev: Int32) throws(SystemError) -> FileDescriptor {
        do {
            _ = try Sys.openat(dev, "console", Linux.O_CREAT | Linux.O_EXCL | Linux.O_WRONLY | Linux.O_NOFOLLOW, mode: 0o600,
                               display: "/dev/console")
        } catch {
            if error.errno != Errno.EEXIST { throw error }
        }
        let existing = try Sys.openat(dev, "console", Linux.O_PATH | Linux.O_NOFOLLOW, display: "/dev/console")
        let kind = try Sys.fstat(existing.raw, path: "/dev/console").kind
        guard kind == .regular || kind == .charDevice else {
            throw SystemError(errno: Errno.ELOOP, operation: "refuse to bind the console over what is there (not a file or"
                              + " character device)", path: "/dev/console")
        }
        return existing
    }
}
