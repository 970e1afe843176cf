/*
 * step-count [HIST_OUT] -- command...: single-steps a command (ptrace) and prints how many
 * user-space instructions its own process executed (from its exec to its exit) and how many
 * the processes it cloned executed, each until it called execve (the runtime's child until it
 * becomes the container's init). With HIST_OUT, also writes "address count" lines, in
 * 16-byte granules, for the cloned processes' instructions below 0x10000000 (the static,
 * non-PIE swiftlet's image): map them to functions with `nm -n`.
 *
 * Instruction counts do not depend on the machine's load, and callgrind cannot follow the
 * runtime past clone3 (valgrind has no clone3), so this is how docs/performance.md ("Round 2,
 * fourth pass") counts a whole `run`. Slow (a few microseconds per instruction: two to three
 * minutes for a `run`), never part of a test or of CI. Run as root in the bench's private
 * mount namespace, e.g. step-count hist.txt -- swiftlet --root R run --bundle B id
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>

#define GRANULES (0x10000000UL >> 4)

int main(int argc, char **argv) {
    int first = 1;
    const char *hist_path = NULL;
    if (argc > 2 && strcmp(argv[1], "--") != 0 && strcmp(argv[2], "--") == 0) { hist_path = argv[1]; first = 3; }
    else if (argc > 1 && strcmp(argv[1], "--") == 0) first = 2;
    if (first >= argc) { fprintf(stderr, "usage: step-count [HIST_OUT] -- command...\n"); return 2; }
    uint32_t *hist = hist_path ? calloc(GRANULES, sizeof *hist) : NULL;
    if (hist_path && !hist) { perror("calloc"); return 2; }
    pid_t top = fork();
    if (top < 0) { perror("fork"); return 2; }
    if (top == 0) {
        ptrace(PTRACE_TRACEME, 0, 0, 0);
        raise(SIGSTOP);
        execvp(argv[first], argv + first);
        _exit(127);
    }
    int status, rc = 1;
    unsigned long own = 0, cloned = 0;
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
        if (event == PTRACE_EVENT_EXEC && pid != top) {  /* the clone became another program */
            ptrace(PTRACE_DETACH, pid, 0, 0);
            continue;
        }
        if (event == PTRACE_EVENT_EXEC) own = 0;  /* count the command from its own exec */
        if (!event && WSTOPSIG(status) != SIGTRAP && WSTOPSIG(status) != SIGSTOP) signal = WSTOPSIG(status);
        if (!event) {
            if (pid == top) {
                own++;
            } else {
                cloned++;
                struct user_regs_struct regs;
                if (hist && ptrace(PTRACE_GETREGS, pid, 0, &regs) == 0 && (regs.rip >> 4) < GRANULES) hist[regs.rip >> 4]++;
            }
        }
        ptrace(PTRACE_SINGLESTEP, pid, 0, signal);
    }
    if (hist) {
        FILE *out = fopen(hist_path, "w");
        if (!out) { perror(hist_path); return 2; }
        for (unsigned long g = 0; g < GRANULES; g++)
            if (hist[g]) fprintf(out, "%lx %u\n", g << 4, hist[g]);
        if (fclose(out) != 0) { perror(hist_path); return 2; }
    }
    fprintf(stderr, "step-count: process %lu, clones %lu, total %lu (exit %d)\n", own, cloned, own + cloned, rc);
    return rc;
}
