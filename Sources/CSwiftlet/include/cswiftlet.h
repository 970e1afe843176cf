/*
 * C glue for the few Linux calls Swift cannot make cleanly: syscalls glibc does not wrap
 * (clone3, pidfd_*, pivot_root, the new mount API, openat2, close_range), variadic calls
 * (prctl, ioctl, fcntl) and macros (makedev, W*). Every function returns -1 with errno set
 * on failure, exactly like the syscall it wraps. The Swift side (SwiftletCore/System) is the
 * only caller; it retries EINTR and turns errno into typed errors.
 */
#ifndef CSWIFTLET_H
#define CSWIFTLET_H

#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>
#include "swiftlet_plan.h"

/* clone3(2) with fork semantics (no new stack). Returns the child's pid in the parent (and its
 * pidfd in *pidfd when CLONE_PIDFD is in flags), 0 in the child. cgroup_fd < 0: no
 * CLONE_INTO_CGROUP. */
pid_t swl_clone3(uint64_t flags, int *pidfd, int cgroup_fd);

int swl_pidfd_open(pid_t pid, unsigned int flags);
/* renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_EXCHANGE): swaps two existing names atomically. */
int swl_rename_exchange(const char *from, const char *to);
/* splice(2) from a pipe into a file at *offset (glibc declares it only under _GNU_SOURCE). */
ssize_t swl_splice_to_file(int pipe_fd, int fd, int64_t *offset, size_t count);
int swl_pidfd_send_signal(int pidfd, int sig, unsigned int flags);
/* waitid(P_PIDFD): on success *code is CLD_EXITED/CLD_KILLED/CLD_DUMPED..., *status the exit code or signal. */
int swl_waitid_pidfd(int pidfd, int options, int *code, int *status);
/* waitid(P_PID) variant for plain children. */
int swl_waitid_pid(pid_t pid, int options, int *code, int *status);

int swl_pivot_root(const char *new_root, const char *put_old);
int swl_open_tree(int dfd, const char *path, unsigned int flags);
int swl_move_mount(int from_dfd, const char *from_path, int to_dfd, const char *to_path, unsigned int flags);
int swl_mount_setattr(int dfd, const char *path, unsigned int flags, uint64_t attr_set, uint64_t attr_clr, uint64_t propagation,
                      int userns_fd);
/* statx of fd: its mount's id (unique: STATX_MNT_ID_UNIQUE, Linux 6.8) and whether fd is the root of that mount. */
int swl_statx_mount(int fd, uint64_t *mnt_id, int *unique, int *is_mount_root);
/* statmount(2) (Linux 6.8): the unique id of the mount that mount `mnt_id` (unique) is attached to. */
int swl_statmount_parent(uint64_t mnt_id, uint64_t *parent_id);
/* set_mempolicy(2): mode with its MPOL_F_* flags, a node mask of maxnode bits. */
long swl_set_mempolicy(int mode, const unsigned long *nodemask, unsigned long maxnode);
/* sched_setaffinity(2) with a raw mask of `size` bytes. */
int swl_sched_setaffinity(pid_t pid, size_t size, const void *mask);
/* sendto(2) of a netlink request to the kernel (nl_pid 0). */
ssize_t swl_netlink_send(int fd, const void *buf, size_t len);
/* The filesystem context API: fsopen(2) a filesystem type, fsconfig(2) one string parameter
 * (key NULL: FSCONFIG_CMD_CREATE; value NULL: FSCONFIG_SET_FLAG), fsmount(2) a detached mount. */
int swl_fsopen(const char *fstype, unsigned int flags);
int swl_fsconfig(int fsfd, const char *key, const char *value);
int swl_fsmount(int fsfd, unsigned int flags, unsigned int attr_flags);
int swl_openat2(int dfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve);
int swl_close_range(unsigned int first, unsigned int last, unsigned int flags);
int swl_execveat_empty(int fd, char *const argv[], char *const envp[]);
int swl_memfd_create(const char *name, unsigned int flags);

