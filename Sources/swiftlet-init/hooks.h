/*
 * startContainer hooks (runtime-spec config.md "StartContainer Hooks"): run by PID 1 after
 * START and before the user's process, inside the container's namespaces, with the state
 * JSON on stdin. A failing hook fails the start (runtime.md "Lifecycle" step 7).
 */
#ifndef SWINIT_HOOKS_H
#define SWINIT_HOOKS_H

#include "plan.h"
#include "report.h"

int hooks_run_start(const struct plan *p, struct failure *f);

#endif
