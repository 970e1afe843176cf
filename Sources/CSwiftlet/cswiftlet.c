#define _GNU_SOURCE
#include "cswiftlet.h"

#include <sched.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <linux/netlink.h>

#ifndef __NR_clone3
#define __NR_clone3 435
#endif
#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif
#ifndef __NR_pidfd_send_signal
#define __NR_pidfd_send_signal 424
#endif
#ifndef __NR_open_tree
#define __NR_open_tree 428
#endif
#ifndef __NR_move_mount
#define __NR_move_mount 429
#endif
#ifndef __NR_mount_setattr
#define __NR_mount_setattr 442
#endif
#ifndef __NR_fsopen
#define __NR_fsopen 430
#endif
#ifndef __NR_fsconfig
#define __NR_fsconfig 431
#endif
#ifndef __NR_fsmount
#define __NR_fsmount 432
#endif
#ifndef __NR_openat2
#define __NR_openat2 437
#endif
#ifndef __NR_close_range
#define __NR_close_range 436
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif

/* Our own copies of the kernel structs, so the build does not depend on header versions. */
struct swl_clone_args {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
        set_tid_size, cgroup;
};
struct swl_mount_attr { uint64_t attr_set, attr_clr, propagation, userns_fd; };
struct swl_open_how { uint64_t flags, mode, resolve; };

#define SWL_CLONE_INTO_CGROUP 0x200000000ULL

pid_t swl_clone3(uint64_t flags, int *pidfd, int cgroup_fd) {
    struct swl_clone_args args;
    memset(&args, 0, sizeof(args));
    args.flags = flags;
    args.pidfd = (uint64_t)(uintptr_t)pidfd;
    /* clone3 refuses an exit signal with CLONE_PARENT: the child inherits the caller's. */
    args.exit_signal = (flags & CLONE_PARENT) ? 0 : SIGCHLD;
    if (cgroup_fd >= 0) {
        args.flags |= SWL_CLONE_INTO_CGROUP;
        args.cgroup = (uint64_t)cgroup_fd;
    }
    return (pid_t)syscall(__NR_clone3, &args, sizeof(args));
}

int swl_rename_exchange(const char *from, const char *to) {
    return (int)syscall(__NR_renameat2, AT_FDCWD, from, AT_FDCWD, to, 2 /* RENAME_EXCHANGE */);
}

ssize_t swl_splice_to_file(int pipe_fd, int fd, int64_t *offset, size_t count) {
    loff_t off = (loff_t)*offset;
    ssize_t n = splice(pipe_fd, NULL, fd, &off, count, 0);
    *offset = (int64_t)off;
    return n;
}

int swl_pidfd_open(pid_t pid, unsigned int flags) { return (int)syscall(__NR_pidfd_open, pid, flags); }

int swl_pidfd_send_signal(int pidfd, int sig, unsigned int flags) {
    return (int)syscall(__NR_pidfd_send_signal, pidfd, sig, NULL, flags);
}

static int waitid_common(idtype_t type, id_t id, int options, int *code, int *status) {
    siginfo_t info;
    memset(&info, 0, sizeof(info));
    if (waitid(type, id, &info, options) < 0) return -1;
    *code = info.si_code;
    *status = info.si_status;
    return info.si_pid;
}

int swl_waitid_pidfd(int pidfd, int options, int *code, int *status) {
    return waitid_common((idtype_t)P_PIDFD, (id_t)pidfd, options, code, status);
}

int swl_waitid_pid(pid_t pid, int options, int *code, int *status) {
    return waitid_common(P_PID, (id_t)pid, options, code, status);
}

int swl_pivot_root(const char *new_root, const char *put_old) {
    return (int)syscall(SYS_pivot_root, new_root, put_old);
}

int swl_open_tree(int dfd, const char *path, unsigned int flags) {
    return (int)syscall(__NR_open_tree, dfd, path, flags);
}

int swl_fsopen(const char *fstype, unsigned int flags) { return (int)syscall(__NR_fsopen, fstype, flags); }

int swl_fsconfig(int fsfd, const char *key, const char *value) {
    /* FSCONFIG_SET_FLAG 0, FSCONFIG_SET_STRING 1, FSCONFIG_CMD_CREATE 6 (linux/mount.h) */
    if (key == NULL) return (int)syscall(__NR_fsconfig, fsfd, 6, NULL, NULL, 0);
    if (value == NULL) return (int)syscall(__NR_fsconfig, fsfd, 0, key, NULL, 0);
    return (int)syscall(__NR_fsconfig, fsfd, 1, key, value, 0);
}

int swl_fsmount(int fsfd, unsigned int flags, unsigned int attr_flags) {
    return (int)syscall(__NR_fsmount, fsfd, flags, attr_flags);
}

int swl_move_mount(int from_dfd, const char *from_path, int to_dfd, const char *to_path, unsigned int flags) {
    return (int)syscall(__NR_move_mount, from_dfd, from_path, to_dfd, to_path, flags);
}

