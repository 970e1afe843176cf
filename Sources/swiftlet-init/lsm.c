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

static int write_attr_fd(int fd, const char *path, const char *what, const char *value,
                         struct failure *f)
{
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

static int write_attr(const char *path, const char *what, const char *value, struct failure *f)
{
    int fd = open_proc_attr(path, f);
    if (fd < 0)
        return -1;
    return write_attr_fd(fd, path, what, value, f);
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

/*
 * Opens attr file `rel` ("attr/current") of the calling thread for writing: through the
 * runtime's private procfs when there is one (proc_fd >= 0), else through the container's
 * /proc with the checks above. Either way the file must be on procfs.
 */
static int open_self_attr(int proc_fd, const char *rel, char *path, size_t size, struct failure *f)
{
    if (proc_fd < 0) {
        snprintf(path, size, "/proc/thread-self/%s", rel);
        return open_proc_attr(path, f);
    }
    char at[64];
    snprintf(at, sizeof at, "thread-self/%s", rel);
    snprintf(path, size, "<runtime procfs>/%s", at);
    int fd = (int)SYS_RETRY(openat(proc_fd, at, O_WRONLY | O_CLOEXEC | O_NOFOLLOW));
    if (fd < 0)
        return fail_errno(f, errno, "open %s", path);
    struct statfs sfs;
    if (fstatfs(fd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC) {
        close(fd);
        return fail_msg(f, EPERM, "%s is not on procfs: refusing to label through it", path);
    }
    return fd;
}

int lsm_label_self_apparmor(const char *profile, int proc_fd, struct failure *f)
{
    char value[4096], path[96];
    int n = snprintf(value, sizeof value, "changeprofile %s", profile);
    if (n < 0 || (size_t)n >= sizeof value)
        return fail_msg(f, ENAMETOOLONG, "apparmor: profile name too long");
    int fd = open_self_attr(proc_fd, "attr/apparmor/current", path, sizeof path, f);
    if (fd < 0 && f->err == ENOENT) /* before Linux 5.8: only the shared file */
        fd = open_self_attr(proc_fd, "attr/current", path, sizeof path, f);
    if (fd < 0)
        return -1;
    return write_attr_fd(fd, path, "apparmor (PID 1)", value, f);
}

int lsm_label_self_selinux(const char *label, int proc_fd, struct failure *f)
{
    char path[96];
    int fd = open_self_attr(proc_fd, "attr/current", path, sizeof path, f);
    if (fd < 0)
        return -1;
    if (write_attr_fd(fd, path, "selinux (PID 1)", label, f) == 0)
        return 0;
    return f->err == EACCES ? 1 : -1;
}
