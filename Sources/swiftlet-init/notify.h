/*
 * Seccomp user notification (runtime-spec config-linux.md "Seccomp", listenerPath): handing the
 * listener fd to the seccomp agent. See docs/security.md "Seccomp notify" for the design.
 */
#ifndef SWINIT_NOTIFY_H
#define SWINIT_NOTIFY_H

#include "report.h"

/*
 * Sends the container process state JSON `state` on the connected stream socket `sock` with
 * `listener` attached (SCM_RIGHTS) to the first sendmsg; a long state goes on in further
 * sendmsg calls without descriptors, as the spec allows. Called right after seccomp(2) returned
 * the listener: the only syscall in between is this sendmsg, which a profile therefore must not
 * send to the agent (the runtime refuses SCMP_ACT_NOTIFY on it).
 */
int notify_send_listener(int sock, int listener, const char *state, struct failure *f);

#endif
