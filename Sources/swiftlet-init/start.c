#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "start.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "swiftlet_plan.h"
#include "sys.h"

void start_drain_signals(int sigfd)
{
    struct signalfd_siginfo si[16];
    for (;;) {
        ssize_t n = SYS_RETRY(read(sigfd, si, sizeof si));
        if (n <= 0)
            return; /* EAGAIN: nothing queued */
        for (size_t i = 0; i < (size_t)n / sizeof si[0]; i++) {
            int sig = (int)si[i].ssi_signo;
            if (sig == SIGTERM || sig == SIGINT || sig == SIGQUIT || sig == SIGHUP)
                _exit(128 + sig);
            if (sig == SIGCHLD) {
                /* No child of ours exists yet; reap anything a subreaper inherited anyway. */
                siginfo_t info;
                do {
                    info.si_pid = 0;
                } while (waitid(P_ALL, 0, &info, WEXITED | WNOHANG) == 0 && info.si_pid != 0);
            }
        }
    }
}

/* 1: START received on conn; 0: not (conn must be dropped); -1 with errno EAGAIN: no data yet. */
static int read_start(int conn)
{
    struct swl_msg msg;
    ssize_t n = SYS_RETRY(recv(conn, &msg, sizeof msg, MSG_DONTWAIT));
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return -1;
    return n == (ssize_t)sizeof msg && msg.type == SWL_MSG_START;
}

int start_wait(int start_fd, int sigfd, struct failure *f)
{
    /* A listening socket (create's start.sock): accept until a connection delivers START. A
     * connected one (`run`, `exec`: the runtime queued START on the other end of a socketpair
     * before the clone): that connection is the only one there will be. */
    int listening = 0;
    socklen_t len = sizeof listening;
    if (getsockopt(start_fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0)
        return fail_errno(f, errno, "wait for start: getsockopt SO_ACCEPTCONN");
    const int listen_fd = listening ? start_fd : -1; /* poll ignores a negative fd */
    int conn = listening ? -1 : start_fd;
    for (;;) {
        struct pollfd pfd[3] = {
            { .fd = sigfd, .events = POLLIN },
            { .fd = listen_fd, .events = POLLIN },
            { .fd = conn, .events = POLLIN },
        };
        if (SYS_RETRY(poll(pfd, 3, -1)) < 0)
            return fail_errno(f, errno, "wait for start: poll");
        if (pfd[0].revents)
            start_drain_signals(sigfd);
        if (conn >= 0 && pfd[2].revents) {
            int r = read_start(conn);
            if (r == 1)
                return conn;
            if (r == 0) {
                if (!listening)
                    return fail_msg(f, EPIPE, "wait for start: the start connection closed without START");
                close(conn);
                conn = -1;
            }
        }
        if (listen_fd < 0)
            continue;
        if (pfd[1].revents & POLLIN) {
            int c = (int)SYS_RETRY(accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC));
            if (c < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNABORTED)
                    continue;
                return fail_errno(f, errno, "wait for start: accept");
            }
            if (conn >= 0)
                close(conn);
            conn = c;
        } else if (pfd[1].revents & (POLLERR | POLLHUP | POLLNVAL)) {
            return fail_msg(f, EPIPE, "wait for start: start socket closed (revents %#x)",
                            (unsigned)pfd[1].revents);
        }
    }
}
