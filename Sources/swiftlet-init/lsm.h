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

#endif
