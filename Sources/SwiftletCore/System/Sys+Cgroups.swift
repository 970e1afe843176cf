import CSwiftlet
import Glibc

/// Wrappers the cgroup layer needs: directory-fd based reads and writes of cgroupfs files, so
/// `Cgroups/` never touches open flags or libc.
extension Sys {
    public static let SIGKILL: Int32 = Glibc.SIGKILL

    /// O_PATH (fcntl.h, behind _GNU_SOURCE so Glibc does not export it).
    static let O_PATH: Int32 = 0o10_000_000

    /// An O_PATH|O_DIRECTORY descriptor: usable as the `dirfd` of *at calls and for
    /// clone3(CLONE_INTO_CGROUP), not for reading.
    public static func openDirectoryPath(_ path: String) throws(SystemError) -> FileDescriptor {
        try open(path, O_PATH | O_DIRECTORY)
    }

    /// A subdirectory of `dirfd` as an O_PATH|O_DIRECTORY descriptor, never following a symlink.
    public static func openDirectoryPath(at dirfd: Int32, _ name: String, display: String) throws(SystemError)
        -> FileDescriptor
    {
        try openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW, display: display)
    }

    /// Reads a small file below `dirfd` (a cgroupfs interface file) without its trailing newline.
    /// `display` is the full path, for errors.
    public static func readText(at dirfd: Int32, _ name: String, display: String) throws(SystemError) -> String {
        let fd = try openat(dirfd, name, O_RDONLY | O_NOFOLLOW, display: display)
        let bytes = try readAll(fd, path: display)
        var text = String(decoding: bytes, as: UTF8.self)
        while text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    /// Writes `text` in one write(2) to an existing file below `dirfd` (no O_CREAT, no O_TRUNC:
    /// cgroupfs files take one value per write).
    public static func writeText(at dirfd: Int32, _ name: String, _ text: String, display: String) throws(SystemError) {
        let fd = try openat(dirfd, name, O_WRONLY | O_NOFOLLOW, display: display)
        try writeAll(fd.raw, Array(text.utf8), path: display)
    }

    /// Whether `name` exists below `dirfd` (faccessat, no symlink following).
    public static func exists(at dirfd: Int32, _ name: String) -> Bool {
        Glibc.faccessat(dirfd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0
    }

    /// The names of the subdirectories of `dirfd` (an O_PATH descriptor is fine).
    public static func listSubdirectories(at dirfd: Int32, path: String) throws(SystemError) -> [String] {
        let dir = try openat(dirfd, ".", O_RDONLY | O_DIRECTORY, display: path)
        var result: [String] = []
        // cgroupfs reports d_type: one getdents instead of an fstatat per interface file.
        for entry in try listDirectoryEntries(dir.raw, path: path) {
            if entry.type == UInt8(DT_DIR) {
                result.append(entry.name)
            } else if entry.type == UInt8(DT_UNKNOWN) {
                var st = Glibc.stat()
                if Glibc.fstatat(dir.raw, entry.name, &st, AT_SYMLINK_NOFOLLOW) == 0 && (st.st_mode & S_IFMT) == S_IFDIR {
                    result.append(entry.name)
                }
            }
        }
        return result
    }

    /// The statfs f_type of the filesystem holding `fd`.
    public static func fsType(fd: Int32, path: String) throws(SystemError) -> Int {
        Int(try check("fstatfs", path) { swl_fstatfs_type(fd) })
    }
}
