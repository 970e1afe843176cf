/*
 * Linux security module labels for the user's process (runtime-spec config.md "Process":
 * apparmorProfile, selinuxLabel). Both are written to the process's own /proc/self/attr files
 * and take effect at execve.
 *
 * CVE-2019-16884: the rootfs is container-controlled, so /proc may be a fake directory (or a
 * bind mount the image made) that silently swallows the write, leaving the process unconfined.
 * Each attr file is therefore opened O_PATH|O_NOFOLLOW first and must live on procfs
 * (fstatfs == PROC_SUPER_MAGIC) before it is reopened for writing through that very fd.
 */
#ifndef SWINIT_LSM_H
#define SWINIT_LSM_H

#include "report.h"

/* Writes "exec <profile>" to /proc/self/attr/apparmor/exec (or /proc/self/attr/exec). */
int lsm_set_apparmor(const char *profile, struct failure *f);
/* Writes the label to /proc/self/attr/exec. */
int lsm_set_selinux(const char *label, struct failure *f);

/*
 * PID 1's own label (docs/security.md "PID 1 keeps no more than the container"): the calling
 * thread changes its current label at once, through attr/current of the runtime's private
 * procfs (proc_fd, SWL_P_PROC_FD) or, without one, of /proc with the procfs check above.
 * Called by the init after the fork and before the process may run: without proc_fd it goes
 * through the same /proc, checked the same way, as the process's own "exec" label after it.
 */
/* Writes "changeprofile <profile>" to thread-self/attr/apparmor/current (or attr/current). */
int lsm_label_self_apparmor(const char *profile, int proc_fd, struct failure *f);
/* Writes the label to thread-self/attr/current. 0: done; 1: the policy refused it (EACCES: no
 * setcurrent or dyntransition for the runtime's domain), f says how; -1: any other failure. */
int lsm_label_self_selinux(const char *label, int proc_fd, struct failure *f);

#endif
