#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "caps.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "plan.h"
#include "proc.h"
#include "sys.h"

static int bset_known(int cap)
{
    return prctl(PR_CAPBSET_READ, (unsigned long)cap, 0, 0, 0) >= 0;
}

static int read_proc_last_cap(void)
{
    int fd = proc_open("sys/kernel/cap_last_cap", O_RDONLY);
    if (fd < 0)
        return -1;
    char buf[16];
    ssize_t n = sys_read_full(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    char *end;
    long v = strtol(buf, &end, 10);
    if (end == buf || (*end != '\n' && *end != '\0') || v < 0 || v > 63)
        return -1;
    return (int)v;
}

int caps_last_cap(void)
{
    int last = read_proc_last_cap();
    if (last >= 0 && bset_known(last) && !bset_known(last + 1))
        return last;
    /* PR_CAPBSET_READ fails with EINVAL for the first capability the kernel does not know. */
    last = -1;
    while (last < 63 && bset_known(last + 1))
        last++;
    return last;
}

int caps_drop_bounding(uint64_t bounding, int last_cap, struct failure *f)
{
    for (int cap = 0; cap <= last_cap; cap++) {
        if (bounding & (UINT64_C(1) << cap))
            continue;
        /* Skip what is already gone: dropping needs CAP_SETPCAP even when it changes nothing. */
        if (prctl(PR_CAPBSET_READ, (unsigned long)cap, 0, 0, 0) == 0)
            continue;
        if (prctl(PR_CAPBSET_DROP, (unsigned long)cap, 0, 0, 0) < 0)
            return fail_errno(f, errno, "capabilities: drop %d from the bounding set", cap);
    }
    return 0;
}

void caps_predrop_bounding(uint64_t bounding, int last_cap)
{
    for (int cap = 0; cap <= last_cap; cap++) {
        if (bounding & (UINT64_C(1) << cap))
            continue;
        if (prctl(PR_CAPBSET_READ, (unsigned long)cap, 0, 0, 0) == 1)
            (void)prctl(PR_CAPBSET_DROP, (unsigned long)cap, 0, 0, 0);
    }
}

int caps_apply(const uint64_t sets[], int last_cap, struct failure *f)
{
    /* What the kernel does not know is left out (the runtime warned about it: caps.h). */
    const uint64_t known = last_cap >= 63 ? ~UINT64_C(0) : (UINT64_C(1) << (last_cap + 1)) - 1;
    uint64_t effective = sets[PLAN_CAP_EFFECTIVE] & known;
    uint64_t permitted = sets[PLAN_CAP_PERMITTED] & known;
    uint64_t inheritable = sets[PLAN_CAP_INHERITABLE] & known;
    uint64_t ambient = sets[PLAN_CAP_AMBIENT] & known;

    if (sys_capset(effective, permitted, inheritable) < 0)
        return fail_errno(f, errno,
                          "capabilities: capset effective %#llx permitted %#llx inheritable %#llx",
                          (unsigned long long)effective, (unsigned long long)permitted,
                          (unsigned long long)inheritable);

    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) {
        /* Kernels before 4.3 have no ambient set: fine unless one was asked for. */
        if (errno == EINVAL && ambient == 0)
            return 0;
        return fail_errno(f, errno, "capabilities: clear the ambient set");
    }
    for (int cap = 0; cap <= last_cap; cap++) {
        if (!(ambient & (UINT64_C(1) << cap)))
            continue;
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long)cap, 0, 0) < 0)
            return fail_errno(f, errno,
                              "capabilities: raise ambient %d (it must be permitted and inheritable)",
                              cap);
    }
    return 0;
}
