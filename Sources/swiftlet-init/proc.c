#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "sys.h"

/* linux/openat2.h */
#define RESOLVE_NO_XDEV       0x01
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_BENEATH       0x08

static int root_fd = -1;

void proc_set_root(int fd) { root_fd = fd; }

int proc_root(void) { return root_fd; }

int proc_open(const char *path, int flags)
{
    if (root_fd < 0) {
        errno = EBADF;
        return -1;
    }
    int fd = (int)SYS_RETRY(sys_openat2(root_fd, path, (uint64_t)(flags | O_NOFOLLOW | O_CLOEXEC),
                                        RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV));
    if (fd < 0)
        return -1;
    struct statfs sfs;
    if (fstatfs(fd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC) {
        close(fd);
        errno = EXDEV;
        return -1;
    }
    return fd;
}

void proc_close(void)
{
    if (root_fd >= 0)
        close(root_fd);
    root_fd = -1;
}
