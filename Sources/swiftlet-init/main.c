/*
 * swiftlet-init: the container's PID 1.
 *
 * The runtime has already built the container (namespaces, mounts, pivot_root, hostname...) and
 * executed this program from a sealed memfd with argv = { "swiftlet-init", "<plan fd>" }. The
 * plan (swiftlet_plan.h) says what to run and how. The flow:
 *
 *   harden -> read plan -> segments off the memfd -> subreaper -> READY -> wait for START
 *   -> run the process -> confine PID 1 (confine.h) -> supervise
 *
 * Every failure before READY is an SWL_MSG_ERROR on the sync socket and exit status 1; after it,
 * an SWL_MSG_ERROR on the start connection (stderr when there is none). A process that cannot be
 * set up or exec'd makes the init exit 127.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "caps.h"
#include "confine.h"
#include "exeimage.h"
#include "fds.h"
#include "plan.h"
#include "proc.h"
#include "process.h"
#include "report.h"
#include "start.h"
#include "supervise.h"
#include "swiftlet_plan.h"
#include "sys.h"

#define INIT_FAILED 1

__attribute__((noreturn)) static void fail_exit(int fd, const struct failure *f)
{
    report_failure(fd, f);
    _exit(INIT_FAILED);
}

/*
 * Step 1, before anything else can race:
 *  - PR_SET_DUMPABLE 0: once the container has processes, none of them (not even its root) may
 *    open /proc/1/exe, /proc/1/mem or ptrace PID 1: /proc/1/exe is the runtime's binary memfd
 *    (CVE-2019-5736 is about exactly that path) and PID 1's memory holds the plan. A
 *    non-dumpable process's /proc files belong to root of the initial user namespace. The user's
 *    process inherits the flag but execve resets it, so it stays an ordinary process.
 *  - its name (comm) is swiftlet-init, so that ps inside and outside says what PID 1 is.
 *  - every signal blocked: they queue until the signalfd reads them (before the start, and in
 *    the supervise loop), so none can kill or interrupt the init half-way. Blocked signals are
 *    queued even for PID 1 of a pid namespace, which would otherwise drop SIG_DFL signals.
 *  - every disposition back to SIG_DFL: a SIG_IGN inherited from the runtime would survive
 *    execve into the user's process, and an ignored SIGCHLD would auto-reap (losing the
 *    process's exit status). The forked child inherits these defaults.
 */
static int harden(struct failure *f)
{
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
        return fail_errno(f, errno, "prctl PR_SET_DUMPABLE");
    /* A session of its own (runc's init has one too): the init was in the runtime's session, a
     * session whose leader lives outside the container, which CRIU refuses to dump ("a session
     * leader ... is outside of its pid namespace"). No terminal is attached by this: the
     * process makes its own session and takes the terminal (process.c). EPERM: already a
     * process group leader (cannot happen after clone, which makes no leader). */
    if (setsid() < 0 && errno != EPERM)
        return fail_errno(f, errno, "setsid");
    /* Executed from a memfd, the init would be listed as "memfd:swiftlet-" by ps. */
    (void)prctl(PR_SET_NAME, "swiftlet-init", 0, 0, 0);
    if (sys_block_all_signals() < 0)
        return fail_errno(f, errno, "block signals");
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < _NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            (void)sigaction(sig, &dfl, NULL); /* EINVAL for glibc's reserved 32/33: fine */
    return 0;
}

static int parse_fd_arg(int argc, char **argv, struct failure *f)
{
    if (argc != 2)
        return fail_msg(f, EINVAL, "usage: swiftlet-init <plan fd> (got %d arguments)", argc - 1);
    char *end;
    errno = 0;
    long fd = strtol(argv[1], &end, 10);
    if (errno != 0 || end == argv[1] || *end != '\0' || fd < 0 || fd > 0x7fffffff)
        return fail_msg(f, EINVAL, "usage: swiftlet-init <plan fd>: bad fd \"%s\"", argv[1]);
    return (int)fd;
}

