/*
 * The single-stepping loop of bench/step-trace.c and bench/step-count.c (ptrace): runs
 * argv[0] with argv, single-steps it and every process it clones, each clone until it calls
 * execve (the runtime's child until it becomes the container's init), and calls `step` for
 * every instruction: `top` is 1 for the command's own process, `rip` its address. `exec` is
 * called when the command's own process execs (its first instruction of the new program
 * comes next). Returns the command's exit status (128 + signal when killed), or -1 when the
 * tracing could not start. Slow (a few microseconds per instruction), never part of a test.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <unistd.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>

/* 16-byte granules of the static, non-PIE swiftlet's image (addresses below 0x10000000). */
#define GRANULES (0x10000000UL >> 4)

static int step_command(char **argv, void (*step)(void *ctx, int top, unsigned long rip),
                        void (*exec)(void *ctx), void *ctx) {
    pid_t top = fork();
    if (top < 0) { perror("fork"); return -1; }
    if (top == 0) {
        ptrace(PTRACE_TRACEME, 0, 0, 0);
        raise(SIGSTOP);
        execvp(argv[0], argv);
        _exit(127);
    }
    int status, rc = 1;
    if (waitpid(top, &status, 0) < 0) { perror("waitpid"); return -1; }
    ptrace(PTRACE_SETOPTIONS, top, 0, PTRACE_O_EXITKILL | PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK |
           PTRACE_O_TRACEVFORK | PTRACE_O_TRACEEXEC);
    ptrace(PTRACE_SINGLESTEP, top, 0, 0);
    for (;;) {
        pid_t pid = waitpid(-1, &status, __WALL);
        if (pid < 0) {
            if (errno == EINTR) continue;
            break;  /* ECHILD: every tracee is gone */
        }
        if (WIFEXITED(status) || WIFSIGNALED(status)) {
            if (pid == top) rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            continue;
        }
        int event = status >> 16, signal = 0;
        if (event == PTRACE_EVENT_EXEC && pid != top) {  /* the clone became another program */
            ptrace(PTRACE_DETACH, pid, 0, 0);
            continue;
        }
        if (event == PTRACE_EVENT_EXEC && exec) exec(ctx);
        if (!event && WSTOPSIG(status) != SIGTRAP && WSTOPSIG(status) != SIGSTOP) signal = WSTOPSIG(status);
        if (!event) {
            struct user_regs_struct regs;
            if (ptrace(PTRACE_GETREGS, pid, 0, &regs) == 0) step(ctx, pid == top, regs.rip);
        }
        ptrace(PTRACE_SINGLESTEP, pid, 0, signal);
    }
    return rc;
}
