#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "lsm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"
#include "sys.h"

/*
 * Every attr file is opened below the runtime's private procfs (proc.c), as "thread-self/...":
 * the label is the calling thread's own. The container's /proc is never used: a bind over
 * /proc/self/attr/exec (even of another procfs file, which passes a statfs check) would send
 * the label somewhere else and leave the process unconfined (CVE-2019-16884, CVE-2023-27561,
 * CVE-2025-52881).
 */
static int write_attr(const char *path, const char *what, const char *value, struct failure *f)
{
    int fd = proc_open(path, O_WRONLY);
    if (fd < 0)
        return fail_errno(f, errno, "%s: open /proc/%s through the runtime's procfs", what, path);
    size_t len = strlen(value);
    ssize_t n = SYS_RETRY(write(fd, value, len));
    int e = errno;
    close(fd);
    if (n < 0)
        return fail_errno(f, e, "%s: write \"%s\" to /proc/%s", what, value, path);
    if ((size_t)n != len)
        return fail_msg(f, EIO, "%s: short write to /proc/%s", what, path);
    return 0;
}

/* AppArmor's attr file `name` ("exec", "current"): the per-LSM directory of Linux 5.8+, else
 * the shared file of older kernels. */
static const char *apparmor_attr(const char *name)
{
    static char path[64];
    snprintf(path, sizeof path, "thread-self/attr/apparmor/%s", name);
    int probe = proc_open(path, O_PATH);
    if (probe >= 0) {
        close(probe);
        return path;
    }
    snprintf(path, sizeof path, "thread-self/attr/%s", name);
    return path;
}

static int apparmor_write(const char *name, const char *verb, const char *profile, const char *what,
                          struct failure *f)
{
    char value[4096];
    int n = snprintf(value, sizeof value, "%s %s", verb, profile);
    if (n < 0 || (size_t)n >= sizeof value)
        return fail_msg(f, ENAMETOOLONG, "apparmor: profile name too long");
    return write_attr(apparmor_attr(name), what, value, f);
}

int lsm_set_apparmor(const char *profile, struct failure *f)
{
    return apparmor_write("exec", "exec", profile, "apparmor", f);
}

int lsm_set_selinux(const char *label, struct failure *f)
{
    return write_attr("thread-self/attr/exec", "selinux", label, f);
}

int lsm_label_self_apparmor(const char *profile, struct failure *f)
{
    return apparmor_write("current", "changeprofile", profile, "apparmor (PID 1)", f);
}

int lsm_label_self_selinux(const char *label, struct failure *f)
{
    if (write_attr("thread-self/attr/current", "selinux (PID 1)", label, f) == 0)
        return 0;
    return f->err == EACCES ? 1 : -1;
}