/*
 * SWL_MODE_SUPERVISE after the start: fork the process, confine PID 1 (confine.c) while the
 * child waits on the gate pipe, let the child go on, learn whether its execve worked; then
 * keep nothing of the runtime, load the seccomp filter if the init can live with it, and
 * supervise.
 */
__attribute__((noreturn)) static void run_supervised(const struct plan *p, int sigfd, int conn,
                                                     int last_cap)
{
    struct failure f;
    int status_pipe[2], gate[2];
    if (pipe2(status_pipe, O_CLOEXEC) < 0 || pipe2(gate, O_CLOEXEC) < 0) {
        fail_errno(&f, errno, "exec-status and gate pipes");
        fail_exit(conn, &f);
    }
    const pid_t self = getpid();
    /* What the process's bounding set lacks goes before the fork (caps.h): PID 1 would drop it
     * in confine_init anyway, and the child would drop the same capabilities again. */
    if (p->has_caps)
        caps_predrop_bounding(p->caps[PLAN_CAP_BOUNDING], last_cap);
    int pidfd = -1;
    pid_t pid = sys_clone3_pidfd(&pidfd);
    if (pid < 0 && errno == ENOSYS) {
        /* Before Linux 5.3 (or a seccomp profile hiding clone3): fork, then a pidfd if any. */
        pid = fork();
        if (pid > 0)
            pidfd = sys_pidfd_open(pid); /* -1 before 5.3: signals then go by pid */
    }
    if (pid < 0) {
        fail_errno(&f, errno, "fork the process");
        fail_exit(conn, &f);
    }
    if (pid == 0) {
        close(status_pipe[0]);
        close(gate[1]);
        /* Nothing of the process runs before PID 1 gave up its privileges: one byte on the
         * gate says it did; EOF says it could not (it reports why and reaps us). */
        char go;
        if (SYS_RETRY(read(gate[0], &go, 1)) != 1)
            _exit(127);
        close(gate[0]);
        const struct process_ctx ctx = {
            .report_fd = status_pipe[1], .started_fd = -1, .parent = self, .last_cap = last_cap,
        };
        process_exec(p, &ctx);
    }

    close(gate[0]);
    close(status_pipe[1]);
    if (confine_init(p, last_cap, &f) < 0) {
        /* Fail closed: the child sees EOF on the gate and exits without running anything. */
        close(gate[1]);
        report_failure(conn, &f);
        (void)supervise_wait_child(pid);
        _exit(INIT_FAILED);
    }
    /* A one-byte write to a pipe only fails if the reader is gone: the child died already,
     * which the status pipe and supervise report as for any early death. */
    (void)SYS_RETRY(write(gate[1], "", 1));
    close(gate[1]);

    /* The write end is O_CLOEXEC: EOF means the child's execve succeeded (or it died). */
    struct swl_msg msg;
    ssize_t n = sys_read_full(status_pipe[0], &msg, sizeof msg);
    close(status_pipe[0]);
    if (n != 0) {
        if (n == (ssize_t)sizeof msg && msg.type == SWL_MSG_ERROR) {
            f.err = msg.err;
            memcpy(f.text, msg.text, sizeof f.text);
            f.text[sizeof f.text - 1] = '\0';
        } else {
            fail_msg(&f, n < 0 ? errno : EIO, "exec status: unreadable report (%zd bytes)", n);
        }
        report_failure(conn, &f);
        (void)supervise_wait_child(pid);
        _exit(127);
    }
    if (conn >= 0) {
        (void)report_send(conn, SWL_MSG_STARTED, 0, (int32_t)pid, NULL);
        close(conn);
    }
    /* PID 1 keeps nothing of the runtime (start socket, pty, preserved and notify fds) and not
     * the container's stdio: the process's readers must see EOF when the process closes it.
     * Closed rather than pointed at the null device: that is a detached mount, in no mount
     * namespace, which CRIU cannot dump; the init opens nothing afterwards, so no descriptor
     * it makes can land on 0-2. */
    proc_close();
    close(0);
    close(1);
    close(2);
    /* No pidfd is kept either: CRIU 3.17 (Debian 12's) cannot dump one, so a PID 1 holding it
     * could never be checkpointed (docs/checkpoint.md). The pid is as safe here: the process
     * is our own child, and its pid cannot be reused before we reap it, which supervise does
     * only to exit. SIGCHLD on the signalfd says when to reap; signals go by kill(2). */
    if (pidfd >= 0)
        close(pidfd);
    fds_close_all_except(sigfd, -1);
    (void)confine_seccomp(p, false);
    supervise(sigfd, -1, pid);
}

