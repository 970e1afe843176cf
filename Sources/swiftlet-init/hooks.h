/*
 * startContainer hooks (runtime-spec config.md "StartContainer Hooks"): run after START and
 * before the user's program, inside the container's namespaces, with the state JSON on
 * stdin. A failing hook fails the start (runtime.md "Lifecycle" step 7).
 *
 * The spec says where (the container's namespaces, the path resolved in the container) but
 * not with which credentials. They run where runc runs them: in the process that becomes the
 * program, right before its execve, so with the program's uid and groups, capabilities,
 * no_new_privs, rlimits, cwd and seccomp filter (process.c). The hook's path is the image's to
 * decide, so it gets no more than the program would: never PID 1's privileges.
 */
#ifndef SWINIT_HOOKS_H
#define SWINIT_HOOKS_H

#include "plan.h"
#include "report.h"

int hooks_run_start(const struct plan *p, struct failure *f);

#endif
