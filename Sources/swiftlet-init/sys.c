#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "sys.h"

#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Numbers are the same on every architecture that has them (the unified syscall table). */
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif

/* The kernel's sigset_t: one bit per signal 1.._NSIG-1 (8 bytes on every 64-bit ABI we build). */
#define KSIGSET_BYTES ((_NSIG - 1) / 8)
#define KSIGSET_WORDS ((KSIGSET_BYTES + 7) / 8)

int sys_block_all_signals(void)
{
    uint64_t all[KSIGSET_WORDS];
    memset(all, 0xff, sizeof all);
    /* Raw rt_sigprocmask: glibc's sigprocmask silently keeps its internal 32/33 unblocked. */
    return (int)syscall(SYS_rt_sigprocmask, SIG_SETMASK, all, NULL, (size_t)KSIGSET_BYTES);
}

int sys_unblock_all_signals(void)
{
    uint64_t none[KSIGSET_WORDS];
    memset(none, 0, sizeof none);
    return (int)syscall(SYS_rt_sigprocmask, SIG_SETMASK, none, NULL, (size_t)KSIGSET_BYTES);
}

int sys_signalfd_all(void)
{
    uint64_t all[KSIGSET_WORDS];
    memset(all, 0xff, sizeof all);
    return (int)syscall(SYS_signalfd4, -1, all, (size_t)KSIGSET_BYTES, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* Only the CLONE_ARGS_SIZE_VER0 fields: enough for fork semantics plus a pidfd (Linux 5.3+). */
struct clone_args_v0 {
    uint64_t flags;
    uint64_t pidfd;
    uint64_t child_tid;
    uint64_t parent_tid;
    uint64_t exit_signal;
    uint64_t stack;
    uint64_t stack_size;
    uint64_t tls;
};

pid_t sys_clone3_pidfd(int *pidfd)
{
    struct clone_args_v0 args;
    memset(&args, 0, sizeof args);
    *pidfd = -1;
    args.flags = CLONE_PIDFD;
    args.pidfd = (uint64_t)(uintptr_t)pidfd;
    args.exit_signal = SIGCHLD;
    /*
     * No CLONE_VM and no stack: the child gets a copy of our address space and returns here
     * like fork(2). glibc's fork handlers do not run, so the child must not use raise(),
     * abort() or threads (it does not).
     */
    return (pid_t)syscall(SYS_clone3, &args, sizeof args);
}

int sys_openat2(int dirfd, const char *path, uint64_t flags, uint64_t resolve)
{
    struct { uint64_t flags, mode, resolve; } how = { flags, 0, resolve };
    return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

int sys_pidfd_open(pid_t pid)
{
    return (int)syscall(SYS_pidfd_open, pid, 0u);
}

int sys_pidfd_send_signal(int pidfd, int sig)
{
    return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0u);
}

int sys_close_range(unsigned int first, unsigned int last, unsigned int flags)
{
    return (int)syscall(SYS_close_range, first, last, flags);
}

int sys_capset(uint64_t effective, uint64_t permitted, uint64_t inheritable)
{
    struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
    memset(data, 0, sizeof data);
    for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) {
        data[i].effective = (uint32_t)(effective >> (32 * i));
        data[i].permitted = (uint32_t)(permitted >> (32 * i));
        data[i].inheritable = (uint32_t)(inheritable >> (32 * i));
    }
    return (int)syscall(SYS_capset, &header, data);
}

int sys_capget(uint64_t *effective, uint64_t *permitted, uint64_t *inheritable)
{
    struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
    memset(data, 0, sizeof data);
    if (syscall(SYS_capget, &header, data) < 0)
        return -1;
    *effective = *permitted = *inheritable = 0;
    for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) {
        *effective |= (uint64_t)data[i].effective << (32 * i);
        *permitted |= (uint64_t)data[i].permitted << (32 * i);
        *inheritable |= (uint64_t)data[i].inheritable << (32 * i);
    }
    return 0;
}

int sys_seccomp_filter(unsigned int flags, const struct sock_fprog *prog)
{
    return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, prog);
}

int sys_sched_setattr(const struct sys_sched_attr *attr)
{
    return (int)syscall(SYS_sched_setattr, 0, attr, 0u);
}

int sys_ioprio_set(uint32_t ioclass, uint32_t priority)
{
    /* IOPRIO_PRIO_VALUE(class, data) for IOPRIO_WHO_PROCESS (1), pid 0 = the caller. */
    return (int)syscall(SYS_ioprio_set, 1, 0, (int)((ioclass << 13) | priority));
}

long sys_getcwd(char *buf, size_t size)
{
    return syscall(SYS_getcwd, buf, size);
}

ssize_t sys_read_full(int fd, void *buf, size_t len)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = SYS_RETRY(read(fd, (char *)buf + done, len - done));
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        done += (size_t)n;
    }
    return (ssize_t)done;
}

ssize_t sys_write_full(int fd, const void *buf, size_t len)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = SYS_RETRY(write(fd, (const char *)buf + done, len - done));
        if (n < 0)
            return -1;
        done += (size_t)n;
    }
    return (ssize_t)done;
}
