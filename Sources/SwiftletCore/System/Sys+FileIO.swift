import CSwiftlet
import Glibc

/// Whole files and streams by path or descriptor: open, read, write, append, the standard streams.
extension Sys {
    public static func open(_ path: String, _ flags: Int32, mode: mode_t = 0) throws(SystemError) -> FileDescriptor {
        let fd = try check("open", path) { Glibc.open(path, flags | O_CLOEXEC, mode) }
        return FileDescriptor(fd)
    }

    public static func openat(_ dirfd: Int32, _ path: String, _ flags: Int32, mode: mode_t = 0, display: String? = nil)
        throws(SystemError) -> FileDescriptor
    {
        let fd = try check("open", display ?? path) { Glibc.openat(dirfd, path, flags | O_CLOEXEC, mode) }
        return FileDescriptor(fd)
    }

    /// openat2(2): `resolve` is a set of RESOLVE_* flags, e.g. RESOLVE_IN_ROOT to treat `dirfd`
    /// as the root for every symlink and `..` met on the way.
    public static func openat2(_ dirfd: Int32, _ path: String, _ flags: Int32, mode: mode_t = 0, resolve: UInt64,
                               display: String? = nil) throws(SystemError) -> FileDescriptor {
        // With `..` in the path, RESOLVE_IN_ROOT/RESOLVE_BENEATH fail with EAGAIN whenever any
        // rename or mount happened on the host during the lookup (openat2(2)): retry a bounded
        // number of times, as the man page advises, instead of failing a create at random.
        var attempts = 0
        let fd = try check("open", display ?? path) {
            while true {
                let fd = swl_openat2(dirfd, path, UInt64(UInt32(bitPattern: flags | O_CLOEXEC)), UInt64(mode), resolve)
                attempts += 1
                if fd >= 0 || Glibc.errno != EAGAIN || attempts >= 128 { return fd }
            }
        }
        return FileDescriptor(fd)
    }

