#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "report.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sys.h"

const char *report_strerror(int err)
{
#ifdef __GLIBC__
    /* strerrordesc_np (glibc 2.32+) returns a static English string: no locale, no malloc. */
    const char *s = strerrordesc_np(err);
#else
    /* musl's strerror is a static English table as well. */
    const char *s = strerror(err);
#endif
    return s != NULL ? s : "Unknown error";
}

__attribute__((format(printf, 4, 0)))
static void vformat(struct failure *f, int err, int with_errno, const char *fmt, va_list ap)
{
    f->err = err;
    int n = vsnprintf(f->text, sizeof f->text, fmt, ap);
    if (n < 0) {
        f->text[0] = '\0';
        n = 0;
    }
    if (with_errno && (size_t)n < sizeof f->text)
        snprintf(f->text + n, sizeof f->text - (size_t)n, ": %s", report_strerror(err));
}

int fail_errno(struct failure *f, int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vformat(f, err, 1, fmt, ap);
    va_end(ap);
    return -1;
}

int fail_msg(struct failure *f, int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vformat(f, err, 0, fmt, ap);
    va_end(ap);
    return -1;
}

int report_send(int fd, uint32_t type, int32_t err, int32_t pid, const char *text)
{
    struct swl_msg msg;
    memset(&msg, 0, sizeof msg);
    msg.type = type;
    msg.err = err;
    msg.pid = pid;
    if (text != NULL)
        snprintf(msg.text, sizeof msg.text, "%s", text);
    /* MSG_NOSIGNAL: a vanished peer is an EPIPE error, never a SIGPIPE. */
    ssize_t n = SYS_RETRY(send(fd, &msg, sizeof msg, MSG_NOSIGNAL));
    if (n < 0 && errno == ENOTSOCK)
        n = sys_write_full(fd, &msg, sizeof msg); /* the exec-status pipe */
    if (n < 0)
        return -1;
    if ((size_t)n != sizeof msg) {
        errno = EMSGSIZE;
        return -1;
    }
    return 0;
}

void report_failure(int fd, const struct failure *f)
{
    if (fd >= 0 && report_send(fd, SWL_MSG_ERROR, f->err, 0, f->text) == 0)
        return;
    static const char prefix[] = "swiftlet-init: ";
    (void)sys_write_full(STDERR_FILENO, prefix, sizeof prefix - 1);
    (void)sys_write_full(STDERR_FILENO, f->text, strlen(f->text));
    (void)sys_write_full(STDERR_FILENO, "\n", 1);
}
