/* The kernel's floor for the benchmark's whole bundle (issue 19, target 1), built by
 * bench/bench.py with `gcc -O2 -static` into its cache directory; never committed as a binary.
 *
 *     floor-bundle netns|nonetns ROOTFS CGROUP PROGRAM [ARG...]
 *
 * floor.c does only what the kernel must for the namespaces. This does, in straight-line C
 * with no checks beyond each call's result, the kernel work that bench/base-config.json asks
 * of any runtime, the way runc and swiftlet do it on a cgroup v1 host:
 *
 *   - a cgroup CGROUP (relative, made with its missing parents) in every mounted v1
 *     hierarchy, cpuset.cpus and cpuset.mems copied down, the devices hierarchy denied
 *     everything and allowed runc's default list; the child moves itself in by writing "0" to
 *     each `tasks` file, opened before the clone (the cheapest way in: the parent writing
 *     the child's pid would take cgroup_threadgroup_rwsem and wait for an RCU grace period);
 *     the container's own cgroup removed once it exits;
 *   - one clone(2) of the bundle's namespaces (mount, UTS, IPC, PID and, with `netns`,
 *     network);
 *   - in the child: / made rslave, ROOTFS bound to itself, the bundle's seven mounts (proc,
 *     /dev tmpfs, devpts, /dev/shm, mqueue, sysfs read-only, a tmpfs at /sys/fs/cgroup with
 *     each hierarchy's cgroup bound in read-only and the tmpfs made read-only), the six
 *     default devices and /dev's four symbolic links, pivot_root, the masked paths (/dev/null
 *     over files, a read-only tmpfs over directories) and read-only paths, the root made
 *     read-only, the hostname, RLIMIT_NOFILE, the bounding set cut to the bundle's three
 *     capabilities, capset, no_new_privs, then exec of PROGRAM.
 *
 * Not done: state, locking, validation, the init, in-root path resolution (openat2) and the
 * descriptor checks a runtime needs against a hostile rootfs. So a runtime's time over this
 * floor is its own work: what it does beyond the kernel work its bundle requires. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_HIER 16

static char *hier[MAX_HIER]; /* mount points of the v1 hierarchies */
static int tasks[MAX_HIER];  /* their `tasks` files in the container's cgroup, for writing */
static int nhier;

static void die(const char *what, const char *path) {
    fprintf(stderr, "floor-bundle: %s %s: %s\n", what, path ? path : "", strerror(errno));
    _exit(125);
}

/* Every cgroup (v1) mount point, from /proc/self/mountinfo (field 5; fstype after " - "). */
static void find_hierarchies(void) {
    FILE *f = fopen("/proc/self/mountinfo", "r");
    if (!f)
        die("open", "/proc/self/mountinfo");
    char line[4096];
    while (fgets(line, sizeof line, f) && nhier < MAX_HIER) {
        char *sep = strstr(line, " - ");
        if (!sep || strncmp(sep + 3, "cgroup ", 7) != 0)
            continue;
        char *p = line;
        for (int i = 0; i < 4 && p; i++)
            p = (p = strchr(p, ' ')) ? p + 1 : NULL;
        char *end = p ? strchr(p, ' ') : NULL;
        if (!end)
            continue;
        *end = '\0';
        hier[nhier++] = strdup(p);
    }
    fclose(f);
}

static void write_file(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, text, strlen(text)) < 0)
        die("write", path);
    close(fd);
}

static void copy_file(const char *from, const char *to) {
    char buf[256];
    int fd = open(from, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
    if (n < 0)
        die("read", from);
    close(fd);
    buf[n] = '\0';
    write_file(to, buf);
}

/* mkdir -p of HIER/REL; cpuset's cpus and mems copied into each level made. */
static void make_cgroup(const char *h, const char *rel) {
    char path[4096], parent[4096];
    snprintf(path, sizeof path, "%s/", h);
    const char *p = rel;
    int cpuset = strstr(h, "cpuset") != NULL;
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        memcpy(parent, path, strlen(path) + 1);
        strncat(path, p, len);
        if (mkdir(path, 0755) == 0) {
            if (cpuset) {
                char from[4200], to[4200];
                for (int i = 0; i < 2; i++) {
                    const char *file = i ? "cpuset.mems" : "cpuset.cpus";
                    snprintf(from, sizeof from, "%s%s", parent, file);
                    snprintf(to, sizeof to, "%s/%s", path, file);
                    copy_file(from, to);
                }
            }
        } else if (errno != EEXIST) {
            die("mkdir", path);
        }
        if (!slash)
            break;
        strcat(path, "/");
        p = slash + 1;
    }
    if (strstr(h, "devices")) {
        static const char *allow[] = {"c *:* m", "b *:* m", "c 1:3 rwm", "c 1:8 rwm", "c 1:7 rwm",
                                      "c 5:0 rwm", "c 1:5 rwm", "c 1:9 rwm", "c 136:* rwm", "c 5:2 rwm"};
        char file[4200];
        snprintf(file, sizeof file, "%s/devices.deny", path);
        write_file(file, "a");
        snprintf(file, sizeof file, "%s/devices.allow", path);
        for (size_t i = 0; i < sizeof allow / sizeof allow[0]; i++)
            write_file(file, allow[i]);
    }
}

static void mnt(const char *src, const char *dst, const char *type, unsigned long flags, const char *data) {
    if (mount(src, dst, type, flags, data) != 0)
        die("mount", dst);
}

