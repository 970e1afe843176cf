#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "fds.h"
#include "proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "sys.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* How far the last-resort loop goes when RLIMIT_NOFILE is unlimited or unreadable. */
#define FDS_LOOP_CAP (1u << 20)

typedef void (*fd_action)(int fd);

static void set_cloexec(int fd)
{
    int flags = fcntl(fd, F_GETFD);
    if (flags >= 0 && !(flags & FD_CLOEXEC))
        (void)fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

static void close_fd(int fd)
{
    (void)close(fd); /* never retry close(2) on EINTR: the fd is gone either way */
}

/*
 * Calls act on each open fd >= first except skip_a/skip_b, listed from /proc/self/fd with a
 * stack buffer. Returns -1 if /proc/self/fd cannot be trusted (missing, or not procfs).
 */
static int each_listed_fd(unsigned int first, int skip_a, int skip_b, fd_action act)
{
    int dir = proc_open("self/fd", O_RDONLY | O_DIRECTORY);
    if (dir < 0)
        return -1;
    char buf[4096] __attribute__((aligned(8)));
    for (;;) {
        ssize_t n = getdents64(dir, (void *)buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            close(dir);
            return -1;
        }
        if (n == 0)
            break;
        for (ssize_t off = 0; off < n;) {
            struct dirent64 *d = (struct dirent64 *)(void *)(buf + off); /* buf is 8-aligned, d_reclen a multiple of 8 */
            off += d->d_reclen;
            int fd = 0;
            const char *c = d->d_name;
            if (*c < '0' || *c > '9')
                continue; /* "." and ".." */
            for (; *c >= '0' && *c <= '9'; c++)
                fd = fd * 10 + (*c - '0');
            if (fd == dir || fd == skip_a || fd == skip_b || (unsigned int)fd < first)
                continue;
            act(fd);
        }
    }
    close(dir);
    return 0;
}

static void each_numbered_fd(unsigned int first, int skip_a, int skip_b, fd_action act)
{
    struct rlimit rl;
    unsigned long max = FDS_LOOP_CAP;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max != RLIM_INFINITY && rl.rlim_max < max)
        max = (unsigned long)rl.rlim_max;
    for (unsigned long fd = first; fd < max; fd++)
        if ((int)fd != skip_a && (int)fd != skip_b)
            act((int)fd);
}

int fds_keep_preserved(uint32_t n, struct failure *f)
{
    for (uint32_t i = 0; i < n; i++) {
        int fd = (int)(3 + i);
        int flags = fcntl(fd, F_GETFD);
        if (flags < 0 || fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) < 0)
            return fail_errno(f, errno, "preserve fd %d", fd);
    }
    return 0;
}

int fds_cloexec_from(unsigned int first, struct failure *f)
{
    (void)f; /* every path below succeeds or degrades to the next one */
    if (sys_close_range(first, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
        return 0;
    /* ENOSYS (before 5.9) or EINVAL (5.9/5.10: no CLOSE_RANGE_CLOEXEC). */
    if (each_listed_fd(first, -1, -1, set_cloexec) == 0)
        return 0;
    each_numbered_fd(first, -1, -1, set_cloexec);
    return 0;
}

void fds_close_all_except(int keep_a, int keep_b)
{
    if (keep_a > keep_b) {
        int t = keep_a;
        keep_a = keep_b;
        keep_b = t;
    }
    /* close_range over the gaps between 3, keep_a, keep_b and ~0U. */
    unsigned int from = 3;
    bool ok = true;
    const int keeps[2] = { keep_a, keep_b };
    for (int i = 0; i < 2 && ok; i++) {
        if (keeps[i] < 3)
            continue;
        if ((unsigned int)keeps[i] > from)
            ok = sys_close_range(from, (unsigned int)keeps[i] - 1, 0) == 0;
        from = (unsigned int)keeps[i] + 1;
    }
    if (ok && sys_close_range(from, ~0U, 0) == 0)
        return;
    if (each_listed_fd(3, keep_a, keep_b, close_fd) == 0)
        return;
    each_numbered_fd(3, keep_a, keep_b, close_fd);
}

void fds_stdio_to_devnull(int null_fd)
{
    /* The runtime's verified null device; the container's /dev/null only when the plan had
     * none, and then only if it is the null device. */
    int fd = null_fd >= 0 ? (int)SYS_RETRY(fcntl(null_fd, F_DUPFD_CLOEXEC, 3))
                          : (int)SYS_RETRY(open("/dev/null", O_RDWR | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC));
    struct stat st;
    if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))) {
        close(fd);
        fd = -1;
    }
    for (int i = 0; i <= 2; i++) {
        if (fd < 0 || (fd != i && SYS_RETRY(dup2(fd, i)) < 0))
            close(i);
    }
    if (fd > 2)
        close(fd);
}
