/*
 * PID 1's program text and data moved from the memfd it was executed from into anonymous
 * memory, so that CRIU can checkpoint and restore it (docs/checkpoint.md).
 */
#ifndef SWINIT_EXEIMAGE_H
#define SWINIT_EXEIMAGE_H

#include "report.h"

/* Replaces every mapping of a memfd in this process (the init's own ELF segments: it runs
 * from a sealed memfd) with an anonymous private copy of the same bytes and protection, at
 * the same address. /proc/self/exe still names the sealed memfd. -1 with f set on failure. */
int exeimage_to_anonymous(struct failure *f);

#endif
