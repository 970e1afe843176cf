/*
 * step-trace PARENT_OUT CHILD_OUT command...: single-steps a command (ptrace) and writes the
 * instruction addresses it executed, in 16-byte granules, one hex address a line: those of
 * the command's own process to PARENT_OUT, those of the processes it clones to CHILD_OUT,
 * each followed until it calls execve (the runtime's child until it becomes the container's
 * init). Addresses below 0x10000000 only (the static, non-PIE swiftlet's image).
 *
 * Used by scripts/text-order.sh: callgrind cannot follow the runtime past clone3 (valgrind
 * has no clone3) and perf samples miss short functions, so the code `run` executes after the
 * clone, in both processes, and that of `exec`, is recorded exactly here. Slow (a few
 * microseconds per instruction: minutes for a `run`), never part of a test or of CI.
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

#define GRANULES (0x10000000UL >> 4)

static int write_granules(const char *path, const uint8_t *bits) {
    FILE *out = fopen(path, "w");
    if (!out) { perror(path); return -1; }
    for (unsigned long g = 0; g < GRANULES; g++)
        if (bits[g / 8] & (1u << (g % 8))) fprintf(out, "%lx\n", g << 4);
    return fclose(out);
}

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: step-trace PARENT_OUT CHILD_OUT command...\n"); return 2; }
    uint8_t *parent = calloc(GRANULES / 8, 1), *child = calloc(GRANULES / 8, 1);
    if (!parent || !child) { perror("calloc"); return 2; }
    pid_t top = fork();
    if (top < 0) { perror("fork"); return 2; }
    if (top == 0) {
        ptrace(PTRACE_TRACEME, 0, 0, 0);
        raise(SIGSTOP);
        execvp(argv[3], argv + 3);
        _exit(127);
    }
    int status, rc = 1;
    if (waitpid(top, &status, 0) < 0) { perror("waitpid"); return 2; }
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
        if (event == PTRACE_EVENT_EXEC && pid != top) {  /* the child became another program */
            ptrace(PTRACE_DETACH, pid, 0, 0);
            continue;
        }
        if (!event && WSTOPSIG(status) != SIGTRAP && WSTOPSIG(status) != SIGSTOP) signal = WSTOPSIG(status);
        if (!event) {
            struct user_regs_struct regs;
            if (ptrace(PTRACE_GETREGS, pid, 0, &regs) == 0 && (regs.rip >> 4) < GRANULES) {
                unsigned long g = regs.rip >> 4;
                (pid == top ? parent : child)[g / 8] |= (uint8_t)(1u << (g % 8));
            }
        }
        ptrace(PTRACE_SINGLESTEP, pid, 0, signal);
    }
    if (write_granules(argv[1], parent) || write_granules(argv[2], child)) return 2;
    return rc;
}
