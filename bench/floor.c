/* The kernel's floor for a container start (issue 19), built by bench/bench.py with
 * `gcc -O2 -static` into its cache directory; never committed as a binary.
 *
 *     floor netns|nonetns ROOTFS PROGRAM [ARG...]
 *
 * One clone(2) creating the namespaces of the benchmark's bundle (mount, UTS, IPC, PID and,
 * with `netns`, network), whose child chroots into ROOTFS and executes PROGRAM; the parent
 * waits for it and exits with its status. No cgroup, no mount, no capability or seccomp
 * work: what is left when a runtime does nothing but what the kernel must. */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 4 || (strcmp(argv[1], "netns") != 0 && strcmp(argv[1], "nonetns") != 0)) {
        fprintf(stderr, "usage: floor netns|nonetns ROOTFS PROGRAM [ARG...]\n");
        return 2;
    }
    long flags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID;
    if (strcmp(argv[1], "netns") == 0)
        flags |= CLONE_NEWNET;
    /* the raw system call: the child of a CLONE_NEWPID clone is PID 1 of the new namespace */
    pid_t pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
    if (pid < 0) {
        perror("floor: clone");
        return 1;
    }
    if (pid == 0) {
        if (chroot(argv[2]) != 0 || chdir("/") != 0) {
            perror("floor: chroot");
            _exit(127);
        }
        execv(argv[3], argv + 3);
        perror("floor: execv");
        _exit(127);
    }
    int status;
    if (waitpid(pid, &status, 0) != pid) {
        perror("floor: waitpid");
        return 1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
