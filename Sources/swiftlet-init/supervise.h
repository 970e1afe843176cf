/*
 * PID 1 once the user's process runs (SWL_MODE_SUPERVISE): forwards signals, reaps every
 * zombie, exits with the process's status.
 */
#ifndef SWINIT_SUPERVISE_H
#define SWINIT_SUPERVISE_H

#include <sys/types.h>

/*
 * Loops on the signalfd (all signals are blocked in PID 1) and the child's pidfd (-1 if the
 * kernel has none):
 *  - every signal except SIGCHLD is forwarded to the process with pidfd_send_signal (kill(2)
 *    without a pidfd), to the process only, not its group;
 *  - on SIGCHLD or pidfd readable, every zombie is reaped (orphans re-parented to PID 1 or to
 *    this subreaper included);
 *  - once the process is reaped, whatever else is already dead is reaped too, and the init
 *    exits with the process's exit code, or 128+N if a signal N killed it. PID 1 of a pid
 *    namespace cannot die of its own signal, so 128+N is how the status travels.
 */
__attribute__((noreturn)) void supervise(int sigfd, int pidfd, pid_t child);

/* Blocks until child has exited, reaping it (and any other zombie); returns the init's exit
 * status for it as above. */
int supervise_wait_child(pid_t child);

#endif
