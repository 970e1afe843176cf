/*
 * The user's process: everything runtime-spec config.md "Process" asks for, applied to the
 * calling process, then execve. Runs in the child forked by PID 1 (SWL_MODE_SUPERVISE) or in
 * the init itself (SWL_MODE_DIRECT). Never allocates: the plan is fully built before the fork.
 */
#ifndef SWINIT_PROCESS_H
#define SWINIT_PROCESS_H

#include <sys/types.h>

#include "plan.h"

struct process_ctx {
    /* Where a failure goes as SWL_MSG_ERROR: the exec-status pipe (supervise) or the start
     * connection (direct); -1: stderr. */
    int   report_fd;
    /* SWL_MODE_DIRECT: the start connection, answered SWL_MSG_STARTED right before execve;
     * -1: none. */
    int   started_fd;
    /* The parent PR_SET_PDEATHSIG refers to; if getppid() differs once it is set, the parent
     * already died and the signal is sent at once. 0: do not check. */
    pid_t parent;
    /* From caps_last_cap(), computed before the fork. */
    int   last_cap;
};

/* Applies the plan and execs; on any failure reports it and exits 127. */
__attribute__((noreturn)) void process_exec(const struct plan *p, const struct process_ctx *ctx);

#endif
