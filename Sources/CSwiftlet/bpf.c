/*
 * bpf(2) for the cgroup v2 device controller: load a BPF_PROG_TYPE_CGROUP_DEVICE program,
 * attach it to a cgroup directory, list and detach the programs already attached there.
 * Only the commands and fields swiftlet uses, laid out as in linux/bpf.h `union bpf_attr`
 * (our own copies, like the clone3 and mount structs, so the build does not depend on the
 * installed header's version). Each function returns -1 with errno set on failure.
 */
#define _GNU_SOURCE
#include "cswiftlet.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#ifndef __NR_bpf
#if defined(__x86_64__)
#define __NR_bpf 321
#elif defined(__aarch64__)
#define __NR_bpf 280
#endif
#endif

enum {
    SWL_BPF_PROG_LOAD = 5,
    SWL_BPF_PROG_ATTACH = 8,
    SWL_BPF_PROG_DETACH = 9,
    SWL_BPF_PROG_GET_FD_BY_ID = 13,
    SWL_BPF_PROG_QUERY = 16,
    SWL_BPF_PROG_TYPE_CGROUP_DEVICE = 15,
    SWL_BPF_F_REPLACE = 1U << 2,
};

/* The kernel accepts a shorter attr (the rest is taken as zero) and checks that any bytes it
 * does not know are zero: every struct is zeroed in full before use. */
struct swl_bpf_prog_load {
    uint32_t prog_type, insn_cnt;
    uint64_t insns, license;
    uint32_t log_level, log_size;
    uint64_t log_buf;
    uint32_t kern_version, prog_flags;
    char prog_name[16];
};

struct swl_bpf_attach {
    uint32_t target_fd, attach_bpf_fd, attach_type, attach_flags, replace_bpf_fd;
};

struct swl_bpf_query {
    uint32_t target_fd, attach_type, query_flags, attach_flags;
    uint64_t prog_ids;
    uint32_t prog_cnt;
};

struct swl_bpf_get_id {
    uint32_t id, next_id, open_flags;
};

static int bpf_call(int cmd, void *attr, unsigned int size) {
#ifdef __NR_bpf
    return (int)syscall(__NR_bpf, cmd, attr, size);
#else
    (void)cmd; (void)attr; (void)size;
    errno = ENOSYS;
    return -1;
#endif
}

int swl_bpf_load_cgroup_device(const void *insns, uint32_t insn_count, const char *license,
                               char *log, uint32_t log_size) {
    struct swl_bpf_prog_load attr;
    memset(&attr, 0, sizeof(attr));
    attr.prog_type = SWL_BPF_PROG_TYPE_CGROUP_DEVICE;
    attr.insn_cnt = insn_count;
    attr.insns = (uint64_t)(uintptr_t)insns;
    attr.license = (uint64_t)(uintptr_t)license;
    if (log != NULL && log_size > 0) {
        log[0] = 0;
        attr.log_level = 1;
        attr.log_size = log_size;
        attr.log_buf = (uint64_t)(uintptr_t)log;
    }
    memcpy(attr.prog_name, "swiftlet_dev", sizeof("swiftlet_dev"));
    return bpf_call(SWL_BPF_PROG_LOAD, &attr, sizeof(attr));
}

int swl_bpf_prog_attach(int target_fd, int prog_fd, uint32_t attach_type, uint32_t flags, int replace_fd) {
    struct swl_bpf_attach attr;
    memset(&attr, 0, sizeof(attr));
    attr.target_fd = (uint32_t)target_fd;
    attr.attach_bpf_fd = (uint32_t)prog_fd;
    attr.attach_type = attach_type;
    attr.attach_flags = flags;
    if (replace_fd >= 0) {
        attr.attach_flags |= SWL_BPF_F_REPLACE;
        attr.replace_bpf_fd = (uint32_t)replace_fd;
    }
    return bpf_call(SWL_BPF_PROG_ATTACH, &attr, sizeof(attr));
}

int swl_bpf_prog_detach(int target_fd, int prog_fd, uint32_t attach_type) {
    struct swl_bpf_attach attr;
    memset(&attr, 0, sizeof(attr));
    attr.target_fd = (uint32_t)target_fd;
    attr.attach_bpf_fd = (uint32_t)prog_fd;
    attr.attach_type = attach_type;
    return bpf_call(SWL_BPF_PROG_DETACH, &attr, sizeof(attr));
}

int swl_bpf_prog_query(int target_fd, uint32_t attach_type, uint32_t *ids, uint32_t *count) {
    struct swl_bpf_query attr;
    memset(&attr, 0, sizeof(attr));
    attr.target_fd = (uint32_t)target_fd;
    attr.attach_type = attach_type;
    attr.prog_ids = (uint64_t)(uintptr_t)ids;
    attr.prog_cnt = *count;
    int rc = bpf_call(SWL_BPF_PROG_QUERY, &attr, sizeof(attr));
    /* On success and on ENOSPC (the array was too small) prog_cnt is the real count. */
    int saved = errno;
    *count = attr.prog_cnt;
    errno = saved;
    return rc;
}

int swl_bpf_prog_get_fd_by_id(uint32_t id) {
    struct swl_bpf_get_id attr;
    memset(&attr, 0, sizeof(attr));
    attr.id = id;
    return bpf_call(SWL_BPF_PROG_GET_FD_BY_ID, &attr, sizeof(attr));
}
