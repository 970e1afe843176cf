/// Linux constants the Glibc module does not export (they sit behind `_GNU_SOURCE` or in
/// headers Swift does not import). Values from the kernel's uapi headers.
public enum Linux {
    // clone(2) / unshare(2) / setns(2) flags (linux/sched.h)
    public static let CLONE_NEWTIME: UInt64 = 0x0000_0080
    public static let CLONE_NEWNS: UInt64 = 0x0002_0000
    public static let CLONE_PIDFD: UInt64 = 0x0000_1000
    public static let CLONE_PARENT: UInt64 = 0x0000_8000
    public static let CLONE_NEWCGROUP: UInt64 = 0x0200_0000
    public static let CLONE_NEWUTS: UInt64 = 0x0400_0000
    public static let CLONE_NEWIPC: UInt64 = 0x0800_0000
    public static let CLONE_NEWUSER: UInt64 = 0x1000_0000
    public static let CLONE_NEWPID: UInt64 = 0x2000_0000
    public static let CLONE_NEWNET: UInt64 = 0x4000_0000

    // open_tree(2) / move_mount(2) / mount_setattr(2) (linux/mount.h)
    public static let OPEN_TREE_CLONE: UInt32 = 1
    public static let OPEN_TREE_CLOEXEC: UInt32 = 0o2000000
    public static let FSOPEN_CLOEXEC: UInt32 = 1
    public static let FSMOUNT_CLOEXEC: UInt32 = 1
    public static let AT_RECURSIVE: UInt32 = 0x8000
    public static let AT_EMPTY_PATH: UInt32 = 0x1000
    public static let AT_SYMLINK_NOFOLLOW: UInt32 = 0x100
    public static let MOVE_MOUNT_F_EMPTY_PATH: UInt32 = 0x4
    public static let MOVE_MOUNT_T_EMPTY_PATH: UInt32 = 0x40
    public static let MOUNT_ATTR_RDONLY: UInt64 = 0x1
    public static let MOUNT_ATTR_NOSUID: UInt64 = 0x2
    public static let MOUNT_ATTR_NODEV: UInt64 = 0x4
    public static let MOUNT_ATTR_NOEXEC: UInt64 = 0x8
    public static let MOUNT_ATTR__ATIME: UInt64 = 0x70
    public static let MOUNT_ATTR_RELATIME: UInt64 = 0x0
    public static let MOUNT_ATTR_NOATIME: UInt64 = 0x10
    public static let MOUNT_ATTR_STRICTATIME: UInt64 = 0x20
    public static let MOUNT_ATTR_NODIRATIME: UInt64 = 0x80
    public static let MOUNT_ATTR_NOSYMFOLLOW: UInt64 = 0x0020_0000
    public static let MOUNT_ATTR_IDMAP: UInt64 = 0x0010_0000

    // openat2(2) resolve flags (linux/openat2.h)
    public static let RESOLVE_NO_XDEV: UInt64 = 0x01
    public static let RESOLVE_NO_MAGICLINKS: UInt64 = 0x02
    public static let RESOLVE_NO_SYMLINKS: UInt64 = 0x04
    public static let RESOLVE_BENEATH: UInt64 = 0x08
    public static let RESOLVE_IN_ROOT: UInt64 = 0x10

    // memfd (linux/memfd.h, fcntl seals)
    public static let MFD_CLOEXEC: UInt32 = 0x1
    public static let MFD_ALLOW_SEALING: UInt32 = 0x2
    public static let MFD_EXEC: UInt32 = 0x10
    public static let F_ADD_SEALS: Int32 = 1033
    public static let F_SEAL_SEAL: Int32 = 0x1
    public static let F_SEAL_SHRINK: Int32 = 0x2
    public static let F_SEAL_GROW: Int32 = 0x4
    public static let F_SEAL_WRITE: Int32 = 0x8

    // prctl(2)
    public static let PR_SET_PDEATHSIG: Int32 = 1
    public static let PR_SET_DUMPABLE: Int32 = 4
    public static let PR_SET_CHILD_SUBREAPER: Int32 = 36

