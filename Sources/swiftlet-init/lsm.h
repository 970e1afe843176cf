/*
 * Linux security module labels for the user's process (runtime-spec config.md "Process":
 * apparmorProfile, selinuxLabel), written to the process's own attr files, which take effect at
 * execve, and PID 1's own label, which takes effect at once. Every attr file is reached through
 * the runtime's private procfs (proc.c, SWL_P_PROC_FD), never the container's /proc
 * (CVE-2019-16884, CVE-2023-27561, CVE-2025-52881); without it every call fails with EBADF.
 */
#ifndef SWINIT_LSM_H
#define SWINIT_LSM_H

#include "report.h"

/* Writes "exec <profile>" to thread-self/attr/apparmor/exec (or attr/exec). */
int lsm_set_apparmor(const char *profile, struct failure *f);
/* Writes the label to thread-self/attr/exec. */
int lsm_set_selinux(const char *label, struct failure *f);

/* PID 1's own label (docs/security.md "PID 1 keeps no more than the container"), written by
 * the init after the fork and before the process may run. */
/* Writes "changeprofile <profile>" to thread-self/attr/apparmor/current (or attr/current). */
int lsm_label_self_apparmor(const char *profile, struct failure *f);
/* Writes the label to thread-self/attr/current. 0: done; 1: the policy refused it (EACCES: no
 * setcurrent or dyntransition for the runtime's domain), f says how; -1: any other failure. */
int lsm_label_self_selinux(const char *label, struct failure *f);

#endif
