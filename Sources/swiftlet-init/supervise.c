#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "supervise.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sys.h"

static int exit_status(const siginfo_t *info)
{
    if (info->si_code == CLD_EXITED)
        return info->si_status & 0xff;
    return 128 + info->si_status; /* CLD_KILLED, CLD_DUMPED */
}

/* Reaps every zombie without blocking; returns true (status set) if child was among them. */
static bool reap_all(pid_t child, int *status)
{
    bool found = false;
    for (;;) {
        siginfo_t info;
        info.si_pid = 0;
        if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG) < 0) {
            if (errno == EINTR)
                continue;
            break; /* ECHILD: no children left */
        }
        if (info.si_pid == 0)
            break; /* children left, none dead */
        if (info.si_pid == child) {
            *status = exit_status(&info);
            found = true;
        }
    }
    return found;
}

int supervise_wait_child(pid_t child)
{
    int status = 127;
    siginfo_t info;
    info.si_pid = 0;
    if (SYS_RETRY(waitid(P_PID, (id_t)child, &info, WEXITED)) == 0 && info.si_pid == child)
        status = exit_status(&info);
    (void)reap_all(-1, &status);
    return status;
}

static void forward(int pidfd, pid_t child, int sig)
{
    /* The process may have exited already (ESRCH): nothing to do. */
    if (pidfd >= 0)
        (void)sys_pidfd_send_signal(pidfd, sig);
    else
        (void)kill(child, sig);
}

void supervise(int sigfd, int pidfd, pid_t child)
{
    int status = 0;
    for (;;) {
        struct pollfd pfd[2] = {
            { .fd = sigfd, .events = POLLIN },
            { .fd = pidfd, .events = POLLIN },
        };
        if (SYS_RETRY(poll(pfd, pidfd >= 0 ? 2 : 1, -1)) < 0) {
            /* Cannot happen with valid fds; fall back to a blocking wait rather than spin. */
            _exit(supervise_wait_child(child));
        }
        bool reap = pidfd >= 0 && pfd[1].revents != 0;
        if (pfd[0].revents) {
            struct signalfd_siginfo si[16];
            ssize_t n;
            while ((n = SYS_RETRY(read(sigfd, si, sizeof si))) > 0) {
                for (size_t i = 0; i < (size_t)n / sizeof si[0]; i++) {
                    int sig = (int)si[i].ssi_signo;
                    if (sig == SIGCHLD)
                        reap = true;
                    else
                        forward(pidfd, child, sig);
                }
            }
        }
        if (reap && reap_all(child, &status)) {
            /* Anything else already dead goes too; the rest is killed with the pid namespace
             * (or re-parented to the next subreaper) when PID 1 exits. */
            (void)reap_all(-1, &status);
            _exit(status);
        }
    }
}
