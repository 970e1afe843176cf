import CSwiftlet
import Glibc

/// Descriptors themselves: flags, duplication, closing, locks, memfds.
extension Sys {
    /// An exclusive flock(2) on an open descriptor; blocks until it is granted.
    public static func lockExclusive(_ fd: Int32, path: String) throws(SystemError) {
        _ = try check("flock", path) { swl_flock(fd, LOCK_EX) }
    }

    public static func lockShared(_ fd: Int32, path: String) throws(SystemError) {
        _ = try check("flock", path) { swl_flock(fd, LOCK_SH) }
    }

    public static func fcntl(_ fd: Int32, _ cmd: Int32, _ value: Int32, operation: String = "fcntl") throws(SystemError) -> Int32 {
        try check(operation) { swl_fcntl_int(fd, cmd, value) }
    }

    public static func setCloexec(_ fd: Int32, _ on: Bool) throws(SystemError) {
        let flags = try fcntl(fd, F_GETFD, 0)
        _ = try fcntl(fd, F_SETFD, on ? flags | FD_CLOEXEC : flags & ~FD_CLOEXEC)
    }

    public static func dup(_ fd: Int32, minimum: Int32 = 3) throws(SystemError) -> FileDescriptor {
        FileDescriptor(try fcntl(fd, F_DUPFD_CLOEXEC, minimum, operation: "dup"))
    }

    public static func dup2(_ fd: Int32, _ target: Int32) throws(SystemError) {
        _ = try check("dup2") { Glibc.dup2(fd, target) }
    }

    public static func closeRange(from first: UInt32, cloexecOnly: Bool) throws(SystemError) {
        _ = try check("close_range") { swl_close_range(first, UInt32.max, cloexecOnly ? Linux.CLOSE_RANGE_CLOEXEC : 0) }
    }

    /// A sealed, executable, close-on-exec memfd holding a copy of the file at `path`: nobody
    /// (not even root) can write it any more, and executing it does not expose a host file.
    /// The kernel copies it (sendfile), so the runtime never reads the program into its memory.
    public static func sealedMemfd(name: String, copying path: String) throws(SystemError) -> FileDescriptor {
        let source = try open(path, O_RDONLY)
        var fd = swl_memfd_create(name, Linux.MFD_CLOEXEC | Linux.MFD_ALLOW_SEALING | Linux.MFD_EXEC)
        if fd < 0 && Glibc.errno == EINVAL {  // kernels before 6.3 do not know MFD_EXEC
            fd = swl_memfd_create(name, Linux.MFD_CLOEXEC | Linux.MFD_ALLOW_SEALING)
        }
        if fd < 0 { throw SystemError(errno: Glibc.errno, operation: "memfd_create", path: name) }
        let memfd = FileDescriptor(fd)
        while true {
            let n = try check("sendfile", path) { Glibc.sendfile(memfd.raw, source.raw, nil, 1 << 30) }
            if n == 0 { break }
        }
        let seals = Linux.F_SEAL_SEAL | Linux.F_SEAL_SHRINK | Linux.F_SEAL_GROW | Linux.F_SEAL_WRITE
        _ = try fcntl(memfd.raw, Linux.F_ADD_SEALS, seals, operation: "seal memfd")
        return memfd
    }

    /// A plain (writable, unsealed) memfd for handing data to a child.
    public static func memfd(name: String, bytes: [UInt8]) throws(SystemError) -> FileDescriptor {
        let fd = FileDescriptor(try check("memfd_create", name) { swl_memfd_create(name, Linux.MFD_CLOEXEC) })
        try writeAll(fd.raw, bytes, path: "memfd:" + name)
        _ = try check("lseek", name) { Glibc.lseek(fd.raw, 0, SEEK_SET) }
        return fd
    }

    /// flock(LOCK_EX|LOCK_NB): true when the lock was free (it is held until `fd` closes).
    public static func tryLock(_ fd: Int32) -> Bool { swl_flock(fd, LOCK_EX | LOCK_NB) == 0 }
}
