/*
 * Between READY and the start of the process: PID 1 waits for SWL_MSG_START on the start
 * socket while watching its signalfd.
 *
 * Before the start, signals other than SIGKILL are ignored, except SIGTERM, SIGINT, SIGQUIT
 * and SIGHUP, which make the init exit with 128+N: a created-but-not-started container that
 * receives `kill TERM` stops, as runc's does.
 */
#ifndef SWINIT_START_H
#define SWINIT_START_H

#include "report.h"

/*
 * start_fd listening (create's start.sock): accepts connections until one delivers
 * SWL_MSG_START and returns that connection (close-on-exec, kept to answer STARTED/ERROR).
 * Any other message, a short one or EOF closes that connection and the wait goes on. A second
 * connection replaces a pending silent one, so a stuck client cannot block a real start.
 * start_fd connected (`run` and `exec`: one end of a socketpair, START already queued by the
 * runtime): waits for START on it and returns start_fd itself; anything else is a failure.
 * Returns -1 with f filled on failure.
 */
int start_wait(int start_fd, int sigfd, struct failure *f);

/* Applies the before-start rule to every signal already queued (non-blocking). */
void start_drain_signals(int sigfd);

#endif
