#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fds.h"
#include "sys.h"

struct hook {
    uint32_t timeout;
    const char *path;
    char **argv; /* NULL-terminated; argv[0] defaults to the path */
    char **envp; /* NULL-terminated */
};

/* Splits one SWL_P_HOOK payload (u32 timeout, argc, envc, pad, then the strings). */
static int hook_parse(const unsigned char *data, uint32_t len, struct hook *h, struct failure *f)
{
    uint32_t header[4];
    memcpy(header, data, sizeof header);
    h->timeout = header[0];
    uint32_t argc = header[1], envc = header[2];
    const char *s = (const char *)data + 16, *end = (const char *)data + len;
    h->argv = calloc((size_t)argc + 2, sizeof *h->argv);
    h->envp = calloc((size_t)envc + 1, sizeof *h->envp);
    if (h->argv == NULL || h->envp == NULL)
        return fail_errno(f, ENOMEM, "startContainer hook");
    for (uint32_t i = 0; i < 1 + argc + envc; i++) {
        const char *nul = memchr(s, '\0', (size_t)(end - s));
        if (nul == NULL)
            return fail_msg(f, EINVAL, "plan: SWL_P_HOOK: truncated strings");
        if (i == 0)
            h->path = s;
        else if (i <= argc)
            h->argv[i - 1] = (char *)s;
        else
            h->envp[i - 1 - argc] = (char *)s;
        s = nul + 1;
    }
    if (argc == 0)
        h->argv[0] = (char *)h->path;
    return 0;
}

static long long monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Feeds the state into the hook's stdin (`in`, non-blocking, between polls) while waiting for
 * the hook to exit, until `deadline_ms` (CLOCK_MONOTONIC; -1: none). A hook that never reads
 * its stdin, or exits first, is its business: the feeding just stops (EPIPE, with SIGPIPE
 * ignored by the caller), and a state larger than the pipe cannot hold the timeout off.
 * Closes `in`. Returns 1 when the deadline passed before the hook exited, else 0. */
static int hook_feed_wait(int pidfd, int in, const char *state, long long deadline_ms)
{
    size_t len = state != NULL ? strlen(state) : 0, done = 0;
    if (len > 0 && fcntl(in, F_SETFL, O_NONBLOCK) < 0) {
        /* fcntl refused (by the container's seccomp profile, which is loaded by now): a plain
         * write, as before; EPIPE is still harmless */
        (void)sys_write_full(in, state, len);
        len = 0;
    }
    if (len == 0) {
        close(in);
        in = -1;
    }
    for (;;) {
        struct pollfd pfd[2] = { { .fd = pidfd, .events = POLLIN }, { .fd = in, .events = POLLOUT } };
        long long left = deadline_ms < 0 ? -1 : deadline_ms - monotonic_ms();
        if (deadline_ms >= 0 && left < 0)
            left = 0;
        int n = poll(pfd, in >= 0 ? 2 : 1, left > 2000000000 ? 2000000000 : (int)left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0 || n < 0 || pfd[0].revents) {
            if (in >= 0)
                close(in);
            return n == 0 ? 1 : 0; /* poll failing: the caller's waitpid still waits */
        }
        if (in >= 0 && pfd[1].revents) {
            ssize_t w = write(in, state + done, len - done);
            if (w > 0)
                done += (size_t)w;
            if (done == len || (w < 0 && errno != EAGAIN && errno != EINTR) ||
                (pfd[1].revents & (POLLERR | POLLHUP))) {
                close(in);
                in = -1;
            }
        }
    }
}

/* Runs one hook: state on stdin, its own args and env, killed when the timeout passes. */
static int hook_run(const struct hook *h, const char *state, size_t index, struct failure *f)
{
    int in[2];
    if (pipe2(in, O_CLOEXEC) < 0)
        return fail_errno(f, errno, "hooks.startContainer[%zu] (%s): pipe", index, h->path);
    pid_t pid = fork();
    if (pid < 0)
        return fail_errno(f, errno, "hooks.startContainer[%zu] (%s): fork", index, h->path);
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        struct failure ignored;
        /* stdin is the state; nothing else of the process's (its preserved fds) reaches it. */
        if (dup2(in[0], 0) < 0 || fds_cloexec_from(3, &ignored) < 0)
            _exit(126);
        execve(h->path, h->argv, h->envp);
        _exit(127);
    }
    close(in[0]);

    /* SIGPIPE is ignored while the state goes in (and put back before the program's execve):
     * the process runs with every signal at its default, and a hook that exits without reading
     * its stdin (`sh -c "exit 1"`, winning the race with the write under load, or any hook
     * given a state larger than a pipe holds) would otherwise kill it with SIGPIPE before it
     * reports, which PID 1 takes for a successful execve (EOF on the status pipe): `start`
     * exited 0 although the hook failed. */
    struct sigaction ignore, old;
    memset(&ignore, 0, sizeof ignore);
    ignore.sa_handler = SIG_IGN;
    (void)sigaction(SIGPIPE, &ignore, &old);
    int timed_out = 0;
    int pidfd = sys_pidfd_open(pid);
    if (pidfd >= 0) {
        long long deadline = h->timeout > 0 ? monotonic_ms() + (long long)h->timeout * 1000 : -1;
        timed_out = hook_feed_wait(pidfd, in[1], state, deadline);
        close(pidfd);
    } else {
        /* Before Linux 5.3 there is no pidfd to poll: the state is written and the hook
         * waited for without a timeout. */
        if (state != NULL)
            (void)sys_write_full(in[1], state, strlen(state));
        close(in[1]);
    }
    (void)sigaction(SIGPIPE, &old, NULL);
    if (timed_out) {
        kill(pid, SIGKILL);
        (void)waitpid(pid, NULL, 0);
        return fail_msg(f, ETIMEDOUT, "hooks.startContainer[%zu] (%s): timed out after %us", index,
                        h->path, h->timeout);
    }
    int status;
    pid_t r;
    do r = waitpid(pid, &status, 0);
    while (r < 0 && errno == EINTR);
    if (r < 0)
        return fail_errno(f, errno, "hooks.startContainer[%zu] (%s): wait", index, h->path);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (WIFEXITED(status))
        return fail_msg(f, 0, "hooks.startContainer[%zu] (%s): exited with status %d", index, h->path,
                        WEXITSTATUS(status));
    return fail_msg(f, 0, "hooks.startContainer[%zu] (%s): killed by signal %d", index, h->path,
                    WTERMSIG(status));
}

int hooks_run_start(const struct plan *p, struct failure *f)
{
    for (size_t i = 0; i < p->nhooks; i++) {
        struct hook h;
        memset(&h, 0, sizeof h);
        if (hook_parse(p->hooks[i], p->hook_lens[i], &h, f) < 0 || hook_run(&h, p->hook_state, i, f) < 0)
            return -1;
        free(h.argv);
        free(h.envp);
    }
    return 0;
}
