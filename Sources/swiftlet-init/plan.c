#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "plan.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/seccomp.h>

#include "swiftlet_plan.h"

/* A plan is a few KiB; a seccomp filter at most BPF_MAXINSNS * 8 bytes. Anything larger is a bug. */
#define PLAN_MAX_BYTES (16u << 20)
#define TAG_MAX SWL_P_NULL_FD

static const char *const tag_names[TAG_MAX + 1] = {
    [SWL_P_MAGIC] = "SWL_P_MAGIC", [SWL_P_MODE] = "SWL_P_MODE",
    [SWL_P_SYNC_FD] = "SWL_P_SYNC_FD", [SWL_P_START_FD] = "SWL_P_START_FD",
    [SWL_P_ARG] = "SWL_P_ARG", [SWL_P_ENV] = "SWL_P_ENV",
    [SWL_P_EXEC_PATH] = "SWL_P_EXEC_PATH", [SWL_P_CWD] = "SWL_P_CWD",
    [SWL_P_UID] = "SWL_P_UID", [SWL_P_GID] = "SWL_P_GID", [SWL_P_GROUPS] = "SWL_P_GROUPS",
    [SWL_P_UMASK] = "SWL_P_UMASK", [SWL_P_CAPS] = "SWL_P_CAPS",
    [SWL_P_NO_NEW_PRIVS] = "SWL_P_NO_NEW_PRIVS", [SWL_P_RLIMIT] = "SWL_P_RLIMIT",
    [SWL_P_SECCOMP] = "SWL_P_SECCOMP", [SWL_P_APPARMOR] = "SWL_P_APPARMOR",
    [SWL_P_SELINUX] = "SWL_P_SELINUX", [SWL_P_TERMINAL_FD] = "SWL_P_TERMINAL_FD",
    [SWL_P_PRESERVE_FDS] = "SWL_P_PRESERVE_FDS", [SWL_P_SUBREAPER] = "SWL_P_SUBREAPER",
    [SWL_P_PDEATHSIG] = "SWL_P_PDEATHSIG", [SWL_P_PERSONALITY] = "SWL_P_PERSONALITY",
    [SWL_P_SCHEDULER] = "SWL_P_SCHEDULER", [SWL_P_IOPRIO] = "SWL_P_IOPRIO",
    [SWL_P_CPU_AFFINITY] = "SWL_P_CPU_AFFINITY", [SWL_P_OOM_SCORE_ADJ] = "SWL_P_OOM_SCORE_ADJ",
    [SWL_P_NOTIFY_FD] = "SWL_P_NOTIFY_FD", [SWL_P_HOOK] = "SWL_P_HOOK",
    [SWL_P_HOOK_STATE] = "SWL_P_HOOK_STATE", [SWL_P_NOTIFY_STATE] = "SWL_P_NOTIFY_STATE",
    [SWL_P_PROC_FD] = "SWL_P_PROC_FD", [SWL_P_NULL_FD] = "SWL_P_NULL_FD",
};

/* Tags that may repeat ("repeated tags append"); every other tag is a scalar. */
static bool tag_repeats(uint32_t tag)
{
    return tag == SWL_P_ARG || tag == SWL_P_ENV || tag == SWL_P_GROUPS || tag == SWL_P_RLIMIT ||
           tag == SWL_P_HOOK;
}

struct record {
    uint32_t tag;
    uint32_t len;
    const unsigned char *data;
    size_t offset; /* of the record header, for messages */
};

/* Walks the records; returns 1 with *r filled, 0 at the end, -1 on a malformed header. */
static int next_record(const unsigned char *buf, size_t len, size_t *off, struct record *r,
                       struct failure *f)
{
    if (*off == len)
        return 0;
    if (len - *off < 8)
        return fail_msg(f, EINVAL, "plan: truncated record header at offset %zu", *off);
    r->offset = *off;
    memcpy(&r->tag, buf + *off, 4);
    memcpy(&r->len, buf + *off + 4, 4);
    *off += 8;
    if (r->len > len - *off)
        return fail_msg(f, EINVAL, "plan: record tag %u at offset %zu: length %u overruns the plan",
                        r->tag, r->offset, r->len);
    r->data = buf + *off;
    *off += r->len;
    return 1;
}

static const char *tag_name(uint32_t tag)
{
    return tag <= TAG_MAX && tag_names[tag] != NULL ? tag_names[tag] : "unknown";
}

static int want_len(const struct record *r, uint32_t len, struct failure *f)
{
    if (r->len != len)
        return fail_msg(f, EINVAL, "plan: %s: payload is %u bytes, want %u", tag_name(r->tag),
                        r->len, len);
    return 0;
}