    /// Reads to end of file straight into the result's storage (no bounce buffer: procfs and
    /// cgroupfs files report size 0, so the buffer grows by doubling from 4 KiB).
    public static func readAll(_ fd: borrowing FileDescriptor, path: String) throws(SystemError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 4096)
        var used = 0
        while true {
            if used == out.count { out.append(contentsOf: repeatElement(0, count: out.count)) }
            let n = try check("read", path) {
                out.withUnsafeMutableBytes { Glibc.read(fd.raw, $0.baseAddress.map { $0 + used }, $0.count - used) }
            }
            if n == 0 { break }
            used += n
        }
        out.removeLast(out.count - used)
        return out
    }

    /// One read(2) of at most `count` bytes: what was there (empty at end of file).
    public static func readSome(_ fd: Int32, count: Int, path: String) throws(SystemError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        let n = try check("read", path) { out.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) } }
        out.removeLast(out.count - n)
        return out
    }

    public static func readFile(_ path: String) throws(SystemError) -> [UInt8] {
        let fd = try open(path, O_RDONLY)
        return try readAll(fd, path: path)
    }

    /// Reads a small text file (procfs, cgroupfs) without its trailing newline.
    public static func readText(_ path: String) throws(SystemError) -> String {
        let bytes = try readFile(path)
        var text = String(decoding: bytes, as: UTF8.self)
        while text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    public static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(SystemError) {
        var offset = 0
        while offset < bytes.count {
            let n = try check("write", path) {
                bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress.map { $0 + offset }, $0.count - offset) }
            }
            offset += n
        }
    }

    /// One write(2) of `bytes[offset...]` to a non-blocking `fd`: the count written, 0 when the
    /// fd would block (EAGAIN).
    public static func writeSome(_ fd: Int32, _ bytes: [UInt8], from offset: Int, path: String) throws(SystemError) -> Int {
        let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress.map { $0 + offset }, $0.count - offset) }
        let err = errno
        if n >= 0 { return n }
        if err == Glibc.EAGAIN || err == Glibc.EINTR { return 0 }
        throw SystemError(errno: err, operation: "write", path: path)
    }

    /// Writes `text` to an existing file (procfs, sysfs, cgroupfs) in one write(2), as the
    /// kernel interfaces expect.
    public static func writeText(_ path: String, _ text: String, dirfd: Int32 = AT_FDCWD) throws(SystemError) {
        let fd = try openat(dirfd, path, O_WRONLY)
        try writeAll(fd.raw, Array(text.utf8), path: path)
    }

    /// Writes a file atomically: a temporary file in the same directory, then rename, so a
    /// reader sees the old or the new content, never a mix. No fsync (as runc and crun): what
    /// this writes (state.json, pid files) describes processes that do not survive a crash of
    /// the machine, and an fsync costs 5-10 ms on ext4 on every create/start.
    ///
    /// An existing file is replaced by swapping the two names (renameat2 RENAME_EXCHANGE) and
    /// unlinking the old content, not by rename(2) over it: on ext4 a rename that replaces a
    /// file starts writeback of the new one first (the auto_da_alloc heuristic), 0.4-2.5 ms
    /// per write on this host against 0.02 ms for the swap. Readers see the same thing either
    /// way: the old file or the new one under `path`, never a mix and never no file.
    public static func writeFileAtomically(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o644) throws(SystemError) {
        let tmp = path + ".tmp"
        let fd = try open(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode: mode)
        do throws(SystemError) {
            try writeAll(fd.raw, bytes, path: tmp)
            if try swapIn(tmp, path) {
                _ = Glibc.unlink(tmp)  // the old content; a leftover is truncated by the next write
            }
        } catch {
            _ = Glibc.unlink(tmp)
            throw error
        }
    }

    /// `writeFileAtomically` for a file rewritten many times (state.json), keeping the swapped-out
    /// file as the next write's temporary file instead of unlinking it: a container's record
    /// then costs two inodes, however often it is written (the first write and the spare),
    /// where every write used to make one. On ext4 without a journal (this project's CI hosts,
    /// whose /run is not a tmpfs) each new inode walks the inodes freed in the last minutes,
    /// a cost that grows with container churn (docs/performance.md item 35).
    ///
    /// The spare is emptied while a reader may still hold it (it was the file under `path`
    /// when the reader opened it), so writer and readers agree through flock(2) on the file
    /// itself: the writer rewrites and swaps the spare under LOCK_EX, a reader reads under
    /// LOCK_SH (`readFileShared`). A reader therefore sees one whole write, old or new, never
    /// a rewrite in progress. Callers serialize writers themselves (the container's lock).
    /// A crash leaves `path` whole: only the spare can be half written, and the next write
    /// rewrites all of it.
    public static func writeFileKeepingSpare(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o600) throws(SystemError) {
        let tmp = path + ".tmp"
        // No O_TRUNC: the spare is rewritten only under the lock below. And never emptied: on
        // ext4 a truncation to size 0 makes the close start writeback of the new content
        // (auto_da_alloc), so the new bytes go over the old ones from offset 0 and the file is
        // then cut to their length.
        let fd = try open(tmp, O_WRONLY | O_CREAT, mode: mode)
        try lockExclusive(fd.raw, path: tmp)
        try writeAll(fd.raw, bytes, path: tmp)
        _ = try check("ftruncate", tmp) { Glibc.ftruncate(fd.raw, off_t(bytes.count)) }
        _ = try swapIn(tmp, path)  // after a swap `tmp` holds the old content: the spare
    }

    /// Rewrites the start of an existing file in place and keeps the rest: `head`, then
    /// `filler` bytes up to where the file's last `tail.count` bytes begin, which must be `tail`
    /// byte for byte and must begin within the first page. No inode is made, and none freed.
    ///
    /// The write cannot be seen or left half done. Readers take LOCK_SH (`readFileShared`) and
    /// this holds LOCK_EX. The new bytes reach the file by splice(2) from a pipe, whose buffer
    /// is one kernel page: the filesystem copies a buffered write folio by folio and checks for
    /// a fatal signal only between them, and a copy from a kernel page cannot stop half-way
    /// on a fault as a copy from the caller's memory could, so a SIGKILL lands before the
    /// write (nothing changed) or after it (all of it). A crash of the machine can tear it, as
    /// any unsynced write, and ends every process the file describes.
    ///
    /// Returns false having written nothing when the file is not laid out for it: missing,
    /// not ending with `tail`, `head` longer than what precedes the tail, or the tail starting
    /// beyond the first page. The caller then writes the whole file another way.
    public static func rewriteHeadInPlace(_ path: String, head: [UInt8], tail: [UInt8], filler: UInt8)
        throws(SystemError) -> Bool
    {
        let raw = Glibc.open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC)
        if raw < 0 {
            let err = Glibc.errno
            if err == ENOENT { return false }
            throw SystemError(errno: err, operation: "open", path: path)
        }
        let fd = FileDescriptor(raw)
        try lockExclusive(fd.raw, path: path)
        let start = Int(try fstat(fd.raw, path: path).size) - tail.count
        guard start >= head.count, start <= Int(Glibc.sysconf(Int32(_SC_PAGESIZE))) else { return false }
        var current = [UInt8](repeating: 0, count: tail.count)
        let read = try check("read", path) {
            current.withUnsafeMutableBytes { Glibc.pread(fd.raw, $0.baseAddress, $0.count, off_t(start)) }
        }
        guard read == tail.count, current == tail else { return false }

        let pipe = try Sys.pipe()
        try writeAll(pipe.second.raw, head + [UInt8](repeating: filler, count: start - head.count), path: "pipe")
        var offset: Int64 = 0
        let written: Int
        do {
            written = try check("splice", path) { swl_splice_to_file(pipe.first.raw, fd.raw, &offset, start) }
        } catch {
            if error.errno == EINVAL { return false }  // a filesystem that takes no splice: nothing was written
            throw error
        }
        // Cannot happen for one page (see above); were it to, the file would be torn: say so.
        guard written == start else {
            throw SystemError(errno: EIO, operation: "splice (short: \(written) of \(start) bytes)", path: path)
        }
        return true
    }

    /// Puts `tmp` in place of `path`: swapped with it (renameat2 RENAME_EXCHANGE, true: `tmp`
    /// then names the old content), or renamed over it (false) where there is nothing to swap
    /// with yet (ENOENT) or the filesystem cannot swap (EINVAL, ENOSYS).
    private static func swapIn(_ tmp: String, _ path: String) throws(SystemError) -> Bool {
        if swl_rename_exchange(tmp, path) == 0 { return true }
        let err = Glibc.errno
        guard err == ENOENT || err == EINVAL || err == ENOSYS else {
            throw SystemError(errno: err, operation: "rename", path: path)
        }
        _ = try check("rename", path) { Glibc.rename(tmp, path) }
        return false
    }

    /// Reads a file written by `writeFileKeepingSpare`, under LOCK_SH on the file read.
    public static func readFileShared(_ path: String) throws(SystemError) -> [UInt8] {
        let fd = try open(path, O_RDONLY)
        try lockShared(fd.raw, path: path)
        return try readAll(fd, path: path)
    }

    public static func writeStandardOutput(_ text: String) { _ = try? writeAll(1, Array(text.utf8), path: "stdout") }

    public static func writeStandardError(_ text: String) { _ = try? writeAll(2, Array(text.utf8), path: "stderr") }

    /// Appends one line to a log file (O_APPEND keeps concurrent writers' lines whole).
    public static func appendLine(_ path: String, _ line: String) {
        guard let fd = try? open(path, O_WRONLY | O_CREAT | O_APPEND, mode: 0o644) else { return }
        _ = try? writeAll(fd.raw, Array(line.utf8), path: path)
    }
}
