/// The v1 `tasks` files through which a freshly cloned child moves itself into the container's
/// cgroups, by writing "0" (the writing thread) to each: cgroup-v1/cgroups.rst "Attaching
/// processes". The runtime writing the child's pid to cgroup.procs instead moves a whole thread
/// group, which takes cgroup_threadgroup_rwsem for writing and waits for an RCU grace period
/// (5-15 ms per container on this host, on the critical path of every create); a thread moving
/// itself needs no such lock (kernel/cgroup/cgroup.c, cgroup_procs_write_start). The child is
/// single-threaded when it writes, so its one thread is the whole process.
///
/// The runtime opens the files before clone3, as root in the host's namespaces: cgroupfs checks
/// the opener's credentials, so a child already in a new user namespace can still write them.
/// The unified hierarchy is not here: clone3(CLONE_INTO_CGROUP) places the child there.
public final class CgroupSelfJoin: Sendable {
    /// O_WRONLY|O_CLOEXEC descriptors of the `tasks` files; closed with this value.
    let fds: [Int32]
    /// The cgroup directories they belong to, for `addProcess(_:besides:)` and errors.
    let directories: [String]

    init(fds: [Int32], directories: [String]) {
        self.fds = fds
        self.directories = directories
    }

    /// No file: the runtime places the process (v2 hosts, or nothing to join).
    public static let none = CgroupSelfJoin(fds: [], directories: [])

    /// Opens `tasks` in each directory (relative to its descriptor when `create` left one open);
    /// on failure the ones already opened are closed.
    static func open(_ directories: [CgroupDirectory]) throws(CgroupError) -> CgroupSelfJoin {
        var fds: [Int32] = []
        for directory in directories {
            do {
                fds.append(try directory.openFile("tasks", Linux.O_WRONLY | Linux.O_NOFOLLOW).take())
            } catch {
                for fd in fds { Sys.closeRaw(fd) }
                throw CgroupError(error, message: "opening tasks to join the cgroup")
            }
        }
        return CgroupSelfJoin(fds: fds, directories: directories.map(\.path))
    }

    /// In the cloned child, first thing: moves the calling (only) thread into every cgroup.
    /// The descriptors stay open (they are close-on-exec), so the runtime's copies are untouched.
    func join() throws(SystemError) {
        for (fd, directory) in zip(fds, directories) {
            try Sys.writeAll(fd, Array("0".utf8), path: directory + "/tasks")
        }
    }

    deinit {
        for fd in fds { Sys.closeRaw(fd) }
    }
}