    // close_range(2)
    public static let CLOSE_RANGE_CLOEXEC: UInt32 = 1 << 2

    // ioctl(2) requests for ptys (asm-generic/ioctls.h)
    public static let TIOCGPTN: UInt = 0x8004_5430
    public static let TIOCSPTLCK: UInt = 0x4004_5431
    public static let TIOCGPTPEER: UInt = 0x5441

    // waitid(2) si_code values
    public static let CLD_EXITED: Int32 = 1
    public static let CLD_KILLED: Int32 = 2
    public static let CLD_DUMPED: Int32 = 3

    // statfs magic numbers
    public static let PROC_SUPER_MAGIC: Int = 0x9fa0
    public static let DEVPTS_SUPER_MAGIC: Int = 0x1cd1
    /// The inode number of every procfs instance's root directory (fs/proc/root.c).
    public static let PROC_ROOT_INO: UInt64 = 1
    public static let CGROUP2_SUPER_MAGIC: Int = 0x6367_7270

    // mount(2) flags (linux/mount.h)
    public static let MS_RDONLY: UInt = 1
    public static let MS_NOSUID: UInt = 2
    public static let MS_NODEV: UInt = 4
    public static let MS_NOEXEC: UInt = 8
    public static let MS_SYNCHRONOUS: UInt = 16
    public static let MS_REMOUNT: UInt = 32
    public static let MS_MANDLOCK: UInt = 64
    public static let MS_DIRSYNC: UInt = 128
    public static let MS_NOSYMFOLLOW: UInt = 256
    public static let MS_NOATIME: UInt = 1024
    public static let MS_NODIRATIME: UInt = 2048
    public static let MS_BIND: UInt = 4096
    public static let MS_MOVE: UInt = 8192
    public static let MS_REC: UInt = 16384
    public static let MS_SILENT: UInt = 32768
    public static let MS_UNBINDABLE: UInt = 1 << 17
    public static let MS_PRIVATE: UInt = 1 << 18
    public static let MS_SLAVE: UInt = 1 << 19
    public static let MS_SHARED: UInt = 1 << 20
    public static let MS_RELATIME: UInt = 1 << 21
    public static let MS_I_VERSION: UInt = 1 << 23
    public static let MS_STRICTATIME: UInt = 1 << 24
    public static let MS_LAZYTIME: UInt = 1 << 25

    // open(2) flags used outside System/ (asm-generic/fcntl.h, x86_64 and arm64 agree)
    public static let O_RDONLY: Int32 = 0
    public static let O_WRONLY: Int32 = 1
    public static let O_RDWR: Int32 = 2
    public static let O_ACCMODE: Int32 = 3
    /// fcntl(2): the file status flags (access mode in O_ACCMODE).
    public static let F_GETFL: Int32 = 3
    public static let O_CREAT: Int32 = 0o100
    public static let O_EXCL: Int32 = 0o200
    public static let O_NOCTTY: Int32 = 0o400
    public static let O_TRUNC: Int32 = 0o1000
    public static let O_NONBLOCK: Int32 = 0o4000
    public static let O_DIRECTORY: Int32 = 0o200000
    public static let O_NOFOLLOW: Int32 = 0o400000
    public static let O_CLOEXEC: Int32 = 0o2000000
    public static let O_PATH: Int32 = 0o10000000

    public static let AT_FDCWD: Int32 = -100

    // file type bits for mknod(2)
    public static let S_IFCHR: UInt32 = 0o020000
    public static let S_IFBLK: UInt32 = 0o060000
    public static let S_IFIFO: UInt32 = 0o010000

    // errno values: System/Errno.swift

    // signals
    public static let SIGKILL: Int32 = 9
    public static let SIGHUP: Int32 = 1
    public static let SIGINT: Int32 = 2
    public static let SIGPIPE: Int32 = 13
    // poll(2) events
    public static let POLLIN: Int16 = 0x001
    public static let POLLERR: Int16 = 0x008
    public static let POLLHUP: Int16 = 0x010
    public static let SIGTERM: Int32 = 15
    public static let SIGCHLD: Int32 = 17
    public static let SIGWINCH: Int32 = 28
}