int main(int argc, char **argv)
{
    struct failure f;
    const pid_t parent = getppid(); /* direct mode's PR_SET_PDEATHSIG reference */
    struct plan p;
    memset(&p, 0, sizeof p);
    p.sync_fd = -1;

    /* 1. Harden, then 2. read the plan; both report on the sync fd, if the plan named one. */
    int hardened = harden(&f);
    int plan_fd = parse_fd_arg(argc, argv, &f);
    if (plan_fd < 0)
        fail_exit(-1, &f);
    if (plan_read(plan_fd, &p, &f) < 0)
        fail_exit(p.sync_fd, &f);
    if (hardened < 0 || plan_check_fds(&p, plan_fd, &f) < 0)
        fail_exit(p.sync_fd, &f);
    close(plan_fd);
    proc_set_root(p.proc_fd);
    const int last_cap = caps_last_cap();

    /* 2b. The init's own segments off the memfd, into anonymous memory: CRIU cannot restore a
     * process whose exe is a memfd it also maps (exeimage.c). Not in direct mode, where this
     * process becomes the user's program by execve anyway. */
    if (p.mode != SWL_MODE_DIRECT && exeimage_to_anonymous(&f) < 0)
        fail_exit(p.sync_fd, &f);

    /* 3. A child subreaper when the container has no pid namespace of its own: orphans of the
     * process come back to us, not to the host's init. */
    if (p.subreaper && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
        fail_errno(&f, errno, "prctl PR_SET_CHILD_SUBREAPER");
        fail_exit(p.sync_fd, &f);
    }
    int sigfd = sys_signalfd_all();
    if (sigfd < 0) {
        fail_errno(&f, errno, "signalfd");
        fail_exit(p.sync_fd, &f);
    }

    /* 4. READY: the runtime's create is done; the sync socket's job ends here. With a terminal
     * the container's stdio is the pty, so the runtime's stdio is let go first: an engine that
     * waits for EOF on the pipes it gave `create` (containerd's shim does) must get it when
     * create returns, not when the container ends. */
    if (p.terminal_fd >= 0)
        fds_stdio_to_devnull(p.null_fd);
    if (p.sync_fd >= 0) {
        if (report_send(p.sync_fd, SWL_MSG_READY, 0, (int32_t)getpid(), NULL) < 0) {
            fail_errno(&f, errno, "send READY");
            fail_exit(-1, &f);
        }
        close(p.sync_fd);
    }

    /* 5. Wait for START (or start at once). Signals queued so far follow the before-start rule. */
    int conn = -1;
    if (p.start_fd >= 0) {
        conn = start_wait(p.start_fd, sigfd, &f);
        if (conn < 0)
            fail_exit(-1, &f);
        if (conn != p.start_fd)
            close(p.start_fd);
    }
    start_drain_signals(sigfd);

    /* startContainer hooks run in the process, right before its execve (process.c, hooks.h). */
    if (p.mode == SWL_MODE_DIRECT) {
        /* 6. No init process: this process becomes the user's process. */
        close(sigfd);
        const struct process_ctx ctx = {
            .report_fd = conn, .started_fd = conn, .parent = parent, .last_cap = last_cap,
        };
        process_exec(&p, &ctx);
    }
    /* 6. Stay PID 1. */
    run_supervised(&p, sigfd, conn, last_cap);
}
