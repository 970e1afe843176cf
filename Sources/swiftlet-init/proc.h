/*
 * Every /proc access of swiftlet-init goes through the runtime's private procfs instance
 * (SWL_P_PROC_FD; see SwiftletCore/System/Procfs.swift for why): never through the container's
 * /proc, which the bundle's mounts or a racing container decide (CVE-2019-16884,
 * CVE-2023-27561, CVE-2025-52881).
 */
#ifndef SWINIT_PROC_H
#define SWINIT_PROC_H

/* Adopts `fd` (the plan's SWL_P_PROC_FD, or -1 when the plan had none). */
void proc_set_root(int fd);

/* The adopted root, or -1. */
int proc_root(void);

/*
 * Opens `path` (relative: "self/setgroups", "thread-self/attr/apparmor/exec") below the private
 * procfs: openat2 with RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV and O_NOFOLLOW,
 * then checks the file is on procfs. O_CLOEXEC is always added. -1 with errno on failure:
 * EBADF when there is no private procfs, EXDEV when the file is not on procfs.
 */
int proc_open(const char *path, int flags);

/* Closes the private procfs: nothing after the process's start needs it. */
void proc_close(void);

#endif
