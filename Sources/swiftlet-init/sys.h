/*
 * Raw system calls glibc does not wrap (or wraps in a way the init cannot use), and the one
 * EINTR-retry helper. This is the only file of the init that calls syscall(2).
 */
#ifndef SWINIT_SYS_H
#define SWINIT_SYS_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct sock_fprog;

/*
 * Evaluates `expr` (a call returning -1 and setting errno on failure) again while it fails with
 * EINTR; yields its last value as a long. Every blocking call of the init goes through it.
 */
#define SYS_RETRY(expr)                                                     \
    __extension__({                                                         \
        long sys_retry_r_;                                                  \
        do {                                                                \
            sys_retry_r_ = (long)(expr);                                    \
        } while (sys_retry_r_ == -1 && errno == EINTR);                     \
        sys_retry_r_;                                                       \
    })

/* Blocks every signal the kernel lets us block, glibc's internal 32/33 included. */
int sys_block_all_signals(void);
/* Empties the signal mask (the user's process starts with nothing blocked). */
int sys_unblock_all_signals(void);
/* A non-blocking, close-on-exec signalfd for every signal (SIGKILL/SIGSTOP cannot be read). */
int sys_signalfd_all(void);

/*
 * clone3 with CLONE_PIDFD and exit_signal SIGCHLD, no stack: fork semantics. Returns the
 * child's pid in the parent (with *pidfd set), 0 in the child, -1 with errno on failure.
 */
pid_t sys_clone3_pidfd(int *pidfd);
int sys_pidfd_open(pid_t pid);
int sys_pidfd_send_signal(int pidfd, int sig);
int sys_close_range(unsigned int first, unsigned int last, unsigned int flags);
/* openat2(2) with the RESOLVE_* flags in `resolve` (linux/openat2.h). */
int sys_openat2(int dirfd, const char *path, uint64_t flags, uint64_t resolve);
/* capset(2) with _LINUX_CAPABILITY_VERSION_3 for the calling thread. */
int sys_capset(uint64_t effective, uint64_t permitted, uint64_t inheritable);
/* capget(2) of the calling thread's effective/permitted/inheritable sets. */
int sys_capget(uint64_t *effective, uint64_t *permitted, uint64_t *inheritable);
/* seccomp(SECCOMP_SET_MODE_FILTER); returns the listener fd with NEW_LISTENER, else 0. */
int sys_seccomp_filter(unsigned int flags, const struct sock_fprog *prog);

struct sys_sched_attr {
    uint32_t size;
    uint32_t sched_policy;
    uint64_t sched_flags;
    int32_t  sched_nice;
    uint32_t sched_priority;
    uint64_t sched_runtime;
    uint64_t sched_deadline;
    uint64_t sched_period;
};
int sys_sched_setattr(const struct sys_sched_attr *attr);
int sys_ioprio_set(uint32_t ioclass, uint32_t priority);
/* The raw getcwd(2): unlike glibc's it returns "(unreachable)..." instead of failing. */
long sys_getcwd(char *buf, size_t size);

/* read/write the whole buffer, retrying EINTR and short transfers. */
ssize_t sys_read_full(int fd, void *buf, size_t len);
ssize_t sys_write_full(int fd, const void *buf, size_t len);

#endif
