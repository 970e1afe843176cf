/*
 * Capabilities of the user's process (runtime-spec config.md "Process": capabilities).
 * Bits above the kernel's last capability (a name swiftlet knows, such as CAP_BPF or
 * CAP_CHECKPOINT_RESTORE, on a kernel older than it) are masked off: the kernel cannot grant
 * them, so masking only ever yields fewer privileges. Not silently: `create` and `exec` warn,
 * naming them, before anything runs (SwiftletCore/Security/KernelCapabilities.swift;
 * docs/security.md "Capabilities the kernel does not know").
 */
#ifndef SWINIT_CAPS_H
#define SWINIT_CAPS_H

#include <stdint.h>

#include "report.h"

/*
 * The highest capability this kernel knows. Read from /proc/sys/kernel/cap_last_cap only when
 * that file is really on procfs (the rootfs is container-controlled and /proc may not be
 * mounted) and agrees with PR_CAPBSET_READ; otherwise probed with PR_CAPBSET_READ.
 * Runs in PID 1, before any fork.
 */
int caps_last_cap(void);

/* Drops every bounding-set capability not in `bounding`. Needs CAP_SETPCAP: call it before
 * the uid switch. */
int caps_drop_bounding(uint64_t bounding, int last_cap, struct failure *f);

/*
 * PID 1, before it forks the process: drops from its own bounding set what the process's set
 * lacks, ignoring failures. The child inherits the smaller set and its caps_drop_bounding finds
 * those capabilities gone (it still reports any it cannot drop itself); PID 1 empties the rest
 * in confine_init. Each drop commits a new struct cred (and frees the old one after an RCU
 * grace period): doing them once instead of in both processes halves them per container.
 */
void caps_predrop_bounding(uint64_t bounding, int last_cap);

/* capset(2) of effective/permitted/inheritable, then the ambient set: clear, then raise each
 * bit (the kernel requires it in permitted and inheritable already). */
int caps_apply(const uint64_t sets[], int last_cap, struct failure *f);

#endif
