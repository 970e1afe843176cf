/*
 * File-descriptor hygiene: what the user's process inherits (runtime-spec: only stdio and the
 * preserved fds 3..3+n-1, runc's --preserve-fds) and what PID 1 keeps once it has started it
 * (nothing of the runtime: only its signalfd and the child's pidfd).
 */
#ifndef SWINIT_FDS_H
#define SWINIT_FDS_H

#include <stdint.h>

#include "report.h"

/* Clears FD_CLOEXEC on 3..3+n-1 so the preserved fds survive execve. */
int fds_keep_preserved(uint32_t n, struct failure *f);

/*
 * Marks every fd >= first close-on-exec: close_range(first, ~0U, CLOSE_RANGE_CLOEXEC) (Linux
 * 5.11), else each fd listed in /proc/self/fd (only if that is procfs), else every number up
 * to the RLIMIT_NOFILE hard limit. Marking instead of closing keeps the exec-status pipe (itself
 * O_CLOEXEC) usable until execve. Does not allocate: safe in the forked child.
 */
int fds_cloexec_from(unsigned int first, struct failure *f);

/* PID 1 after the start: closes every fd >= 3 except keep_a and keep_b (-1: none). */
void fds_close_all_except(int keep_a, int keep_b);

/*
 * PID 1 after the start: the null device over 0, 1 and 2 (the runtime's verified `null_fd`, the
 * plan's SWL_P_NULL_FD; else the container's /dev/null only if it is the real character device
 * 1:3), else closes them. PID 1 must not hold the container's stdio, so whoever reads the
 * process's output sees EOF when the process closes it.
 */
void fds_stdio_to_devnull(int null_fd);

#endif