int swl_mount_setattr(int dfd, const char *path, unsigned int flags, uint64_t attr_set, uint64_t attr_clr,
                      uint64_t propagation, int userns_fd) {
    struct swl_mount_attr attr = {attr_set, attr_clr, propagation, userns_fd < 0 ? 0 : (uint64_t)userns_fd};
    return (int)syscall(__NR_mount_setattr, dfd, path, flags, &attr, sizeof(attr));
}

#ifndef __NR_statmount
#define __NR_statmount 457
#endif

/* statmount(2) (Linux 6.8), STATMOUNT_MNT_BASIC: the unique id of the mount `mnt_id` is attached to. */
int swl_statmount_parent(uint64_t mnt_id, uint64_t *parent_id) {
    struct { uint32_t size, spare; uint64_t mnt_id, param; } req = {24, 0, mnt_id, 0x2 /* STATMOUNT_MNT_BASIC */};
    /* struct statmount up to mnt_parent_id: size, mnt_opts, mask, sb_dev_major/minor, sb_magic,
     * sb_flags, fs_type, mnt_id, mnt_parent_id; the kernel fills what fits. */
    uint64_t buf[64];
    memset(buf, 0, sizeof buf);
    if (syscall(__NR_statmount, &req, buf, sizeof buf, 0) < 0)
        return -1;
    if (!(buf[1] & 0x2)) {
        errno = EOPNOTSUPP;
        return -1;
    }
    *parent_id = buf[6];
    return 0;
}

long swl_set_mempolicy(int mode, const unsigned long *nodemask, unsigned long maxnode) {
    return syscall(SYS_set_mempolicy, mode, nodemask, maxnode);
}

int swl_sched_setaffinity(pid_t pid, size_t size, const void *mask) {
    return (int)syscall(SYS_sched_setaffinity, pid, size, mask);
}

ssize_t swl_netlink_send(int fd, const void *buf, size_t len) {
    struct sockaddr_nl kernel;
    memset(&kernel, 0, sizeof kernel);
    kernel.nl_family = AF_NETLINK;
    return sendto(fd, buf, len, 0, (const struct sockaddr *)&kernel, sizeof kernel);
}

/* STATX_MNT_ID_UNIQUE (Linux 6.8): a 64-bit mount id that is never reused. */
#define SWL_STATX_MNT_ID_UNIQUE 0x4000U

int swl_statx_mount(int fd, uint64_t *mnt_id, int *unique, int *is_mount_root) {
    struct statx stx;
    memset(&stx, 0, sizeof stx);
    if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID | SWL_STATX_MNT_ID_UNIQUE, &stx) < 0)
        return -1;
    if (!(stx.stx_mask & (STATX_MNT_ID | SWL_STATX_MNT_ID_UNIQUE))) {
        errno = EOPNOTSUPP;
        return -1;
    }
    *mnt_id = stx.stx_mnt_id;
    *unique = (stx.stx_mask & SWL_STATX_MNT_ID_UNIQUE) != 0;
    *is_mount_root = (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) && (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
    return 0;
}

int swl_openat2(int dfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve) {
    struct swl_open_how how = {flags, mode, resolve};
    return (int)syscall(__NR_openat2, dfd, path, &how, sizeof(how));
}

int swl_close_range(unsigned int first, unsigned int last, unsigned int flags) {
    return (int)syscall(__NR_close_range, first, last, flags);
}

int swl_execveat_empty(int fd, char *const argv[], char *const envp[]) {
    return (int)syscall(SYS_execveat, fd, "", argv, envp, AT_EMPTY_PATH);
}

int swl_memfd_create(const char *name, unsigned int flags) { return memfd_create(name, flags); }

int swl_prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5) {
    return prctl(option, a2, a3, a4, a5);
}

/* capget(2) of the calling thread: the permitted set as a 64-bit mask (version 3, two words). */
int swl_capget_permitted(uint64_t *permitted) {
    struct { uint32_t version; int pid; } header = { 0x20080522 /* _LINUX_CAPABILITY_VERSION_3 */, 0 };
    struct { uint32_t effective, permitted, inheritable; } data[2];
    memset(data, 0, sizeof data);
    int rc = (int)syscall(SYS_capget, &header, data);
    if (rc == 0)
        *permitted = (uint64_t)data[0].permitted | ((uint64_t)data[1].permitted << 32);
    return rc;
}

int swl_ioctl_int(int fd, unsigned long request, int value) { return ioctl(fd, request, value); }
int swl_ioctl_ptr(int fd, unsigned long request, void *arg) { return ioctl(fd, request, arg); }
int swl_fcntl_int(int fd, int cmd, int value) { return fcntl(fd, cmd, value); }

int swl_set_winsize(int fd, unsigned short rows, unsigned short cols) {
    struct winsize ws;
    memset(&ws, 0, sizeof(ws));
    ws.ws_row = rows;
    ws.ws_col = cols;
    return ioctl(fd, TIOCSWINSZ, &ws);
}

