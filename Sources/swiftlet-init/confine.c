#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "confine.h"

#include <errno.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdint.h>
#include <sys/prctl.h>

#include "lsm.h"
#include "swiftlet_seccomp_eval.h"
#include "sys.h"

#ifndef SECCOMP_FILTER_FLAG_LOG
#define SECCOMP_FILTER_FLAG_LOG (1UL << 1)
#endif
#ifndef SECCOMP_FILTER_FLAG_SPEC_ALLOW
#define SECCOMP_FILTER_FLAG_SPEC_ALLOW (1UL << 2)
#endif

/*
 * The container's LSM label, for the init itself.
 *
 * AppArmor fails closed: the process is about to run under the profile, and changing from the
 * runtime's label to it is allowed exactly when the process's "exec" change is (unconfined may
 * change to any loaded profile; a confined runtime needs the same change_profile rule for
 * both). So a failure here is an error of the container, reported on the start connection.
 *
 * SELinux asks and lets the policy decide: a dynamic transition needs `process setcurrent` for
 * the runtime's domain and `dyntransition` to the container's, and container-selinux grants
 * container_runtime_t every process permission except ptrace and setcurrent. A refusal
 * (EACCES) therefore leaves the init in the runtime's domain, as the host's policy wants; any
 * other failure (no procfs, an invalid label) is an error.
 */
static int confine_label(const struct plan *p, struct failure *f)
{
    if (p->apparmor != NULL && lsm_label_self_apparmor(p->apparmor, f) < 0)
        return -1;
    if (p->selinux != NULL && lsm_label_self_selinux(p->selinux, f) < 0)
        return -1;
    return 0;
}

/*
 * The bounding set, emptied. It only matters at execve (it caps what a program can gain) and
 * the init never executes anything again, so an empty set costs it nothing and is a subset of
 * any process's. Dropping needs CAP_SETPCAP, hence before the capset that gives it up. Only a
 * capability the process itself is denied must go (the forked child drops those next, with
 * the same privileges); without a capability list the process keeps the init's inherited set,
 * so a failure to drop anything is tolerated there.
 */
static int confine_bounding(const struct plan *p, int last_cap, struct failure *f)
{
    const uint64_t must_drop = p->has_caps ? ~p->caps[PLAN_CAP_BOUNDING] : 0;
    for (int cap = 0; cap <= last_cap; cap++) {
        if (prctl(PR_CAPBSET_READ, (unsigned long)cap, 0, 0, 0) != 1)
            continue; /* already gone */
        if (prctl(PR_CAPBSET_DROP, (unsigned long)cap, 0, 0, 0) < 0 &&
            (must_drop & (UINT64_C(1) << cap)))
            return fail_errno(f, errno, "PID 1: drop capability %d from its bounding set", cap);
    }
    return 0;
}

/*
 * Ambient cleared, inheritable emptied, permitted = effective = {CAP_KILL}. CAP_KILL is the one
 * privilege the init's job needs: `swiftlet kill` signals the init, which forwards the signal to
 * the process, and kill(2) between different uids needs it (a uid 1000 process, or a root one
 * that switched uid later). It is kept even when the process's own sets lack it: without it
 * `kill TERM` (docker stop) would no longer reach such a process. Its reach is the init's pid
 * namespace: with the container's own (the default) that is the container's processes, which
 * the runtime may signal anyway (`kill --all`). docs/security.md discusses the shared case.
 */
static int confine_capabilities(struct failure *f)
{
    uint64_t eff, prm, inh;
    if (sys_capget(&eff, &prm, &inh) < 0)
        return fail_errno(f, errno, "PID 1: capget");
    const uint64_t keep = prm & (UINT64_C(1) << CAP_KILL);
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
        return fail_errno(f, errno, "PID 1: clear its ambient set"); /* EINVAL: before 4.3 */
    if (sys_capset(keep, keep, 0) < 0)
        return fail_errno(f, errno, "PID 1: capset effective=permitted=%#llx inheritable=0",
                          (unsigned long long)keep);
    return 0;
}

int confine_init(const struct plan *p, int last_cap, struct failure *f)
{
    /* 1. The label first: both LSMs restrict label changes under no_new_privs (AppArmor to a
     *    stacked subset, SELinux to a bounded domain), and it is the step that can fail, before
     *    anything else changed. */
    if (confine_label(p, f) < 0)
        return -1;
    /* 2.-3. Capabilities: the bounding set needs CAP_SETPCAP, the capset gives it up. */
    if (confine_bounding(p, last_cap, f) < 0 || confine_capabilities(f) < 0)
        return -1;
    /* 4. no_new_privs: nothing the init could still execute gains privileges, and a seccomp
     *    filter can be loaded without CAP_SYS_ADMIN (confine_seccomp). */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return fail_errno(f, errno, "PID 1: prctl PR_SET_NO_NEW_PRIVS");
    /* 5. Still non-dumpable (main.c's harden): a credential change may reset the flag to the
     *    host's suid_dumpable (not for a pure drop, but the rule is the kernel's to change). */
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
        return fail_errno(f, errno, "PID 1: prctl PR_SET_DUMPABLE");
    return 0;
}

bool confine_seccomp(const struct plan *p, bool with_pidfd)
{
    if (!p->has_seccomp)
        return false;
    int32_t nrs[SWL_INIT_SYSCALLS_MAX];
    int32_t refused;
    const size_t n = swl_init_supervise_syscalls(with_pidfd, nrs);
    if (!swl_seccomp_allows_all(p->filter, p->filter_len, SWL_AUDIT_ARCH_NATIVE, nrs, n, &refused))
        return false;
    /* No listener: the agent serves the process; every syscall the init makes is allowed
     * outright, so none would ever reach a listener. LOG and SPEC_ALLOW as the process has them. */
    const unsigned int flags =
        p->seccomp_flags & (SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW);
    struct sock_fprog prog = { .len = (unsigned short)p->filter_len, .filter = p->filter };
    return sys_seccomp_filter(flags, &prog) == 0;
}
