/*
 * The parsed plan (see swiftlet_plan.h for the wire format). Everything the forked child needs
 * is built here, before any fork, so the child never allocates.
 */
#ifndef SWINIT_PLAN_H
#define SWINIT_PLAN_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "report.h"
#include "sys.h"

struct plan_rlimit {
    int           resource;
    struct rlimit limit;
};

enum { PLAN_CAP_BOUNDING, PLAN_CAP_EFFECTIVE, PLAN_CAP_PERMITTED, PLAN_CAP_INHERITABLE,
       PLAN_CAP_AMBIENT, PLAN_CAP_SETS };

struct plan {
    uint32_t mode;                   /* enum swl_mode */
    int      sync_fd;                /* -1: absent */
    int      start_fd;               /* -1: absent, start at once */
    int      terminal_fd;            /* -1: absent */
    int      notify_fd;              /* -1: absent; the seccomp agent's connected socket */
    const char *notify_state;        /* SWL_P_NOTIFY_STATE; NULL: absent */
    int      proc_fd;                /* -1: absent; the runtime's private procfs root */
    int      null_fd;                /* -1: absent; the verified null device */

    char   **argv;                   /* NULL-terminated, argc >= 1 */
    size_t   argc;
    char   **envp;                   /* NULL-terminated, may be empty */
    size_t   envc;
    const char *exec_path;           /* absolute */
    const char *cwd;                 /* absolute; "/" when absent */

    uint32_t uid, gid;               /* 0 when absent */
    gid_t   *groups;                 /* SWL_P_GROUPS entries; empty list when absent */
    size_t   ngroups;
    uint32_t umask;                  /* 0022 when absent */

    bool     has_caps;
    uint64_t caps[PLAN_CAP_SETS];
    bool     no_new_privs;
    struct plan_rlimit *rlimits;
    size_t   nrlimits;

    bool     has_seccomp;
    uint32_t seccomp_flags;
    struct sock_filter *filter;
    size_t   filter_len;

    const char *apparmor;            /* NULL: absent */
    const char *selinux;             /* NULL: absent */
    uint32_t preserve_fds;
    bool     subreaper;
    int      pdeathsig;              /* 0: absent */
    bool     has_personality;
    uint32_t personality;
    bool     has_sched;
    struct sys_sched_attr sched;
    bool     has_ioprio;
    uint32_t ioprio_class, ioprio_priority;
    const void *cpu_affinity;        /* cpu_set_t bytes; NULL: absent */
    size_t   cpu_affinity_len;
    const unsigned char **hooks;     /* SWL_P_HOOK payloads, in order (parsed by hooks.c) */
    uint32_t *hook_lens;
    size_t   nhooks;
    const char *hook_state;          /* SWL_P_HOOK_STATE; NULL: absent */
    bool     has_oom_score_adj;      /* parsed and ignored: the runtime writes it for PID 1 */
    int32_t  oom_score_adj;
};

/*
 * Reads the whole plan from fd (from offset 0 to EOF) and parses it into *p. On failure fills
 * f and returns -1; p->sync_fd is then whatever the structurally valid records before the
 * failure said (or -1), so the caller knows where to report. The buffer backs the strings in
 * *p and lives until the process exits or execs.
 */
int plan_read(int fd, struct plan *p, struct failure *f);

/*
 * Checks the fds the plan names against the process's fd table: each open, pairwise distinct,
 * none of them in the preserved range 3..3+n-1 (which must all be open), none equal to
 * plan_fd. Marks the init's own fds (sync, start, terminal, notify, proc, null) close-on-exec.
 */
int plan_check_fds(const struct plan *p, int plan_fd, struct failure *f);

#endif
