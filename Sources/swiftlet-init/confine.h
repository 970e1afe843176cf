/*
 * PID 1 keeps no more than the container (docs/security.md, same title).
 *
 * Until it forks the process, swiftlet-init is root with the runtime's full capability sets:
 * it needs them to set the process up (setgroups, setresuid, the bounding set, rlimits...).
 * Afterwards its whole job is to forward signals, reap and exit with the process's status, and
 * it keeps nothing a container process could take over by reaching it (ptrace with
 * CAP_SYS_PTRACE, or a kernel bug): confine_init() drops to the container's label, an empty
 * bounding set, CAP_KILL alone, no_new_privs; confine_seccomp() adds the container's seccomp
 * filter when that filter allows everything the init still does.
 *
 * SWL_MODE_SUPERVISE only: in direct mode there is no init, the process replaces it.
 */
#ifndef SWINIT_CONFINE_H
#define SWINIT_CONFINE_H

#include <stdbool.h>

#include "plan.h"
#include "report.h"

/*
 * Right after the fork, before the forked child may go on: the process's first instruction
 * never runs next to a privileged PID 1. Fills f and returns -1 if a step failed; the init
 * must then not let the process run.
 */
int confine_init(const struct plan *p, int last_cap, struct failure *f);

/*
 * The last step before supervise(), once the init holds only its signalfd and the process's
 * pidfd (with_pidfd: signals go through it, else by pid). Loads the container's filter (without
 * a listener) only if swl_seccomp_allows_all proves it allows every syscall of
 * swl_init_supervise_syscalls; else leaves the init without a filter. Returns whether it
 * loaded it. Nothing is reported: the start was answered already, and a filter the init cannot
 * live with is no failure of the container.
 */
bool confine_seccomp(const struct plan *p, bool with_pidfd);

#endif