int swl_prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5);
int swl_capget_permitted(uint64_t *permitted);
int swl_ioctl_int(int fd, unsigned long request, int value);
int swl_ioctl_ptr(int fd, unsigned long request, void *arg);
int swl_fcntl_int(int fd, int cmd, int value);
int swl_set_winsize(int fd, unsigned short rows, unsigned short cols);
int swl_get_winsize(int fd, unsigned short *rows, unsigned short *cols);

dev_t swl_makedev(unsigned int major, unsigned int minor);
unsigned int swl_major(dev_t dev);
unsigned int swl_minor(dev_t dev);

/* SCM_RIGHTS: send `len` bytes with one fd (fd < 0: none). */
ssize_t swl_send_with_fd(int sock, const void *buf, size_t len, int fd);
/* Receive up to `len` bytes; *fd is the attached fd or -1. Received fds are O_CLOEXEC. */
ssize_t swl_recv_with_fd(int sock, void *buf, size_t len, int *fd);

/* Terminal raw mode for `run` with a terminal: saves the old mode into *saved (an opaque
 * struct termios sized buffer of SWL_TERMIOS_SIZE bytes). */
#define SWL_TERMIOS_SIZE 64
int swl_tty_make_raw(int fd, void *saved);
int swl_tty_restore(int fd, const void *saved);

/* Signal set helpers for single-threaded signal forwarding. */
int swl_block_all_signals(void *oldset_128_bytes);
int swl_restore_sigmask(const void *oldset_128_bytes);
int swl_signalfd_all(void);
/* Reads one signal from a signalfd: returns the signal number, 0 if none, -1 on error. */
int swl_signalfd_read(int sfd);

/* statfs f_type of a path or fd, or -1. */
long swl_statfs_type(const char *path);
long swl_fstatfs_type(int fd);
int swl_flock(int fd, int operation);
/* statvfs(3) f_flag of a path, or -1. */
long swl_statvfs_flags(const char *path);
/* GNU extensions that Swift's Glibc module hides. */
int swl_setns(int fd, int nstype);
int swl_unshare(int flags);
int swl_setresuid(uid_t uid);
int swl_setresgid(gid_t gid);
int swl_pipe2(int fds[2], int flags);
/* keyctl(KEYCTL_JOIN_SESSION_KEYRING, name): a new session keyring for the container. */
long swl_join_session_keyring(const char *name);
struct stat;
/* stat(2) or lstat(2). */
int swl_stat(const char *path, int follow, struct stat *st);

/* bpf(2) for the cgroup v2 device controller (bpf.c). BPF_PROG_TYPE_CGROUP_DEVICE program of
 * `insn_count` 8-byte instructions; `log` (may be NULL) receives the verifier's output. */
int swl_bpf_load_cgroup_device(const void *insns, uint32_t insn_count, const char *license,
                               char *log, uint32_t log_size);
/* BPF_PROG_ATTACH; replace_fd >= 0 adds BPF_F_REPLACE of that program. */
int swl_bpf_prog_attach(int target_fd, int prog_fd, uint32_t attach_type, uint32_t flags, int replace_fd);
int swl_bpf_prog_detach(int target_fd, int prog_fd, uint32_t attach_type);
/* BPF_PROG_QUERY: *count in: capacity of ids, out: programs attached (also on ENOSPC). */
int swl_bpf_prog_query(int target_fd, uint32_t attach_type, uint32_t *ids, uint32_t *count);
int swl_bpf_prog_get_fd_by_id(uint32_t id);

/* Seccomp user notification (the recorder): SECCOMP_IOCTL_NOTIF_RECV into a zeroed struct,
 * returning the id, pid, syscall number and AUDIT_ARCH of the call; and the answer "let the
 * call run" (SECCOMP_USER_NOTIF_FLAG_CONTINUE). */
int swl_notif_recv(int listener, uint64_t *id, uint32_t *pid, int32_t *nr, uint32_t *arch);
int swl_notif_continue(int listener, uint64_t id);

#endif
