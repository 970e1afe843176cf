#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "process.h"
#include "proc.h"

/* glibc declares setrlimit's first parameter as an enum under _GNU_SOURCE, musl as int. */
#ifdef __GLIBC__
#define RLIMIT_RESOURCE(r) ((__rlimit_resource_t)(r))
#else
#define RLIMIT_RESOURCE(r) ((int)(r))
#endif

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "caps.h"
#include "fds.h"
#include "hooks.h"
#include "lsm.h"
#include "notify.h"
#include "sys.h"

/* Exit status of a process that could not be set up or exec'd (like a shell's "not found"). */
#define PROCESS_FAILED 127

static const char *const rlimit_names[] = {
    "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE", "RLIMIT_RSS",
    "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS",
    "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME",
};

__attribute__((noreturn)) static void die(const struct process_ctx *ctx, const struct failure *f)
{
    report_failure(ctx->report_fd, f);
    _exit(PROCESS_FAILED);
}

/* Signals: PID 1 blocked everything and reset every disposition to SIG_DFL before the fork
 * (main.c), so only the mask is left; fork clears pending signals. */
static int step_signals(struct failure *f)
{
    if (sys_unblock_all_signals() < 0)
        return fail_errno(f, errno, "unblock signals");
    return 0;
}

/* A new session: the process leads its own session and process group (like runc's), which
 * TIOCSCTTY below requires. In direct mode the init may already be a session leader. */
static int step_session(struct failure *f)
{
    if (setsid() < 0 && !(errno == EPERM && getsid(0) == getpid()))
        return fail_errno(f, errno, "setsid");
    return 0;
}

/* runtime-spec "terminal": the pty slave becomes stdio and the controlling terminal. After
 * setsid: TIOCSCTTY needs a session leader without a controlling terminal. */
static int step_terminal(int tfd, struct failure *f)
{
    if (tfd < 0)
        return 0;
    for (int fd = 0; fd <= 2; fd++)
        if (fd != tfd && SYS_RETRY(dup2(tfd, fd)) < 0)
            return fail_errno(f, errno, "terminal: dup2 %d onto %d", tfd, fd);
    if (ioctl(0, TIOCSCTTY, 0) < 0)
        return fail_errno(f, errno, "terminal: TIOCSCTTY");
    if (tfd > 2)
        close(tfd);
    return 0;
}

/*
 * The process's uid owns its terminal (runtime-spec "terminal" with a non-root "user"): a pty
 * made by root belongs to root:tty, and a process running as uid 1000 could not reopen
 * $(tty) or /dev/stdout. runc's fixStdioPermissions does the same: only the uid changes, the
 * group stays (tty for a pty). Pipes get the same treatment (reopening /dev/stdout of a pipe
 * checks its owner too); /dev/null, regular files, sockets and other devices, which may be the
 * host's, are left alone. Before the uid switch (needs CAP_CHOWN). A failure that only means
 * the owner cannot be changed here (EINVAL: the uid is not mapped in the user namespace,
 * EPERM, EROFS) leaves it as it is, as in runc.
 */
static int step_stdio_owner(const struct plan *p, struct failure *f)
{
    for (int fd = 0; fd <= 2; fd++) {
        struct stat st;
        if (fstat(fd, &st) < 0) {
            if (errno == EBADF)
                continue;
            return fail_errno(f, errno, "stdio owner: fstat %d", fd);
        }
        const bool pty = p->terminal_fd >= 0 && S_ISCHR(st.st_mode);
        if (st.st_uid == p->uid || !(pty || S_ISFIFO(st.st_mode)))
            continue;
        if (fchown(fd, p->uid, (gid_t)-1) < 0 && errno != EINVAL && errno != EPERM && errno != EROFS)
            return fail_errno(f, errno, "stdio owner: fchown %d to uid %u", fd, p->uid);
    }
    return 0;
}

