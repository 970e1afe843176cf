import OCI

/// The data of `spec --hardened`'s seccomp profile: a default-deny allow-list with the coverage
/// of the moby/Docker default profile (the syscalls an ordinary unprivileged program uses),
/// written by us from the Linux syscall list. Names a kernel or libseccomp does not know are
/// skipped at compile time (SeccompCompiler), so the 32-bit and other-architecture names can
/// stay in one list. Builder: HardenedSeccomp.profile(capabilities:).
enum HardenedSeccompAllowList {
    /// Allowed for every container, whatever its capabilities.
    static let always: [String] = [
        // files and directories
        "access", "chdir", "chmod", "chown", "chown32", "close", "close_range", "copy_file_range", "creat",
        "dup", "dup2", "dup3", "faccessat", "faccessat2", "fadvise64", "fadvise64_64", "fallocate",
        "fchdir", "fchmod", "fchmodat", "fchmodat2", "fchown", "fchown32", "fchownat", "fcntl", "fcntl64",
        "fdatasync", "flock", "fstat", "fstat64", "fstatat64", "fstatfs", "fstatfs64", "fsync",
        "ftruncate", "ftruncate64", "futimesat", "getcwd", "getdents", "getdents64", "lchown", "lchown32",
        "link", "linkat", "_llseek", "lseek", "lstat", "lstat64", "mkdir", "mkdirat", "mknod", "mknodat",
        "name_to_handle_at", "newfstatat", "open", "openat", "openat2", "pread64", "preadv", "preadv2",
        "pwrite64", "pwritev", "pwritev2", "read", "readahead", "readlink", "readlinkat", "readv",
        "rename", "renameat", "renameat2", "rmdir", "sendfile", "sendfile64", "splice", "stat", "stat64",
        "statfs", "statfs64", "statx", "symlink", "symlinkat", "sync", "sync_file_range", "syncfs", "tee",
        "truncate", "truncate64", "umask", "unlink", "unlinkat", "utime", "utimensat",
        "utimensat_time64", "utimes", "vmsplice", "write", "writev", "cachestat",
        // extended attributes
        "fgetxattr", "flistxattr", "fremovexattr", "fsetxattr", "getxattr", "lgetxattr", "listxattr",
        "llistxattr", "lremovexattr", "lsetxattr", "removexattr", "setxattr",
        // file watching and asynchronous I/O
        "fanotify_mark", "inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch",
        "io_cancel", "io_destroy", "io_getevents", "io_pgetevents", "io_pgetevents_time64", "io_setup",
        "io_submit", "ioctl", "ioprio_get", "ioprio_set",
        // polling, events, timers, clocks
        "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait", "epoll_pwait2",
        "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2", "poll", "ppoll", "ppoll_time64", "pselect6",
        "pselect6_time64", "select", "_newselect", "signalfd", "signalfd4", "timerfd_create",
        "timerfd_gettime", "timerfd_gettime64", "timerfd_settime", "timerfd_settime64", "alarm",
        "clock_getres", "clock_getres_time64", "clock_gettime", "clock_gettime64", "clock_nanosleep",
        "clock_nanosleep_time64", "getitimer", "gettimeofday", "nanosleep", "setitimer", "time",
        "timer_create", "timer_delete", "timer_getoverrun", "timer_gettime", "timer_gettime64",
        "timer_settime", "timer_settime64", "times", "adjtimex", "clock_adjtime", "clock_adjtime64",
        // memory
        "brk", "madvise", "map_shadow_stack", "membarrier", "memfd_create", "memfd_secret", "mincore",
        "mlock", "mlock2", "mlockall", "mmap", "mmap2", "mprotect", "mremap", "msync", "munlock",
        "munlockall", "munmap", "pkey_alloc", "pkey_free", "pkey_mprotect", "remap_file_pages",
        // processes, threads, signals
        "capget", "capset", "execve", "execveat", "exit", "exit_group", "fork", "futex", "futex_requeue",
        "futex_time64", "futex_wait", "futex_waitv", "futex_wake", "get_robust_list", "get_thread_area",
        "getcpu", "getpgid", "getpgrp", "getpid", "getppid", "getpriority", "getrandom", "getrlimit",
        "getrusage", "getsid", "gettid", "kill", "pause", "pidfd_open", "pidfd_send_signal", "prctl",
        "prlimit64", "process_mrelease", "restart_syscall", "rseq", "rt_sigaction", "rt_sigpending",
        "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait",
        "rt_sigtimedwait_time64", "rt_tgsigqueueinfo", "sched_get_priority_max", "sched_get_priority_min",
        "sched_getaffinity", "sched_getattr", "sched_getparam", "sched_getscheduler",
        "sched_rr_get_interval", "sched_rr_get_interval_time64", "sched_setaffinity", "sched_setattr",
        "sched_setparam", "sched_setscheduler", "sched_yield", "seccomp", "set_robust_list",
        "set_thread_area", "set_tid_address", "setpgid", "setpriority", "setrlimit", "setsid",
        "sigaltstack", "sigprocmask", "sigreturn", "tgkill", "tkill", "ugetrlimit", "vfork", "wait4",
        "waitid", "waitpid", "landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self",
        // identity (within what the capabilities allow)
        "getegid", "getegid32", "geteuid", "geteuid32", "getgid", "getgid32", "getgroups", "getgroups32",
        "getresgid", "getresgid32", "getresuid", "getresuid32", "getuid", "getuid32", "setfsgid",
        "setfsgid32", "setfsuid", "setfsuid32", "setgid", "setgid32", "setgroups", "setgroups32",
        "setregid", "setregid32", "setresgid", "setresgid32", "setresuid", "setresuid32", "setreuid",
        "setreuid32", "setuid", "setuid32",
        // sockets and pipes (socket itself: see `socketExceptVsock`)
        "accept", "accept4", "bind", "connect", "getpeername", "getsockname", "getsockopt", "listen",
        "pipe", "pipe2", "recv", "recvfrom", "recvmmsg", "recvmmsg_time64", "recvmsg", "send", "sendmmsg",
        "sendmsg", "sendto", "setsockopt", "shutdown", "socketcall", "socketpair",
        // System V and POSIX IPC (in the container's own ipc namespace)
        "ipc", "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive", "mq_timedreceive_time64",
        "mq_timedsend", "mq_timedsend_time64", "mq_unlink", "msgctl", "msgget", "msgrcv", "msgsnd",
        "semctl", "semget", "semop", "semtimedop", "semtimedop_time64", "shmat", "shmctl", "shmdt", "shmget",
        // system information
        "sysinfo", "uname",
        // ptrace of the container's own processes: Docker allows it since kernel 4.8, where
        // seccomp is re-checked after a tracer changes a syscall, so it cannot bypass the filter.
        "ptrace",
        // architecture specific (unknown names elsewhere are skipped)
        "arch_prctl", "modify_ldt", "arm_fadvise64_64", "arm_sync_file_range", "sync_file_range2",
        "breakpoint", "cacheflush", "set_tls", "riscv_flush_icache", "riscv_hwprobe",
    ]