static void child(const char *rootfs, const char *cgroup, char **argv) {
    for (int i = 0; i < nhier; i++) {
        if (write(tasks[i], "0", 1) != 1)
            die("join", hier[i]);
        close(tasks[i]);
    }
    mnt(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL);
    mnt(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL);
    if (chdir(rootfs) != 0)
        die("chdir", rootfs);
    mnt("proc", "proc", "proc", 0, NULL);
    mnt("tmpfs", "dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k");
    mkdir("dev/pts", 0755);
    mnt("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620,gid=5");
    mkdir("dev/shm", 0755);
    mnt("shm", "dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k");
    mkdir("dev/mqueue", 0755);
    mnt("mqueue", "dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
    mnt("sysfs", "sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
    const unsigned long cgflags = MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME;
    mnt("tmpfs", "sys/fs/cgroup", "tmpfs", cgflags, "mode=755");
    for (int i = 0; i < nhier; i++) {
        char src[4096], dst[4096];
        snprintf(src, sizeof src, "%s/%s", hier[i], cgroup);
        snprintf(dst, sizeof dst, "sys/fs/cgroup/%s", strrchr(hier[i], '/') + 1);
        mkdir(dst, 0755);
        mnt(src, dst, NULL, MS_BIND, NULL);
        mnt(NULL, dst, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | cgflags, NULL);
    }
    mnt(NULL, "sys/fs/cgroup", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | cgflags, NULL);
    static const struct { const char *name; int major, minor; } devs[] = {
        {"dev/null", 1, 3}, {"dev/zero", 1, 5}, {"dev/full", 1, 7},
        {"dev/random", 1, 8}, {"dev/urandom", 1, 9}, {"dev/tty", 5, 0}};
    for (size_t i = 0; i < sizeof devs / sizeof devs[0]; i++) {
        if (mknod(devs[i].name, S_IFCHR | 0666, makedev(devs[i].major, devs[i].minor)) != 0)
            die("mknod", devs[i].name);
        chmod(devs[i].name, 0666); /* the umask cut the mode */
    }
    symlink("/proc/self/fd", "dev/fd");
    symlink("/proc/self/fd/0", "dev/stdin");
    symlink("/proc/self/fd/1", "dev/stdout");
    symlink("/proc/self/fd/2", "dev/stderr");
    symlink("pts/ptmx", "dev/ptmx");
    if (syscall(SYS_pivot_root, ".", ".") != 0)
        die("pivot_root", rootfs);
    if (umount2(".", MNT_DETACH) != 0)
        die("umount", "the old root");
    if (chdir("/") != 0)
        die("chdir", "/");
    mnt(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL);
    static const char *masked[] = {"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
                                   "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
                                   "/proc/sched_debug", "/sys/firmware", "/proc/scsi"};
    for (size_t i = 0; i < sizeof masked / sizeof masked[0]; i++) {
        struct stat st;
        if (stat(masked[i], &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            mnt("tmpfs", masked[i], "tmpfs", MS_RDONLY, NULL);
        else
            mnt("/dev/null", masked[i], NULL, MS_BIND, NULL);
    }
    static const char *readonly[] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};
    for (size_t i = 0; i < sizeof readonly / sizeof readonly[0]; i++) {
        if (access(readonly[i], F_OK) != 0)
            continue;
        mnt(readonly[i], readonly[i], NULL, MS_BIND | MS_REC, NULL);
        mnt(NULL, readonly[i], NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
    }
    mnt(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL);
    if (sethostname("bench", 5) != 0)
        die("sethostname", NULL);
    struct rlimit rl = {1024, 1024};
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
        die("setrlimit", NULL);
    const unsigned long keep = (1UL << CAP_AUDIT_WRITE) | (1UL << CAP_KILL) | (1UL << CAP_NET_BIND_SERVICE);
    for (int cap = 0; cap <= 63; cap++) {
        if (keep & (1UL << cap))
            continue;
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno == EINVAL)
            break; /* past the kernel's last capability */
    }
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2] = {{(unsigned)keep, (unsigned)keep, 0}, {0, 0, 0}};
    if (syscall(SYS_capset, &hdr, data) != 0)
        die("capset", NULL);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        die("no_new_privs", NULL);
    execv(argv[0], argv);
    die("execv", argv[0]);
}

int main(int argc, char **argv) {
    if (argc < 5 || (strcmp(argv[1], "netns") != 0 && strcmp(argv[1], "nonetns") != 0)) {
        fprintf(stderr, "usage: floor-bundle netns|nonetns ROOTFS CGROUP PROGRAM [ARG...]\n");
        return 2;
    }
    const char *rootfs = argv[2], *cgroup = argv[3];
    while (*cgroup == '/')
        cgroup++;
    find_hierarchies();
    if (nhier == 0) {
        fprintf(stderr, "floor-bundle: no cgroup v1 hierarchy is mounted\n");
        return 2;
    }
    char path[4096];
    for (int i = 0; i < nhier; i++) {
        make_cgroup(hier[i], cgroup);
        snprintf(path, sizeof path, "%s/%s/tasks", hier[i], cgroup);
        if ((tasks[i] = open(path, O_WRONLY | O_CLOEXEC)) < 0)
            die("open", path);
    }
    long flags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID;
    if (strcmp(argv[1], "netns") == 0)
        flags |= CLONE_NEWNET;
    pid_t pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
    if (pid < 0)
        die("clone", NULL);
    if (pid == 0)
        child(rootfs, cgroup, argv + 4);
    for (int i = 0; i < nhier; i++)
        close(tasks[i]);
    int status;
    if (waitpid(pid, &status, 0) != pid)
        die("waitpid", NULL);
    for (int i = 0; i < nhier; i++) {
        snprintf(path, sizeof path, "%s/%s", hier[i], cgroup);
        if (rmdir(path) != 0)
            die("rmdir", path);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