/* runtime-spec "rlimits". Before the uid switch: raising a hard limit needs CAP_SYS_RESOURCE. */
static int step_rlimits(const struct plan *p, struct failure *f)
{
    for (size_t i = 0; i < p->nrlimits; i++) {
        const struct plan_rlimit *l = &p->rlimits[i];
        if (setrlimit(RLIMIT_RESOURCE(l->resource), &l->limit) < 0) {
            if (l->resource >= 0 && (size_t)l->resource < sizeof rlimit_names / sizeof *rlimit_names)
                return fail_errno(f, errno, "setrlimit %s", rlimit_names[l->resource]);
            return fail_errno(f, errno, "setrlimit %d", l->resource);
        }
    }
    return 0;
}

/* personality, scheduler, ioprio: before the uid switch, because a real-time policy, a lower
 * nice value or IOPRIO_CLASS_RT need CAP_SYS_NICE / CAP_SYS_ADMIN. */
static int step_scheduling(const struct plan *p, struct failure *f)
{
    if (p->has_personality && personality(p->personality) == -1)
        return fail_errno(f, errno, "personality %#x", p->personality);
    if (p->has_sched && sys_sched_setattr(&p->sched) < 0)
        return fail_errno(f, errno, "sched_setattr policy %u", p->sched.sched_policy);
    if (p->has_ioprio && sys_ioprio_set(p->ioprio_class, p->ioprio_priority) < 0)
        return fail_errno(f, errno, "ioprio_set class %u priority %u", p->ioprio_class,
                          p->ioprio_priority);
    return 0;
}

/* LSM labels: written while still root with all capabilities and before any seccomp filter
 * (which could deny the open/write). Effective at execve only. */
static int step_labels(const struct plan *p, struct failure *f)
{
    if (p->apparmor != NULL && lsm_set_apparmor(p->apparmor, f) < 0)
        return -1;
    if (p->selinux != NULL && lsm_set_selinux(p->selinux, f) < 0)
        return -1;
    return 0;
}

/* A seccomp filter (runtime-spec config-linux.md "Seccomp"). */
static int step_seccomp(const struct plan *p, struct failure *f)
{
    struct sock_fprog prog = { .len = (unsigned short)p->filter_len, .filter = p->filter };
    int r = sys_seccomp_filter(p->seccomp_flags, &prog);
    if (r < 0)
        return fail_errno(f, errno, "seccomp: load filter (%zu instructions, flags %#x)",
                          p->filter_len, p->seccomp_flags);
    /* With SECCOMP_FILTER_FLAG_NEW_LISTENER r is the listener fd. It goes to the agent at once,
     * before any syscall the agent might have to answer (plan_read made sure there is a
     * socket). Ours and the socket are O_CLOEXEC: both close at execve, which ends the
     * connection as the spec asks, and the process never sees them. */
    if ((p->seccomp_flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) &&
        notify_send_listener(p->notify_fd, r, p->notify_state, f) < 0)
        return -1;
    return 0;
}

/* CPU affinity of the process (runc's execCPUAffinity "initial"), right before seccomp so the
 * init's own setup ran wherever the cgroup allowed. */
static int step_affinity(const struct plan *p, struct failure *f)
{
    if (p->cpu_affinity != NULL &&
        sched_setaffinity(0, p->cpu_affinity_len, (const cpu_set_t *)p->cpu_affinity) < 0)
        return fail_errno(f, errno, "sched_setaffinity (%zu-byte mask)", p->cpu_affinity_len);
    return 0;
}

static bool setgroups_denied(void)
{
    int fd = proc_open("self/setgroups", O_RDONLY);
    if (fd < 0)
        return false;
    char buf[8];
    ssize_t n = sys_read_full(fd, buf, sizeof buf - 1);
    close(fd);
    return n >= 4 && memcmp(buf, "deny", 4) == 0;
}

