#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "notify.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "sys.h"

int notify_send_listener(int sock, int listener, const char *state, struct failure *f)
{
    const size_t len = strlen(state);
    size_t done = 0;
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    memset(&control, 0, sizeof control);
    while (done < len) {
        struct iovec iov = { .iov_base = (char *)state + done, .iov_len = len - done };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
        if (done == 0) {
            msg.msg_control = control.buf;
            msg.msg_controllen = sizeof control.buf;
            struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
            c->cmsg_level = SOL_SOCKET;
            c->cmsg_type = SCM_RIGHTS;
            c->cmsg_len = CMSG_LEN(sizeof(int));
            memcpy(CMSG_DATA(c), &listener, sizeof(int));
        }
        /* MSG_NOSIGNAL: an agent that hung up is an error here, not a SIGPIPE. */
        ssize_t n = SYS_RETRY(sendmsg(sock, &msg, MSG_NOSIGNAL));
        if (n < 0)
            return fail_errno(f, errno, "seccomp: send the listener fd to linux.seccomp.listenerPath");
        if (n == 0)
            return fail_msg(f, EPIPE, "seccomp: send the listener fd to linux.seccomp.listenerPath: nothing sent");
        done += (size_t)n;
    }
    return 0;
}
