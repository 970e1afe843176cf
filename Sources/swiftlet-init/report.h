/*
 * Failures and messages. A failure is "what failed: detail" plus the errno; it travels as a
 * struct swl_msg of type SWL_MSG_ERROR on whichever channel is open at that point: the sync
 * socket before READY, the start connection after it, the exec-status pipe in the forked
 * child. With no channel at all it is written to stderr as a last resort.
 *
 * Nothing here allocates or uses stdio streams: it runs in the forked child and with
 * possibly broken fds.
 */
#ifndef SWINIT_REPORT_H
#define SWINIT_REPORT_H

#include <stdint.h>

#include "swiftlet_plan.h"

struct failure {
    int  err;                 /* errno, 0 if none */
    char text[SWL_MSG_TEXT];  /* NUL-terminated, truncated to fit */
};

/* Sets f to "<fmt>: <strerror(err)>" and returns -1 (so callers can `return fail_errno(...)`). */
int fail_errno(struct failure *f, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Sets f to "<fmt>" with err as given (for validation errors) and returns -1. */
int fail_msg(struct failure *f, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Sends one swl_msg on fd (socket or pipe); returns -1 with errno if it could not. */
int report_send(int fd, uint32_t type, int32_t err, int32_t pid, const char *text);
/* Sends f as SWL_MSG_ERROR on fd, or writes "swiftlet-init: <text>\n" to stderr if fd < 0
 * or the send fails. */
void report_failure(int fd, const struct failure *f);

/* strerror without locale or allocation. */
const char *report_strerror(int err);

#endif