/*
 * uid, gid, supplementary groups and capabilities (runtime-spec "user", "capabilities").
 * Order matters:
 *  - the bounding set is dropped first: PR_CAPBSET_DROP needs CAP_SETPCAP, gone after a switch
 *    to a non-root uid;
 *  - setgroups before setresgid/setresuid: it needs CAP_SETGID;
 *  - PR_SET_KEEPCAPS around setresuid keeps the permitted set across a switch to a non-root
 *    uid (only when capabilities are configured: otherwise the switch drops them all, as
 *    it should);
 *  - capset then sets exactly the configured sets (it can only shrink permitted), and the
 *    ambient raise needs the bits in permitted and inheritable, so it comes last. Ambient is
 *    what lets a non-root process keep capabilities across execve.
 */
static int step_identity(const struct plan *p, const struct process_ctx *ctx, struct failure *f)
{
    if (p->has_caps && caps_drop_bounding(p->caps[PLAN_CAP_BOUNDING], ctx->last_cap, f) < 0)
        return -1;
    if (setgroups(p->ngroups, p->groups) < 0) {
        /* A user namespace whose setgroups is "deny" (rootless, a single gid mapping written
         * without privilege) keeps the groups it has; groups asked for cannot be given there,
         * and that is an error, never a process without them (docs/rootless.md). */
        int err = errno;
        if (!(err == EPERM && setgroups_denied()))
            return fail_errno(f, err, "setgroups (%zu groups)", p->ngroups);
        if (p->ngroups > 0)
            return fail_errno(f, err, "process.user.additionalGids: setgroups is \"deny\" in this user namespace "
                                      "(a rootless single gid mapping): %zu groups cannot be set", p->ngroups);
    }
    if (p->has_caps && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
        return fail_errno(f, errno, "prctl PR_SET_KEEPCAPS");
    if (setresgid(p->gid, p->gid, p->gid) < 0)
        return fail_errno(f, errno, "setresgid %u", p->gid);
    if (setresuid(p->uid, p->uid, p->uid) < 0)
        return fail_errno(f, errno, "setresuid %u", p->uid);
    if (p->has_caps) {
        if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
            return fail_errno(f, errno, "prctl PR_SET_KEEPCAPS");
        if (caps_apply(p->caps, ctx->last_cap, f) < 0)
            return -1;
    }
    return 0;
}

/*
 * runtime-spec "cwd". Like runc, try before the uid switch (the user may lack search
 * permission on a path root can use), and again after it on EACCES/EPERM (root in a user
 * namespace may lack access the user has). Returns 1 if it must be retried.
 */
static int step_chdir(const struct plan *p, bool retry_allowed, struct failure *f)
{
    if (chdir(p->cwd) == 0)
        return 0;
    if (retry_allowed && (errno == EACCES || errno == EPERM))
        return 1;
    return fail_errno(f, errno, "chdir \"%s\"", p->cwd);
}

/* CVE-2024-21626: a leaked fd to a host directory makes a cwd like /proc/self/fd/N resolve
 * outside the container; the kernel then reports the cwd as "(unreachable)/...". */
static int step_check_cwd(const struct plan *p, struct failure *f)
{
    char buf[4096];
    if (sys_getcwd(buf, sizeof buf) < 0)
        return fail_errno(f, errno, "getcwd after chdir \"%s\"", p->cwd);
    if (buf[0] != '/')
        return fail_msg(f, ENOENT, "chdir \"%s\": cwd is outside the container root (%s)", p->cwd,
                        buf);
    return 0;
}

/* PR_SET_PDEATHSIG after the uid switch: the kernel clears it on every credential change. */
static int step_pdeathsig(const struct plan *p, const struct process_ctx *ctx, struct failure *f)
{
    if (p->pdeathsig == 0)
        return 0;
    if (prctl(PR_SET_PDEATHSIG, (unsigned long)p->pdeathsig, 0, 0, 0) < 0)
        return fail_errno(f, errno, "prctl PR_SET_PDEATHSIG %d", p->pdeathsig);
    /* The parent may have died before the prctl; then nobody will send it. (Not raise(): glibc's
     * cached tid is stale after a raw clone3.) */
    if (ctx->parent != 0 && getppid() != ctx->parent)
        (void)kill(getpid(), p->pdeathsig);
    return 0;
}

void process_exec(const struct plan *p, const struct process_ctx *in)
{
    struct process_ctx ctx = *in;
    struct failure f;
    int retry_chdir;
    /*
     * Without no_new_privs, loading a seccomp filter needs CAP_SYS_ADMIN, so it must happen
     * while the process is still privileged: before the uid switch and capset (runc does the
     * same). The filter then also sees setgroups/setresuid/capset/chdir/close_range/execve, which
     * every sane profile allows. With no_new_privs it is loaded last, as close to execve as
     * possible, so as few syscalls as possible run under it.
     */
    const bool seccomp_early = p->has_seccomp && !p->no_new_privs;

    if (step_signals(&f) < 0 || step_session(&f) < 0 || step_terminal(p->terminal_fd, &f) < 0 ||
        step_stdio_owner(p, &f) < 0 || step_rlimits(p, &f) < 0 || step_scheduling(p, &f) < 0)
        die(&ctx, &f);
    /* runtime-spec "user.umask" (default 0022): inherited across execve. */
    umask((mode_t)p->umask);
    if (step_labels(p, &f) < 0)
        die(&ctx, &f);
    if ((retry_chdir = step_chdir(p, true, &f)) < 0)
        die(&ctx, &f);
    /* The CVE-2024-21626 check right after a chdir that worked, before any filter is loaded:
     * a profile may deny getcwd(2) to the process without denying it to the runtime. */
    if (!retry_chdir && step_check_cwd(p, &f) < 0)
        die(&ctx, &f);
    if (seccomp_early && (step_affinity(p, &f) < 0 || step_seccomp(p, &f) < 0))
        die(&ctx, &f);
    if (step_identity(p, &ctx, &f) < 0)
        die(&ctx, &f);
    /* runtime-spec "noNewPrivileges": after the switch (setresuid itself is unaffected), before
     * the filter that requires it. */
    if (p->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
        fail_errno(&f, errno, "prctl PR_SET_NO_NEW_PRIVS");
        die(&ctx, &f);
    }
    /* A cwd only the user can enter is entered and checked now; the late filter is still out,
     * the early one (no no_new_privs) is in: then the check needs getcwd under it. */
    if (retry_chdir && (step_chdir(p, false, &f) < 0 || step_check_cwd(p, &f) < 0))
        die(&ctx, &f);
    /* Only stdio and the preserved fds reach the process. Marked, not closed, so the report
     * channel works until execve. */
    if (fds_keep_preserved(p->preserve_fds, &f) < 0 ||
        fds_cloexec_from(3 + p->preserve_fds, &f) < 0)
        die(&ctx, &f);
    if (step_pdeathsig(p, &ctx, &f) < 0)
        die(&ctx, &f);
    if (!seccomp_early &&
        (step_affinity(p, &f) < 0 || (p->has_seccomp && step_seccomp(p, &f) < 0)))
        die(&ctx, &f);

    /* startContainer hooks: here, with everything the program will have (uid, capabilities,
     * no_new_privs, seccomp), as runc runs them (hooks.h). A failing hook fails the start. */
    if (p->nhooks > 0 && hooks_run_start(p, &f) < 0)
        die(&ctx, &f);

    /* Direct mode: nobody can answer after execve, so STARTED goes now; an execve failure is
     * then only visible as exit status 127 (and on stderr). */
    if (ctx.started_fd >= 0) {
        (void)report_send(ctx.started_fd, SWL_MSG_STARTED, 0, (int32_t)getpid(), NULL);
        ctx.report_fd = -1;
    }
    execve(p->exec_path, p->argv, p->envp);
    fail_errno(&f, errno, "exec \"%s\"", p->exec_path);
    die(&ctx, &f);
}