static uint32_t get_u32(const unsigned char *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static int32_t get_i32(const unsigned char *p) { int32_t v; memcpy(&v, p, 4); return v; }
static uint64_t get_u64(const unsigned char *p) { uint64_t v; memcpy(&v, p, 8); return v; }

static int get_string(const struct record *r, const char **out, struct failure *f)
{
    if (r->len == 0 || r->data[r->len - 1] != '\0')
        return fail_msg(f, EINVAL, "plan: %s: string is not NUL-terminated", tag_name(r->tag));
    if (strlen((const char *)r->data) != r->len - 1)
        return fail_msg(f, EINVAL, "plan: %s: string contains a NUL byte", tag_name(r->tag));
    *out = (const char *)r->data;
    return 0;
}

static int get_fd(const struct record *r, int *out, struct failure *f)
{
    if (want_len(r, 4, f) < 0)
        return -1;
    int32_t fd = get_i32(r->data);
    if (fd < 0)
        return fail_msg(f, EINVAL, "plan: %s: invalid fd %d", tag_name(r->tag), fd);
    *out = fd;
    return 0;
}

static int read_all(int fd, unsigned char **out, size_t *out_len, struct failure *f)
{
    struct stat st;
    size_t cap = 4096;
    if (fstat(fd, &st) == 0 && st.st_size > 0 && (uint64_t)st.st_size < PLAN_MAX_BYTES)
        cap = (size_t)st.st_size + 1; /* +1 so EOF is seen without growing */
    unsigned char *buf = malloc(cap);
    if (buf == NULL)
        return fail_errno(f, ENOMEM, "read plan");
    size_t len = 0;
    for (;;) {
        if (len == cap) {
            if (cap >= PLAN_MAX_BYTES)
                return fail_msg(f, EFBIG, "read plan: larger than %u bytes", PLAN_MAX_BYTES);
            cap *= 2;
            unsigned char *grown = realloc(buf, cap);
            if (grown == NULL)
                return fail_errno(f, ENOMEM, "read plan");
            buf = grown;
        }
        /* pread from our own offset: the memfd's file position is shared with the runtime. */
        ssize_t n = SYS_RETRY(pread(fd, buf + len, cap - len, (off_t)len));
        if (n < 0)
            return fail_errno(f, errno, "read plan");
        if (n == 0)
            break;
        len += (size_t)n;
    }
    *out = buf;
    *out_len = len;
    return 0;
}

/* Pass 1: structure, magic, duplicates, counts of the repeated records, and the sync fd. */
static int scan(const unsigned char *buf, size_t len, struct plan *p, size_t counts[TAG_MAX + 1],
                struct failure *f)
{
    uint64_t seen = 0;
    size_t off = 0;
    struct record r;
    int more;
    bool first = true;
    while ((more = next_record(buf, len, &off, &r, f)) == 1) {
        if (first) {
            if (r.tag != SWL_P_MAGIC)
                return fail_msg(f, EINVAL, "plan: first record is tag %u, not SWL_P_MAGIC", r.tag);
            if (want_len(&r, 8, f) < 0)
                return -1;
            uint32_t magic = get_u32(r.data), version = get_u32(r.data + 4);
            if (magic != SWL_PLAN_MAGIC)
                return fail_msg(f, EINVAL, "plan: bad magic 0x%08x", magic);
            if (version != SWL_PLAN_VERSION)
                return fail_msg(f, EINVAL, "plan: version %u, this init speaks version %u", version,
                                SWL_PLAN_VERSION);
            first = false;
        }
        if (r.tag == 0 || r.tag > TAG_MAX || tag_names[r.tag] == NULL)
            return fail_msg(f, EINVAL, "plan: unknown tag %u at offset %zu", r.tag, r.offset);
        if ((seen & (UINT64_C(1) << r.tag)) && !tag_repeats(r.tag))
            return fail_msg(f, EINVAL, "plan: %s appears twice", tag_name(r.tag));
        seen |= UINT64_C(1) << r.tag;
        counts[r.tag] += r.tag == SWL_P_GROUPS ? r.len / 4 : 1;
        if (r.tag == SWL_P_SYNC_FD && get_fd(&r, &p->sync_fd, f) < 0)
            return -1;
    }
    if (more < 0)
        return -1;
    if (first)
        return fail_msg(f, EINVAL, "plan: empty");
    return 0;
}

static int parse_caps(const struct record *r, struct plan *p, struct failure *f)
{
    if (want_len(r, 8 * PLAN_CAP_SETS, f) < 0)
        return -1;
    for (int i = 0; i < PLAN_CAP_SETS; i++)
        p->caps[i] = get_u64(r->data + 8 * i);
    p->has_caps = true;
    return 0;
}

static int parse_seccomp(const struct record *r, struct plan *p, struct failure *f)
{
    if (r->len < 8 || (r->len - 8) % sizeof(struct sock_filter) != 0)
        return fail_msg(f, EINVAL, "plan: SWL_P_SECCOMP: payload of %u bytes is not 8 + n*%zu",
                        r->len, sizeof(struct sock_filter));
    size_t n = (r->len - 8) / sizeof(struct sock_filter);
    if (n == 0 || n > USHRT_MAX) /* sock_fprog.len is an unsigned short */
        return fail_msg(f, EINVAL, "plan: SWL_P_SECCOMP: %zu instructions", n);
    p->filter = malloc(n * sizeof(struct sock_filter)); /* aligned copy of the payload */
    if (p->filter == NULL)
        return fail_errno(f, ENOMEM, "plan: SWL_P_SECCOMP");
    memcpy(p->filter, r->data + 8, n * sizeof(struct sock_filter));
    p->filter_len = n;
    p->seccomp_flags = get_u32(r->data);
    p->has_seccomp = true;
    return 0;
}

static int parse_sched(const struct record *r, struct plan *p, struct failure *f)
{
    if (want_len(r, 48, f) < 0)
        return -1;
    memset(&p->sched, 0, sizeof p->sched);
    p->sched.size = sizeof p->sched; /* SCHED_ATTR_SIZE_VER0 */
    p->sched.sched_policy = get_u32(r->data);
    p->sched.sched_nice = get_i32(r->data + 4);
    p->sched.sched_priority = (uint32_t)get_i32(r->data + 8);
    p->sched.sched_flags = get_u64(r->data + 16);
    p->sched.sched_runtime = get_u64(r->data + 24);
    p->sched.sched_deadline = get_u64(r->data + 32);
    p->sched.sched_period = get_u64(r->data + 40);
    p->has_sched = true;
    return 0;
}

/* Pass 2: every record's payload. */
static int parse_record(const struct record *r, struct plan *p, struct failure *f)
{
    switch (r->tag) {
    case SWL_P_MAGIC:
    case SWL_P_SYNC_FD:
        return 0; /* checked in scan() */
    case SWL_P_MODE:
        if (want_len(r, 4, f) < 0)
            return -1;
        p->mode = get_u32(r->data);
        if (p->mode != SWL_MODE_SUPERVISE && p->mode != SWL_MODE_DIRECT)
            return fail_msg(f, EINVAL, "plan: SWL_P_MODE: unknown mode %u", p->mode);
        return 0;
    case SWL_P_START_FD:
        return get_fd(r, &p->start_fd, f);
    case SWL_P_TERMINAL_FD:
        return get_fd(r, &p->terminal_fd, f);
    case SWL_P_NOTIFY_FD:
        return get_fd(r, &p->notify_fd, f);
    case SWL_P_PROC_FD:
        return get_fd(r, &p->proc_fd, f);
    case SWL_P_NULL_FD:
        return get_fd(r, &p->null_fd, f);
    case SWL_P_ARG:
        return get_string(r, (const char **)&p->argv[p->argc++], f);
    case SWL_P_ENV: {
        const char *s;
        if (get_string(r, &s, f) < 0)
            return -1;
        if (s[0] == '=' || strchr(s, '=') == NULL)
            return fail_msg(f, EINVAL, "plan: SWL_P_ENV: \"%s\" is not KEY=value", s);
        p->envp[p->envc++] = (char *)s;
        return 0;
    }
    case SWL_P_EXEC_PATH:
    case SWL_P_CWD: {
        const char *s;
        if (get_string(r, &s, f) < 0)
            return -1;
        if (s[0] != '/')
            return fail_msg(f, EINVAL, "plan: %s: \"%s\" is not absolute", tag_name(r->tag), s);
        *(r->tag == SWL_P_CWD ? &p->cwd : &p->exec_path) = s;
        return 0;
    }
    case SWL_P_UID:
    case SWL_P_GID:
    case SWL_P_UMASK:
        if (want_len(r, 4, f) < 0)
            return -1;
        *(r->tag == SWL_P_UID ? &p->uid : r->tag == SWL_P_GID ? &p->gid : &p->umask) =
            get_u32(r->data);
        if (r->tag == SWL_P_UMASK && p->umask > 0777)
            return fail_msg(f, EINVAL, "plan: SWL_P_UMASK: %#o is not a mode", p->umask);
        return 0;
    case SWL_P_GROUPS:
        if (r->len % 4 != 0)
            return fail_msg(f, EINVAL, "plan: SWL_P_GROUPS: %u bytes is not a u32 array", r->len);
        for (uint32_t i = 0; i < r->len / 4; i++)
            p->groups[p->ngroups++] = get_u32(r->data + 4 * i);
        return 0;
    case SWL_P_CAPS:
        return parse_caps(r, p, f);
    case SWL_P_NO_NEW_PRIVS:
    case SWL_P_SUBREAPER:
        if (want_len(r, 0, f) < 0)
            return -1;
        *(r->tag == SWL_P_NO_NEW_PRIVS ? &p->no_new_privs : &p->subreaper) = true;
        return 0;
    case SWL_P_RLIMIT: {
        if (want_len(r, 24, f) < 0)
            return -1;
        struct plan_rlimit *l = &p->rlimits[p->nrlimits++];
        l->resource = (int)get_u32(r->data);
        l->limit.rlim_cur = get_u64(r->data + 8);
        l->limit.rlim_max = get_u64(r->data + 16);
        if (l->limit.rlim_cur > l->limit.rlim_max)
            return fail_msg(f, EINVAL, "plan: SWL_P_RLIMIT %d: soft limit above hard limit",
                            l->resource);
        return 0;
    }
    case SWL_P_SECCOMP:
        return parse_seccomp(r, p, f);
    case SWL_P_APPARMOR:
    case SWL_P_SELINUX: {
        const char *s;
        if (get_string(r, &s, f) < 0)
            return -1;
        if (s[0] == '\0')
            return fail_msg(f, EINVAL, "plan: %s: empty", tag_name(r->tag));
        *(r->tag == SWL_P_APPARMOR ? &p->apparmor : &p->selinux) = s;
        return 0;
    }
    case SWL_P_PRESERVE_FDS:
        if (want_len(r, 4, f) < 0)
            return -1;
        p->preserve_fds = get_u32(r->data);
        if (p->preserve_fds > (uint32_t)INT_MAX - 3)
            return fail_msg(f, EINVAL, "plan: SWL_P_PRESERVE_FDS: %u fds", p->preserve_fds);
        return 0;
    case SWL_P_PDEATHSIG: {
        if (want_len(r, 4, f) < 0)
            return -1;
        uint32_t sig = get_u32(r->data);
        if (sig == 0 || sig >= _NSIG)
            return fail_msg(f, EINVAL, "plan: SWL_P_PDEATHSIG: invalid signal %u", sig);
        p->pdeathsig = (int)sig;
        return 0;
    }
    case SWL_P_PERSONALITY:
        if (want_len(r, 4, f) < 0)
            return -1;
        p->personality = get_u32(r->data);
        p->has_personality = true;
        return 0;
    case SWL_P_SCHEDULER:
        return parse_sched(r, p, f);
    case SWL_P_IOPRIO:
        if (want_len(r, 8, f) < 0)
            return -1;
        p->ioprio_class = get_u32(r->data);
        p->ioprio_priority = get_u32(r->data + 4);
        if (p->ioprio_class > 7 || p->ioprio_priority > 0x1fff)
            return fail_msg(f, EINVAL, "plan: SWL_P_IOPRIO: class %u priority %u out of range",
                            p->ioprio_class, p->ioprio_priority);
        p->has_ioprio = true;
        return 0;
    case SWL_P_CPU_AFFINITY:
        if (r->len == 0)
            return fail_msg(f, EINVAL, "plan: SWL_P_CPU_AFFINITY: empty mask");
        p->cpu_affinity = r->data;
        p->cpu_affinity_len = r->len;
        return 0;
    case SWL_P_HOOK:
        if (r->len < 16)
            return fail_msg(f, EINVAL, "plan: SWL_P_HOOK: %u bytes", r->len);
        p->hooks[p->nhooks] = r->data;
        p->hook_lens[p->nhooks++] = r->len;
        return 0;
    case SWL_P_HOOK_STATE:
        return get_string(r, &p->hook_state, f);
    case SWL_P_NOTIFY_STATE:
        return get_string(r, &p->notify_state, f);
    case SWL_P_OOM_SCORE_ADJ:
        if (want_len(r, 4, f) < 0)
            return -1;
        p->oom_score_adj = get_i32(r->data);
        p->has_oom_score_adj = true;
        return 0;
    default:
        return fail_msg(f, EINVAL, "plan: unknown tag %u at offset %zu", r->tag, r->offset);
    }
}

int plan_read(int fd, struct plan *p, struct failure *f)
{
    memset(p, 0, sizeof *p);
    p->sync_fd = p->start_fd = p->terminal_fd = p->notify_fd = p->proc_fd = p->null_fd = -1;
    p->umask = 0022;
    p->cwd = "/";

    unsigned char *buf = NULL;
    size_t len = 0;
    if (read_all(fd, &buf, &len, f) < 0)
        return -1;
    size_t counts[TAG_MAX + 1] = { 0 };
    if (scan(buf, len, p, counts, f) < 0)
        return -1;

    p->argv = calloc(counts[SWL_P_ARG] + 1, sizeof *p->argv);
    p->envp = calloc(counts[SWL_P_ENV] + 1, sizeof *p->envp);
    p->groups = calloc(counts[SWL_P_GROUPS] + 1, sizeof *p->groups);
    p->rlimits = calloc(counts[SWL_P_RLIMIT] + 1, sizeof *p->rlimits);
    p->hooks = calloc(counts[SWL_P_HOOK] + 1, sizeof *p->hooks);
    p->hook_lens = calloc(counts[SWL_P_HOOK] + 1, sizeof *p->hook_lens);
    if (p->argv == NULL || p->envp == NULL || p->groups == NULL || p->rlimits == NULL ||
        p->hooks == NULL || p->hook_lens == NULL)
        return fail_errno(f, ENOMEM, "plan");

    size_t off = 0;
    struct record r;
    int more;
    while ((more = next_record(buf, len, &off, &r, f)) == 1)
        if (parse_record(&r, p, f) < 0)
            return -1;
    if (more < 0)
        return -1;

    if (p->mode == 0)
        return fail_msg(f, EINVAL, "plan: missing SWL_P_MODE");
    if (p->argc == 0)
        return fail_msg(f, EINVAL, "plan: missing SWL_P_ARG (the process needs argv[0])");
    if (p->exec_path == NULL)
        return fail_msg(f, EINVAL, "plan: missing SWL_P_EXEC_PATH");
    /* A listener fd must go somewhere, and the agent socket needs something to send. */
    if (p->has_seccomp && (p->seccomp_flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) && p->notify_fd < 0)
        return fail_msg(f, EINVAL, "plan: SWL_P_SECCOMP hands out a listener but SWL_P_NOTIFY_FD is missing");
    if ((p->notify_fd >= 0) != (p->notify_state != NULL))
        return fail_msg(f, EINVAL, "plan: SWL_P_NOTIFY_FD and SWL_P_NOTIFY_STATE come together");
    return 0;
}

static int check_one_fd(const char *what, int fd, const struct plan *p, struct failure *f)
{
    if (fd < 0)
        return 0;
    if (fcntl(fd, F_GETFD) < 0)
        return fail_errno(f, errno, "plan: %s %d", what, fd);
    if (fd >= 3 && (uint32_t)(fd - 3) < p->preserve_fds)
        return fail_msg(f, EINVAL, "plan: %s %d lies in the preserved range 3..%u", what, fd,
                        2 + p->preserve_fds);
    return 0;
}

int plan_check_fds(const struct plan *p, int plan_fd, struct failure *f)
{
    const struct { const char *what; int fd; } own[] = {
        { "plan fd", plan_fd },
        { "SWL_P_SYNC_FD", p->sync_fd },
        { "SWL_P_START_FD", p->start_fd },
        { "SWL_P_TERMINAL_FD", p->terminal_fd },
        { "SWL_P_NOTIFY_FD", p->notify_fd },
        { "SWL_P_PROC_FD", p->proc_fd },
        { "SWL_P_NULL_FD", p->null_fd },
    };
    const size_t n = sizeof own / sizeof own[0];
    for (size_t i = 0; i < n; i++) {
        if (check_one_fd(own[i].what, own[i].fd, p, f) < 0)
            return -1;
        for (size_t j = 0; j < i; j++)
            if (own[i].fd >= 0 && own[i].fd == own[j].fd)
                return fail_msg(f, EINVAL, "plan: %s and %s are both fd %d", own[j].what,
                                own[i].what, own[i].fd);
    }
    for (uint32_t i = 0; i < p->preserve_fds; i++)
        if (fcntl((int)(3 + i), F_GETFD) < 0)
            return fail_errno(f, errno, "plan: preserved fd %u", 3 + i);
    /* The init's own fds must never reach the user's process, whatever happens later. */
    for (size_t i = 1; i < n; i++) {
        if (own[i].fd < 0)
            continue;
        int flags = fcntl(own[i].fd, F_GETFD);
        if (flags < 0 || fcntl(own[i].fd, F_SETFD, flags | FD_CLOEXEC) < 0)
            return fail_errno(f, errno, "plan: set close-on-exec on %s %d", own[i].what,
                              own[i].fd);
    }
    return 0;
}