    /// personality(2) only with the values programs use: PER_LINUX, PER_LINUX32
    /// (0x0008), UNAME26 (0x20000), UNAME26|PER_LINUX32, and the query 0xffffffff. Other
    /// personalities turn off address-space randomisation or change the syscall ABI.
    static let personalities: [UInt64] = [0x0, 0x8, 0x20000, 0x20008, 0xffff_ffff]

    /// socket(2) is allowed for every family but AF_VSOCK (40): vsock reaches the hypervisor.
    static let vsockFamily: UInt64 = 40

    /// clone(2) without CAP_SYS_ADMIN: no new namespace (CLONE_NEWNS 0x20000, NEWCGROUP
    /// 0x2000000, NEWUTS 0x4000000, NEWIPC 0x8000000, NEWUSER 0x10000000, NEWPID 0x20000000,
    /// NEWNET 0x40000000). On s390 the flags are the second argument.
    static let cloneNamespaceFlags: UInt64 = 0x7E02_0000

    /// clone3(2) cannot be filtered on its flags (they sit in a struct in memory), so without
    /// CAP_SYS_ADMIN it fails with ENOSYS: libcs then fall back to clone(2), which is filtered.
    static let clone3Errno: UInt = 38

    /// What a capability adds: the syscalls it is the permission for (their filter would
    /// otherwise refuse them before the kernel's own capability check could allow them).
    static let byCapability: [String: [String]] = [
        "CAP_SYS_ADMIN": ["bpf", "clone", "clone3", "fanotify_init", "fsconfig", "fsmount", "fsopen", "fspick",
                          "lookup_dcookie", "mount", "mount_setattr", "move_mount", "open_tree", "perf_event_open",
                          "quotactl", "quotactl_fd", "setdomainname", "sethostname", "setns", "syslog", "umount",
                          "umount2", "unshare"],
        "CAP_SYS_BOOT": ["reboot"],
        "CAP_SYS_CHROOT": ["chroot"],
        "CAP_SYS_MODULE": ["delete_module", "init_module", "finit_module"],
        "CAP_SYS_PACCT": ["acct"],
        "CAP_SYS_PTRACE": ["kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv", "process_vm_writev", "ptrace"],
        "CAP_SYS_RAWIO": ["iopl", "ioperm"],
        "CAP_SYS_TIME": ["settimeofday", "stime", "clock_settime", "clock_settime64"],
        "CAP_SYS_TTY_CONFIG": ["vhangup"],
        "CAP_SYS_NICE": ["get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node"],
        "CAP_SYSLOG": ["syslog"],
        "CAP_BPF": ["bpf"],
        "CAP_PERFMON": ["perf_event_open"],
        "CAP_DAC_READ_SEARCH": ["open_by_handle_at"],
    ]
}
