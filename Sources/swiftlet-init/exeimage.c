/*
 * Why: CRIU (3.17 and later) dumps a process's file mappings and its exe link under one file
 * id when they are the same file. For a memfd the id is dumped as a memfd, and restore looks
 * the exe link up as a regular file: "No entry for reg-file-ID 0x1", so an init executed from
 * a memfd can be dumped but never restored. Once no mapping refers to the memfd, the exe link
 * is a file of its own, which the runtime names to CRIU as external at dump and hands back as
 * a fresh sealed memfd at restore (SwiftletCore/Checkpoint). The CVE-2019-5736 protection is
 * untouched: /proc/1/exe stays the sealed memfd, and the copy is this process's private
 * memory, which no process of the container can reach (PID 1 is not dumpable).
 *
 * How: for each memfd mapping (start-end, protection from /proc/self/maps, read through the
 * private procfs, proc.h), an anonymous mapping gets a copy of its bytes and its protection,
 * and mremap(MREMAP_FIXED) moves it over the original in one step: the kernel swaps the pages
 * under the same addresses atomically, so even the text segment that runs this code is
 * replaced while it runs (the bytes are identical). Nothing between the copy and the move
 * writes to a global: every variable lives on the stack. Done before READY, while the init is
 * single-threaded and nothing else runs in the container.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "exeimage.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "proc.h"
#include "sys.h"

#define MAX_SEGMENTS 16

struct segment {
    unsigned long start, end;
    int prot;
};

/* One line of /proc/self/maps: "start-end perms offset dev inode   path". 1 when it is a
 * mapping of a memfd ("/memfd:NAME (deleted)"), 0 when not, -1 when the line is malformed. */
static int parse_line(const char *line, const char *end, struct segment *s)
{
    char *p;
    s->start = strtoul(line, &p, 16);
    if (p >= end || *p != '-')
        return -1;
    s->end = strtoul(p + 1, &p, 16);
    if (p + 5 > end || *p != ' ' || s->end <= s->start)
        return -1;
    s->prot = (p[1] == 'r' ? PROT_READ : 0) | (p[2] == 'w' ? PROT_WRITE : 0) | (p[3] == 'x' ? PROT_EXEC : 0);
    /* The path is the sixth field; memfds are "/memfd:". */
    const char *path = NULL;
    int field = 1;
    for (const char *q = p; q < end; q++) {
        if (*q == ' ' && q + 1 < end && q[1] != ' ') {
            if (++field == 6) {
                path = q + 1;
                break;
            }
        }
    }
    return path != NULL && end - path >= 7 && memcmp(path, "/memfd:", 7) == 0;
}

int exeimage_to_anonymous(struct failure *f)
{
    char buf[16384];
    int fd = proc_open("self/maps", O_RDONLY);
    if (fd < 0)
        return fail_errno(f, errno, "open /proc/self/maps");
    ssize_t n = sys_read_full(fd, buf, sizeof buf - 1);
    int err = errno;
    close(fd);
    if (n < 0)
        return fail_errno(f, err, "read /proc/self/maps");
    if ((size_t)n == sizeof buf - 1)
        return fail_msg(f, EFBIG, "/proc/self/maps: more than %zu bytes", sizeof buf - 1);

    struct segment segs[MAX_SEGMENTS];
    int count = 0;
    for (char *line = buf; line < buf + n;) {
        char *nl = memchr(line, '\n', (size_t)(buf + n - line));
        char *end = nl ? nl : buf + n;
        struct segment s;
        int r = parse_line(line, end, &s);
        if (r < 0)
            return fail_msg(f, EINVAL, "/proc/self/maps: unexpected line");
        if (r == 1) {
            if (count == MAX_SEGMENTS)
                return fail_msg(f, E2BIG, "/proc/self/maps: more than %d memfd mappings", MAX_SEGMENTS);
            if (!(s.prot & PROT_READ))
                return fail_msg(f, EINVAL, "/proc/self/maps: an unreadable memfd mapping");
            segs[count++] = s;
        }
        line = end + 1;
    }

    for (int i = 0; i < count; i++) {
        size_t len = segs[i].end - segs[i].start;
        void *copy = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (copy == MAP_FAILED)
            return fail_errno(f, errno, "mmap a copy of the init's segment %lx-%lx", segs[i].start, segs[i].end);
        memcpy(copy, (const void *)segs[i].start, len);
        if (mprotect(copy, len, segs[i].prot) < 0) {
            err = errno;
            (void)munmap(copy, len);
            return fail_errno(f, err, "mprotect the copy of the init's segment %lx-%lx", segs[i].start, segs[i].end);
        }
        if (mremap(copy, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, (void *)segs[i].start) == MAP_FAILED) {
            err = errno;
            (void)munmap(copy, len);
            return fail_errno(f, err, "mremap the init's segment %lx-%lx", segs[i].start, segs[i].end);
        }
    }
    return 0;
}