int swl_get_winsize(int fd, unsigned short *rows, unsigned short *cols) {
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) < 0) return -1;
    *rows = ws.ws_row;
    *cols = ws.ws_col;
    return 0;
}

dev_t swl_makedev(unsigned int maj, unsigned int min) { return makedev(maj, min); }
unsigned int swl_major(dev_t dev) { return major(dev); }
unsigned int swl_minor(dev_t dev) { return minor(dev); }

ssize_t swl_send_with_fd(int sock, const void *buf, size_t len, int fd) {
    struct iovec iov = {(void *)buf, len};
    union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } control;
    struct msghdr msg;
    memset(&msg, 0, sizeof(msg));
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    if (fd >= 0) {
        memset(&control, 0, sizeof(control));
        msg.msg_control = control.buf;
        msg.msg_controllen = sizeof(control.buf);
        struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
        cmsg->cmsg_level = SOL_SOCKET;
        cmsg->cmsg_type = SCM_RIGHTS;
        cmsg->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
    }
    return sendmsg(sock, &msg, MSG_NOSIGNAL);
}

ssize_t swl_recv_with_fd(int sock, void *buf, size_t len, int *fd) {
    struct iovec iov = {buf, len};
    union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } control;
    struct msghdr msg;
    memset(&msg, 0, sizeof(msg));
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.buf;
    msg.msg_controllen = sizeof(control.buf);
    *fd = -1;
    ssize_t n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    if (n < 0) return n;
    for (struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
        if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS) memcpy(fd, CMSG_DATA(cmsg), sizeof(int));
    }
    return n;
}

_Static_assert(sizeof(struct termios) <= SWL_TERMIOS_SIZE, "termios buffer too small");

int swl_tty_make_raw(int fd, void *saved) {
    struct termios t;
    if (tcgetattr(fd, &t) < 0) return -1;
    memcpy(saved, &t, sizeof(t));
    cfmakeraw(&t);
    return tcsetattr(fd, TCSANOW, &t);
}

int swl_tty_restore(int fd, const void *saved) {
    struct termios t;
    memcpy(&t, saved, sizeof(t));
    return tcsetattr(fd, TCSANOW, &t);
}

_Static_assert(sizeof(sigset_t) <= 128, "sigset buffer too small");

int swl_block_all_signals(void *oldset) {
    sigset_t all;
    sigfillset(&all);
    return sigprocmask(SIG_BLOCK, &all, (sigset_t *)oldset);
}

int swl_restore_sigmask(const void *oldset) { return sigprocmask(SIG_SETMASK, (const sigset_t *)oldset, NULL); }

int swl_signalfd_all(void) {
    sigset_t all;
    sigfillset(&all);
    return signalfd(-1, &all, SFD_CLOEXEC | SFD_NONBLOCK);
}

int swl_signalfd_read(int sfd) {
    struct signalfd_siginfo si;
    ssize_t n = read(sfd, &si, sizeof(si));
    if (n < 0) return errno == EAGAIN ? 0 : -1;
    if (n != (ssize_t)sizeof(si)) return 0;
    return (int)si.ssi_signo;
}

long swl_statfs_type(const char *path) {
    struct statfs st;
    if (statfs(path, &st) < 0) return -1;
    return (long)st.f_type;
}

long swl_fstatfs_type(int fd) {
    struct statfs st;
    if (fstatfs(fd, &st) < 0) return -1;
    return (long)st.f_type;
}

int swl_flock(int fd, int operation) { return flock(fd, operation); }

int swl_stat(const char *path, int follow, struct stat *st) { return follow ? stat(path, st) : lstat(path, st); }

int swl_setns(int fd, int nstype) { return setns(fd, nstype); }
int swl_unshare(int flags) { return unshare(flags); }
int swl_setresuid(uid_t uid) { return setresuid(uid, uid, uid); }
int swl_setresgid(gid_t gid) { return setresgid(gid, gid, gid); }
int swl_pipe2(int fds[2], int flags) { return pipe2(fds, flags); }

long swl_statvfs_flags(const char *path) {
    struct statvfs st;
    if (statvfs(path, &st) < 0) return -1;
    return (long)st.f_flag;
}

long swl_join_session_keyring(const char *name) { return syscall(SYS_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, name); }

#include <linux/seccomp.h>

int swl_notif_recv(int listener, uint64_t *id, uint32_t *pid, int32_t *nr, uint32_t *arch)
{
    struct seccomp_notif n;
    /* The kernel refuses a struct that is not zeroed (EINVAL). */
    memset(&n, 0, sizeof n);
    if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &n) < 0)
        return -1;
    *id = n.id;
    *pid = n.pid;
    *nr = n.data.nr;
    *arch = n.data.arch;
    return 0;
}

int swl_notif_continue(int listener, uint64_t id)
{
    struct seccomp_notif_resp r;
    memset(&r, 0, sizeof r);
    r.id = id;
    r.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    return ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &r);
}
