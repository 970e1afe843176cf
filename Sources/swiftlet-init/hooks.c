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
    if (state != NULL)
        (void)sys_write_full(in[1], state, strlen(state)); /* a hook may ignore stdin: EPIPE is fine */
    close(in[1]);

    int pidfd = sys_pidfd_open(pid);
    if (h->timeout > 0 && pidfd >= 0) {
        struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
        int n;
        do n = poll(&pfd, 1, (int)(h->timeout > 2000000 ? 2000000000 : h->timeout * 1000));
        while (n < 0 && errno == EINTR);
        if (n == 0) {
            kill(pid, SIGKILL);
            (void)waitpid(pid, NULL, 0);
            close(pidfd);
            return fail_msg(f, ETIMEDOUT, "hooks.startContainer[%zu] (%s): timed out after %us", index,
                            h->path, h->timeout);
        }
    }
    if (pidfd >= 0)
        close(pidfd);
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
