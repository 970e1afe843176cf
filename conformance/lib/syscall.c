/*
 * syscall NAME [ARG...]: makes one system call and prints "ret N" or "errno N". For checks
 * whose container has nothing but busybox, which cannot call keyctl, or personality with a
 * chosen argument. Built statically by checks/security.sh (gcc -static).
 *
 * ARG is a number (strtoull base 0: 0x.. hex, 0.. octal) or s:TEXT for a pointer to TEXT.
 * NAME may also be nr:N, the raw syscall number N (a number no kernel knows, for the seccomp
 * -ENOSYS stub). NAME "ids" prints "uid U euid E prm P eff E" instead (the real and effective uid and the
 * permitted and effective capability sets in hex), for setuid and file-capability checks.
 */
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static const struct {
    const char *name;
    long nr;
} calls[] = {
    { "add_key", SYS_add_key },         { "getpid", SYS_getpid },
    { "keyctl", SYS_keyctl },           { "mkdir", SYS_mkdir },
    { "mkdirat", SYS_mkdirat },         { "mount", SYS_mount },
    { "personality", SYS_personality }, { "ptrace", SYS_ptrace },
    { "setns", SYS_setns },             { "umount2", SYS_umount2 },
    { "unshare", SYS_unshare },         { "uname", SYS_uname },
};

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: syscall NAME [ARG...] (at most 6 args)\n");
        return 2;
    }
    if (strcmp(argv[1], "ids") == 0) {
        struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
        struct __user_cap_data_struct d[2];
        memset(d, 0, sizeof d);
        if (syscall(SYS_capget, &h, d) < 0)
            return 1;
        unsigned long long prm = d[0].permitted | (unsigned long long)d[1].permitted << 32;
        unsigned long long eff = d[0].effective | (unsigned long long)d[1].effective << 32;
        printf("uid %d euid %d prm %llx eff %llx\n", (int)getuid(), (int)geteuid(), prm, eff);
        return 0;
    }
    long nr = -1;
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++)
        if (strcmp(calls[i].name, argv[1]) == 0)
            nr = calls[i].nr;
    if (strncmp(argv[1], "nr:", 3) == 0)
        nr = strtol(argv[1] + 3, NULL, 0);
    if (nr < 0 || argc > 8) {
        fprintf(stderr, "syscall: unknown call %s or too many args\n", argv[1]);
        return 2;
    }
    unsigned long a[6] = { 0 };
    for (int i = 2; i < argc; i++)
        a[i - 2] = strncmp(argv[i], "s:", 2) == 0 ? (unsigned long)(argv[i] + 2)
                                                   : strtoull(argv[i], NULL, 0);
    errno = 0;
    long r = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
    if (r == -1)
        printf("errno %d\n", errno);
    else
        printf("ret %ld\n", r);
    return 0;
}
