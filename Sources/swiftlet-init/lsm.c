#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "lsm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "sys.h"

/* Opens path for writing, but only if it is a procfs file. */
static int open_proc_attr(const char *path, struct failure *f)
{
    int pfd = (int)SYS_RETRY(open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (pfd < 0)
        return fail_errno(f, errno, "open %s", path);
    struct statfs sfs;
    if (fstatfs(pfd, &sfs) < 0) {
        int e = errno;
        close(pfd);
        return fail_errno(f, e, "statfs %s", path);
    }
    if (sfs.f_type != PROC_SUPER_MAGIC) {
        close(pfd);
        return fail_msg(f, EPERM, "%s is not on procfs (CVE-2019-16884): refusing to label through it",
                        path);
    }
    /* Reopen the very inode we checked, through its procfs magic link. */
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", pfd);
    int fd = (int)SYS_RETRY(open(link, O_WRONLY | O_CLOEXEC));
    int e = errno;
    close(pfd);
    if (fd < 0)
        return fail_errno(f, e, "open %s for writing", path);
    if (fstatfs(fd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC) {
        close(fd);
        return fail_msg(f, EPERM, "%s is not on procfs (CVE-2019-16884)", path);
    }
    return fd;
}

static int write_attr(const char *path, const char *what, const char *value, struct failure *f)
{
    int fd = open_proc_attr(path, f);
    if (fd < 0)
        return -1;
    size_t len = strlen(value);
    ssize_t n = SYS_RETRY(write(fd, value, len));
    int e = errno;
    close(fd);
    if (n < 0)
        return fail_errno(f, e, "%s: write \"%s\" to %s", what, value, path);
    if ((size_t)n != len)
        return fail_msg(f, EIO, "%s: short write to %s", what, path);
    return 0;
}

int lsm_set_apparmor(const char *profile, struct failure *f)
{
    char value[4096];
    int n = snprintf(value, sizeof value, "exec %s", profile);
    if (n < 0 || (size_t)n >= sizeof value)
        return fail_msg(f, ENAMETOOLONG, "apparmor: profile name too long");
    /* Linux 5.8+ has a per-LSM directory; older kernels only the shared file. */
    const char *path = "/proc/self/attr/apparmor/exec";
    int pfd = (int)SYS_RETRY(open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (pfd < 0 && errno == ENOENT)
        path = "/proc/self/attr/exec";
    if (pfd >= 0)
        close(pfd);
    return write_attr(path, "apparmor", value, f);
}

int lsm_set_selinux(const char *label, struct failure *f)
{
    return write_attr("/proc/self/attr/exec", "selinux", label, f);
}
