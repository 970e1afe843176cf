# Process security: config-linux.md "Seccomp", config.md "Linux Process" (capabilities,
# noNewPrivileges, rlimits, apparmorProfile, selinuxLabel, scheduler, ioPriority),
# config-linux.md "Personality", and the container-escape regressions every runtime must
# resist (CVE-2019-5736, CVE-2021-30465, CVE-2022-29162, CVE-2024-21626). Each check tries
# the thing from inside the container and, where it matters, looks from the host too.
#
# Two helpers from lib/: syscall.c (built here with `gcc -static`, since busybox cannot call
# keyctl or personality with a chosen argument) and seccomp_agent.py (the other end of
# linux.seccomp.listenerPath).
#
# runc 1.1.5 (Debian 12) has no scheduler, ioPriority or personality support: the three
# checks for them fail there (it ignores the fields).

# ---------------------------------------------------------------------------------------
# Helpers

# _sec_helper: prints the path of the static syscall helper, built once per run.
_sec_helper() {
    local bin="$WORK/syscall-helper"
    if [ ! -x "$bin" ]; then
        gcc -static -O2 -o "$bin.$$" "$CONF_DIR/lib/syscall.c" >&2 || return 1
        mv "$bin.$$" "$bin" || return 1
    fi
    printf '%s\n' "$bin"
}

# _sec_rootfs_with_helper: private rootfs for the current bundle, with the helper at
# /bin/syscall. A host that cannot build it (no gcc, no static libc) skips the check.
_sec_rootfs_with_helper() {
    local helper
    command -v gcc > /dev/null && [[ $(gcc -print-file-name=libc.a) == /* ]] ||
        skip "no gcc with a static libc on this host to build lib/syscall.c (apt-get install gcc libc6-dev)"
    helper=$(_sec_helper) || fail "cannot build lib/syscall.c with gcc -static"
    bundle_private_rootfs
    cp "$helper" "$BUNDLE/rootfs/bin/syscall" || fail "cannot copy the syscall helper"
}

# _sec_create_must_fail WHAT: create the current bundle; it must fail with a message on
# stderr and leave nothing behind.
_sec_create_must_fail() {
    ctr_create
    expect_rc nonzero "create with $1"
    expect_match "$(cat "$T/$ID.err")" '[^[:space:]]' "error message on stderr for $1"
    expect_nothing_left
}

# _sec_seccomp JSON: sets linux.seccomp.
_sec_seccomp() {
    bundle_set --argjson s "$1" '.linux.seccomp = $s'
}

# _sec_status_field NAME TEXT: the value of "NAME:" in /proc/<pid>/status text.
_sec_status_field() {
    awk -v k="$1:" '$1 == k { print $2 }' <<< "$2"
}

# ---------------------------------------------------------------------------------------
# Seccomp

# config-linux.md#seccomp: SCMP_ACT_ERRNO with errnoRet: the syscall fails with exactly
# that errno (28 = ENOSPC here), the process carries a filter (Seccomp: 2), and other
# syscalls are untouched.
security_seccomp_errno() {
    need_seccomp errno
    bundle_new
    bundle_mount /mnt/w tmpfs tmpfs
    _sec_seccomp '{"defaultAction": "SCMP_ACT_ALLOW",
        "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 28}]}'
    inside_any 'mkdir /mnt/w/d; echo "mkdir=$?"; touch /mnt/w/f && echo touch-ok; grep ^Seccomp: /proc/self/status'
    expect_rc 0 "run"
    expect_contains "$ERR" "No space left on device" "mkdir's error (errnoRet 28)"
    expect_contains "$OUT" "mkdir=1" "mkdir's status"
    expect_contains "$OUT" "touch-ok" "an unfiltered syscall"
    expect_contains "$OUT" $'Seccomp:\t2' "/proc/self/status"
}
check seccomp_errno security_seccomp_errno

# config-linux.md#seccomp: SCMP_ACT_ERRNO without errnoRet means EPERM; a name this
# libseccomp/kernel does not know is skipped (as runc), not an error.
security_seccomp_errno_default_unknown_name() {
    need_seccomp errno
    bundle_new
    bundle_mount /mnt/w tmpfs tmpfs
    _sec_seccomp '{"defaultAction": "SCMP_ACT_ALLOW",
        "syscalls": [{"names": ["swiftlet_no_such_syscall", "mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}'
    inside_any 'mkdir /mnt/w/d; echo "mkdir=$?"'
    expect_rc 0 "run with an unknown syscall name in the profile"
    expect_contains "$ERR" "Operation not permitted" "mkdir's error (default errno EPERM)"
}
check seccomp_errno_default_unknown_name security_seccomp_errno_default_unknown_name

# SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL (= KILL_THREAD) and SCMP_ACT_TRAP all end a
# single-threaded process with SIGSYS: `run` exits 128+31.
security_seccomp_kill() {
    need_seccomp kill_process kill_thread trap
    local action
    for action in SCMP_ACT_KILL_PROCESS SCMP_ACT_KILL SCMP_ACT_TRAP; do
        bundle_new "${action,,}"
        bundle_mount /mnt/w tmpfs tmpfs
        _sec_seccomp "{\"defaultAction\": \"SCMP_ACT_ALLOW\",
            \"syscalls\": [{\"names\": [\"mkdir\", \"mkdirat\"], \"action\": \"$action\"}]}"
        bundle_args mkdir /mnt/w/d
        ctr_run
        expect_rc 159 "run of mkdir under $action (SIGSYS)"
    done
}
check seccomp_kill security_seccomp_kill

# config-linux.md#seccomp args: a rule with an argument filter only matches the values it
# names. personality(2) is blocked for PER_LINUX32 (8) and allowed for the query
# 0xffffffff; two args on the same index are ORed (runc's semantics, which Docker's
# profile relies on); SCMP_CMP_MASKED_EQ compares (arg & value) with valueTwo; args on
# different indexes are ANDed.
security_seccomp_args() {
    need_seccomp errno
    bundle_new
    _sec_rootfs_with_helper
    _sec_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
        {"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 95,
         "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"},
                  {"index": 0, "value": 131080, "op": "SCMP_CMP_EQ"}]},
        {"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 94,
         "args": [{"index": 0, "value": 4095, "valueTwo": 3, "op": "SCMP_CMP_MASKED_EQ"}]},
        {"names": ["keyctl"], "action": "SCMP_ACT_ERRNO", "errnoRet": 93,
         "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_EQ"},
                  {"index": 1, "value": 5, "op": "SCMP_CMP_EQ"}]}]}'
    inside 'for a in 0xffffffff 8 0x20008 0x10003 0; do syscall personality $a; done
            syscall keyctl 0 5; syscall keyctl 0 6; syscall keyctl 1 5'
    local lines
    mapfile -t lines <<< "$OUT"
    expect_match "${lines[0]}" '^ret ' "personality(0xffffffff) (no rule matches)"
    expect_eq "${lines[1]}" "errno 95" "personality(8) (first of two ORed args)"
    expect_eq "${lines[2]}" "errno 95" "personality(0x20008) (second of two ORed args)"
    expect_eq "${lines[3]}" "errno 94" "personality(0x10003) (MASKED_EQ 0xfff == 3)"
    expect_match "${lines[4]}" '^ret ' "personality(0) (no rule matches)"
    expect_eq "${lines[5]}" "errno 93" "keyctl(0, 5) (both ANDed args match)"
    expect_ne "${lines[6]}" "errno 93" "keyctl(0, 6) (second arg differs)"
    expect_ne "${lines[7]}" "errno 93" "keyctl(1, 5) (first arg differs)"
}
check seccomp_args security_seccomp_args

# The syscalls a Docker-default-style profile allows (default action SCMP_ACT_ERRNO):
# Docker's unconditional allow-list, minus what needs CAP_SYS_ADMIN & co.
SEC_DOCKER_ALLOW='accept accept4 access adjtimex alarm arch_prctl bind brk cachestat capget
capset chdir chmod chown chown32 clock_getres clock_getres_time64 clock_gettime
clock_gettime64 clock_nanosleep clock_nanosleep_time64 close close_range connect
copy_file_range creat dup dup2 dup3 epoll_create epoll_create1 epoll_ctl epoll_ctl_old
epoll_pwait epoll_pwait2 epoll_wait epoll_wait_old eventfd eventfd2 execve execveat exit
exit_group faccessat faccessat2 fadvise64 fadvise64_64 fallocate fanotify_mark fchdir
fchmod fchmodat fchmodat2 fchown fchown32 fchownat fcntl fcntl64 fdatasync fgetxattr
flistxattr flock fork fremovexattr fsetxattr fstat fstat64 fstatat64 fstatfs fstatfs64
fsync ftruncate ftruncate64 futex futex_requeue futex_time64 futex_wait futex_waitv
futex_wake futimesat getcpu getcwd getdents getdents64 getegid getegid32 geteuid
geteuid32 getgid getgid32 getgroups getgroups32 getitimer getpeername getpgid getpgrp
getpid getppid getpriority getrandom getresgid getresgid32 getresuid getresuid32
getrlimit get_robust_list getrusage getsid getsockname getsockopt get_thread_area gettid
gettimeofday getuid getuid32 getxattr inotify_add_watch inotify_init inotify_init1
inotify_rm_watch io_cancel ioctl io_destroy io_getevents io_pgetevents
io_pgetevents_time64 ioprio_get ioprio_set io_setup io_submit io_uring_enter
io_uring_register io_uring_setup ipc kill landlock_add_rule landlock_create_ruleset
landlock_restrict_self lchown lchown32 lgetxattr link linkat listen listxattr llistxattr
_llseek lremovexattr lseek lsetxattr lstat lstat64 madvise map_shadow_stack membarrier
memfd_create memfd_secret mincore mkdir mkdirat mknod mknodat mlock mlock2 mlockall mmap
mmap2 modify_ldt mprotect mq_getsetattr mq_notify mq_open mq_timedreceive
mq_timedreceive_time64 mq_timedsend mq_timedsend_time64 mq_unlink mremap msgctl msgget
msgrcv msgsnd msync munlock munlockall munmap nanosleep newfstatat _newselect open openat
openat2 pause pidfd_getfd pidfd_open pidfd_send_signal pipe pipe2 pkey_alloc pkey_free
pkey_mprotect poll ppoll ppoll_time64 prctl pread64 preadv preadv2 prlimit64
process_mrelease pselect6 pselect6_time64 pwrite64 pwritev pwritev2 read readahead
readlink readlinkat readv recv recvfrom recvmmsg recvmmsg_time64 recvmsg remap_file_pages
removexattr rename renameat renameat2 restart_syscall rmdir rseq rt_sigaction
rt_sigpending rt_sigprocmask rt_sigqueueinfo rt_sigreturn rt_sigsuspend rt_sigtimedwait
rt_sigtimedwait_time64 rt_tgsigqueueinfo sched_getaffinity sched_getattr sched_getparam
sched_get_priority_max sched_get_priority_min sched_getscheduler sched_rr_get_interval
sched_rr_get_interval_time64 sched_setaffinity sched_setattr sched_setparam
sched_setscheduler sched_yield seccomp select semctl semget semop semtimedop
semtimedop_time64 send sendfile sendfile64 sendmmsg sendmsg sendto setfsgid setfsgid32
setfsuid setfsuid32 setgid setgid32 setgroups setgroups32 setitimer setpgid setpriority
setregid setregid32 setresgid setresgid32 setresuid setresuid32 setreuid setreuid32
setrlimit set_robust_list setsid setsockopt set_thread_area set_tid_address setuid
setuid32 setxattr shmat shmctl shmdt shmget shutdown sigaltstack signalfd signalfd4
sigprocmask sigreturn socketcall socketpair splice stat stat64 statfs statfs64 statx
symlink symlinkat sync sync_file_range syncfs sysinfo tee tgkill time timer_create
timer_delete timer_getoverrun timer_gettime timer_gettime64 timer_settime
timer_settime64 timerfd_create timerfd_gettime timerfd_gettime64 timerfd_settime
timerfd_settime64 times tkill truncate truncate64 ugetrlimit umask uname unlink unlinkat
utime utimensat utimensat_time64 utimes vfork vmsplice wait4 waitid waitpid write writev'

# sec_docker_profile [DEFAULT_ERRNO]: prints the profile as JSON: the allow-list above,
# Docker's argument rules (personality values, socket without AF_VSOCK, clone without
# namespace flags) and clone3 -> ENOSYS, for x86_64/x86/x32 or aarch64/arm.
sec_docker_profile() {
    local archs
    case $(uname -m) in
        x86_64) archs='["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]' ;;
        aarch64) archs='["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"]' ;;
        *) archs='[]' ;;
    esac
    # shellcheck disable=SC2086
    jq -n --argjson archs "$archs" --argjson errno "${1:-1}" --args '{
        defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: $errno, architectures: $archs,
        syscalls: ([{names: $ARGS.positional, action: "SCMP_ACT_ALLOW"}]
            + [0, 8, 131072, 131080, 4294967295 | {names: ["personality"], action: "SCMP_ACT_ALLOW",
                 args: [{index: 0, value: ., op: "SCMP_CMP_EQ"}]}]
            + [{names: ["socket"], action: "SCMP_ACT_ALLOW", args: [{index: 0, value: 40, op: "SCMP_CMP_NE"}]},
               {names: ["clone"], action: "SCMP_ACT_ALLOW",
                args: [{index: 0, value: 2114060288, valueTwo: 0, op: "SCMP_CMP_MASKED_EQ"}]},
               {names: ["clone3"], action: "SCMP_ACT_ERRNO", errnoRet: 38}])}' $SEC_DOCKER_ALLOW
}

# A Docker-default-style profile (default SCMP_ACT_ERRNO, an allow-list, argument rules)
# runs busybox normally while unshare, mount and keyctl fail with the default errno, even
# with CAP_SYS_ADMIN; without the profile the same three work (the control). A second
# profile with defaultErrnoRet 38 makes keyctl fail with ENOSYS instead.
security_seccomp_docker_profile() {
    need_seccomp errno
    host_has_keys || skip "$HOST_LACKS: the keyctl control cannot succeed"
    bundle_new
    _sec_rootfs_with_helper
    bundle_add_caps CAP_SYS_ADMIN
    bundle_set '.root.readonly = false'
    local script='echo hello; ls / > /dev/null && echo ls-ok; id -u; ps > /dev/null && echo ps-ok
        (sleep 0 &) ; wait; echo fork-ok
        unshare -m true && echo unshare-ok
        mount -t tmpfs tmpfs /mnt && echo mount-ok
        syscall keyctl 0 0xfffffffffffffffd 0'
    inside_any "$script"
    expect_rc 0 "control run without seccomp"
    expect_contains "$OUT" unshare-ok "unshare without seccomp (control)"
    expect_contains "$OUT" mount-ok "mount without seccomp (control)"
    expect_match "$(tail -n 1 <<< "$OUT")" '^ret ' "keyctl without seccomp (control)"

    _sec_seccomp "$(sec_docker_profile)"
    inside_any "$script"
    expect_rc 0 "run under the profile"
    expect_contains "$OUT" $'hello\nls-ok\n0\nps-ok\nfork-ok' "busybox under the profile"
    expect_not_contains "$OUT" unshare-ok "unshare under the profile"
    expect_not_contains "$OUT" mount-ok "mount under the profile"
    expect_contains "$ERR" "Operation not permitted" "errors of unshare and mount"
    expect_eq "$(tail -n 1 <<< "$OUT")" "errno 1" "keyctl under the profile"

    _sec_seccomp "$(sec_docker_profile 38)"
    inside_any 'syscall keyctl 0 0xfffffffffffffffd 0; syscall personality 0xffffffff'
    expect_rc 0 "run under the profile with defaultErrnoRet 38"
    expect_eq "$(head -n 1 <<< "$OUT")" "errno 38" "keyctl with defaultErrnoRet 38"
    expect_match "$(tail -n 1 <<< "$OUT")" '^ret ' "personality(0xffffffff), allowed by an argument rule"
}
check seccomp_docker_profile security_seccomp_docker_profile

# config-linux.md#seccomp listenerPath: with SCMP_ACT_NOTIFY the runtime sends the
# container process state and the listener fd (SCM_RIGHTS) to the agent, which then
# decides the filtered syscalls: mkdir fails with the agent's errno (95) in one run and
# succeeds in the next (agent answers CONTINUE).
security_seccomp_notify() {
    need_seccomp user_notif
    local err run
    for run in 1 2; do
        err=$([ "$run" = 1 ] && echo 95 || echo 0)
        bundle_new "c$run"
        bundle_mount /mnt/w tmpfs tmpfs
        local sock="$T/agent$run.sock" log="$T/agent$run.log"
        python3 "$CONF_DIR/lib/seccomp_agent.py" "$sock" "$log" "$err" > "$T/agent$run.out" 2>&1 &
        local agent=$!
        wait_for 5 test -e "$log.listening" || fail "the seccomp agent did not start: $(cat "$T/agent$run.out")"
        _sec_seccomp "$(jq -n --arg p "$sock" '{defaultAction: "SCMP_ACT_ALLOW", listenerPath: $p,
            listenerMetadata: "conformance-metadata",
            syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_NOTIFY"}]}')"
        inside_any 'mkdir /mnt/w/d; echo "mkdir=$?"; ls -d /mnt/w/d 2> /dev/null; exit 0'
        expect_rc 0 "run $run with a notify rule"
        wait_bg "$agent" 10 || fail "the seccomp agent did not finish: $(cat "$T/agent$run.out")"
        expect_rc 0 "seccomp agent (its output: $(cat "$T/agent$run.out"))"
        expect_eq "$(cat "$log.fds")" 1 "descriptors sent with the state"
        local state
        state=$(cat "$log.state")
        expect_eq "$(jq -c .fds <<< "$state")" '["seccompFd"]' "fds of the container process state"
        expect_eq "$(jq -r .metadata <<< "$state")" conformance-metadata "metadata"
        expect_eq "$(jq -r .state.id <<< "$state")" "$ID" "state.id"
        expect_match "$(jq -r .pid <<< "$state")" '^[1-9][0-9]*$' "pid"
        expect_match "$(jq -r .ociVersion <<< "$state")" '^[0-9]' "ociVersion"
        if [ "$err" = 95 ]; then
            expect_contains "$ERR" "not supported" "mkdir answered with errno 95 by the agent"
            expect_contains "$OUT" "mkdir=1" "mkdir's status"
            expect_match "$(cat "$log")" '(^|\n)[0-9]+ errno 95' "the agent's log"
        else
            expect_contains "$OUT" "mkdir=0" "mkdir continued by the agent"
            expect_contains "$OUT" "/mnt/w/d" "the directory made"
            expect_match "$(cat "$log")" '(^|\n)[0-9]+ continue' "the agent's log"
        fi
    done
}
check seccomp_notify security_seccomp_notify

# Bad seccomp configurations fail create and leave nothing behind: unknown action,
# architecture, operator and flag, SCMP_ACT_NOTIFY without listenerPath or as the
# default action, errnoRet on an action without an errno (config-linux.md: "the runtime
# MUST print an error and fail").
# runc 1.1.5 FAILS the errnoRet-on-ALLOW case: it ignores errnoRet there.
security_seccomp_bad_config() {
    need_seccomp
    local -a cases=(
        'unknown action|{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_BOGUS"}]}'
        'unknown default action|{"defaultAction": "SCMP_ACT_BOGUS"}'
        'unknown architecture|{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_BOGUS"]}'
        'unknown operator|{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_BOGUS"}]}]}'
        'unknown flag|{"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_BOGUS"]}'
        'notify without listenerPath|{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]}'
        'notify as default action|{"defaultAction": "SCMP_ACT_NOTIFY", "listenerPath": "/nonexistent.sock"}'
        'errnoRet with SCMP_ACT_ALLOW|{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ALLOW", "errnoRet": 5}]}'
    )
    local i=0 c
    for c in "${cases[@]}"; do
        i=$((i + 1))
        bundle_new "bad$i"
        _sec_seccomp "${c#*|}"
        _sec_create_must_fail "seccomp: ${c%%|*}"
    done
}
check seccomp_bad_config security_seccomp_bad_config

# ---------------------------------------------------------------------------------------
# Capabilities, no_new_privs, rlimits, user

# config.md#linux-process: ambient capabilities that are not both permitted and
# inheritable cannot be raised; the runtime leaves them out and the container starts. A
# uid 1000 process then holds exactly the one raisable capability, in every set but
# bounding.
security_caps_ambient_needs_inheritable() {
    bundle_new
    local both='["CAP_NET_BIND_SERVICE","CAP_KILL"]'
    bundle_set --argjson c "$both" '.process.user = {uid: 1000, gid: 1000}
        | .process.capabilities = {bounding: $c, effective: $c, permitted: $c,
                                   inheritable: ["CAP_KILL"], ambient: $c}'
    inside 'grep ^Cap /proc/self/status'
    local kill both_mask
    kill=$(cap_mask CAP_KILL)
    both_mask=$(cap_mask CAP_NET_BIND_SERVICE CAP_KILL)
    expect_eq "$(_caps_of_status "$OUT")" "$kill $kill $kill $both_mask $kill" "CapInh CapPrm CapEff CapBnd CapAmb"
}
check caps_ambient_needs_inheritable security_caps_ambient_needs_inheritable

# CVE-2022-29162: the inheritable set is empty unless the config lists it, so a uid 1000
# process gains nothing from a file with inheritable file capabilities (here
# cap_net_raw+ei on the helper). The control lists CAP_NET_RAW as inheritable, and then
# the same exec does gain it. Without no_new_privs, which would cap any gain anyway.
security_caps_no_default_inheritable() {
    bundle_new
    _sec_rootfs_with_helper
    chmod 755 "$BUNDLE/rootfs/bin/syscall"
    host_suid_fs "$BUNDLE/rootfs" || skip "$HOST_LACKS"
    # vfs_cap_data revision 2 with the effective flag: permitted 0, inheritable CAP_NET_RAW.
    python3 -c 'import os, struct, sys
os.setxattr(sys.argv[1], "security.capability", struct.pack("<5I", 0x02000001, 0, 1 << 13, 0, 0))' \
        "$BUNDLE/rootfs/bin/syscall" ||
        skip "the filesystem of $WORK does not take security.capability xattrs (file capabilities), which the check needs (point TMPDIR elsewhere)"
    local caps='["CAP_NET_RAW","CAP_KILL"]' raw
    raw=$(printf '%x' $((1 << 13)))
    bundle_set --argjson c "$caps" '.process.user = {uid: 1000, gid: 1000} | .process.noNewPrivileges = false
        | .process.capabilities = {bounding: $c, effective: $c, permitted: $c}'
    inside 'grep ^CapInh: /proc/self/status; syscall ids'
    expect_eq "$(head -n 1 <<< "$OUT")" $'CapInh:\t0000000000000000' "CapInh without inheritable in the config"
    expect_eq "$(tail -n 1 <<< "$OUT")" "uid 1000 euid 1000 prm 0 eff 0" "the file-capability helper's sets"
    bundle_set '.process.capabilities.inheritable = ["CAP_NET_RAW"]'
    inside 'syscall ids'
    expect_eq "$OUT" "uid 1000 euid 1000 prm $raw eff $raw" "control: CAP_NET_RAW inheritable in the config"
}
check caps_no_default_inheritable security_caps_no_default_inheritable

# config.md#linux-process noNewPrivileges: a setuid-root binary run by uid 1000 changes
# neither its uid nor its capabilities. The control without no_new_privs does become
# euid 0 with capabilities (limited by the bounding set).
security_nnp_setuid() {
    bundle_new
    _sec_rootfs_with_helper
    host_suid_fs "$BUNDLE/rootfs" || skip "$HOST_LACKS"
    chown 0:0 "$BUNDLE/rootfs/bin/syscall"
    chmod 4755 "$BUNDLE/rootfs/bin/syscall"
    bundle_set '.process.user = {uid: 1000, gid: 1000} | .process.noNewPrivileges = false'
    inside 'grep ^NoNewPrivs: /proc/self/status; syscall ids'
    expect_eq "$(head -n 1 <<< "$OUT")" $'NoNewPrivs:\t0' "NoNewPrivs (control)"
    expect_match "$(tail -n 1 <<< "$OUT")" '^uid 1000 euid 0 prm [1-9a-f]' "setuid helper without no_new_privs (control)"
    bundle_set '.process.noNewPrivileges = true'
    inside 'grep ^NoNewPrivs: /proc/self/status; syscall ids'
    expect_eq "$(head -n 1 <<< "$OUT")" $'NoNewPrivs:\t1' "NoNewPrivs"
    expect_eq "$(tail -n 1 <<< "$OUT")" "uid 1000 euid 1000 prm 0 eff 0" "setuid helper under no_new_privs"
}
check nnp_setuid security_nnp_setuid

# config.md#posix-process: every RLIMIT_* type is applied with its soft and hard value.
# The values stay below common hard limits (RLIMIT_NICE, RLIMIT_RTPRIO 0, RLIMIT_MSGQUEUE
# 819200, RLIMIT_MEMLOCK 8 MiB), so the check also passes where the runtime lacks
# CAP_SYS_RESOURCE, as in some CI sandboxes (this machine among them); where the runner's own
# hard limits are lower still, the check skips.
security_rlimits_all() {
    # What /proc/self/limits must show: name, soft, hard.
    local limits='Max cpu time 1001 2001
Max file size 1002000 2002000
Max data size 1003000000 2003000000
Max stack size 1004000 2004000
Max core file size 1005 2005
Max resident set 1006000 2006000
Max processes 1007 2007
Max open files 1008 2008
Max locked memory 1009000 2009000
Max address space 1010000000 2010000000
Max file locks 1011 2011
Max pending signals 1012 2012
Max msgqueue size 401300 801300
Max nice priority 0 0
Max realtime priority 0 0
Max realtime timeout 1016000 2016000'
    local hards=()
    mapfile -t hards < <(awk '{ $(NF - 1) = ""; print }' <<< "$limits" | tr -s ' ')
    host_rlimits_allow "${hards[@]}" || skip "$HOST_LACKS"
    bundle_new
    bundle_set '.process.rlimits = [
        {type: "RLIMIT_CPU", soft: 1001, hard: 2001},
        {type: "RLIMIT_FSIZE", soft: 1002000, hard: 2002000},
        {type: "RLIMIT_DATA", soft: 1003000000, hard: 2003000000},
        {type: "RLIMIT_STACK", soft: 1004000, hard: 2004000},
        {type: "RLIMIT_CORE", soft: 1005, hard: 2005},
        {type: "RLIMIT_RSS", soft: 1006000, hard: 2006000},
        {type: "RLIMIT_NPROC", soft: 1007, hard: 2007},
        {type: "RLIMIT_NOFILE", soft: 1008, hard: 2008},
        {type: "RLIMIT_MEMLOCK", soft: 1009000, hard: 2009000},
        {type: "RLIMIT_AS", soft: 1010000000, hard: 2010000000},
        {type: "RLIMIT_LOCKS", soft: 1011, hard: 2011},
        {type: "RLIMIT_SIGPENDING", soft: 1012, hard: 2012},
        {type: "RLIMIT_MSGQUEUE", soft: 401300, hard: 801300},
        {type: "RLIMIT_NICE", soft: 0, hard: 0},
        {type: "RLIMIT_RTPRIO", soft: 0, hard: 0},
        {type: "RLIMIT_RTTIME", soft: 1016000, hard: 2016000}]'
    inside 'cat /proc/self/limits; ulimit -n 3000 2>/dev/null && echo raised-nofile; exit 0'
    local name soft hard line
    while read -r name soft hard; do
        line=$(grep "^$name " <<< "$OUT" | tr -s ' ')
        expect_contains "$line" " $soft $hard" "$name in /proc/self/limits"
    done <<< "$limits"
    expect_not_contains "$OUT" raised-nofile "raising RLIMIT_NOFILE above its hard limit"
}
check rlimits_all security_rlimits_all

# config.md: oomScoreAdj, user.umask and additionalGids of a uid 1000 process, all seen
# from inside.
security_user_attributes() {
    host_oom_score_adj 321 || skip "$HOST_LACKS"
    bundle_new
    bundle_set '.process.oomScoreAdj = 321
        | .process.user = {uid: 1000, gid: 1000, umask: 63, additionalGids: [5, 1000, 4242]}'
    inside 'cat /proc/self/oom_score_adj; umask; grep ^Groups: /proc/self/status'
    expect_eq "$OUT" $'321\n0077\nGroups:\t5 1000 4242 ' "oom_score_adj, umask, Groups"
}
check user_attributes security_user_attributes

# runtime.md (create --preserve-fds N): fds 3..3+N-1 reach the process, nothing else does.
security_preserve_fds() {
    bundle_new
    bundle_sh 'ls /proc/$$/fd; cat <&3; cat <&4; exit 0'
    echo fd-three > "$T/three"
    echo fd-four > "$T/four"
    rt run --preserve-fds 2 --bundle "$BUNDLE" "$ID" < /dev/null > "$T/out" 2> "$T/err" 3< "$T/three" 4< "$T/four" 5< "$CONFIG" 6> "$T/six"
    RC=$?
    OUT=$(cat "$T/out")
    ERR=$(cat "$T/err")
    _log_captured
    expect_rc 0 "run --preserve-fds 2"
    expect_eq "$OUT" $'0\n1\n2\n3\n4\nfd-three\nfd-four' "open descriptors and their contents"
}
check preserve_fds security_preserve_fds

# ---------------------------------------------------------------------------------------
# Escapes

# CVE-2019-5736: /proc/1/exe must not lead to a writable host file, and if it can be
# read at all it is not the runtime's binary. (With swiftlet PID 1 is swiftlet-init,
# non-dumpable and run from a sealed memfd: the open fails. With runc PID 1 is the
# container's own program.)
security_proc_exe() {
    bundle_new
    local out="$T/out-dir"
    mkdir -p "$out"
    bundle_mount /out bind "$out" rbind rw
    bundle_add_caps CAP_DAC_OVERRIDE CAP_SYS_PTRACE
    inside_any 'echo x >> /proc/1/exe && echo wrote-exe
        cat /proc/1/exe > /out/exe 2>/dev/null && echo read-exe
        ls -l /proc/1/exe; exit 0'
    expect_rc 0 "run"
    expect_not_contains "$OUT" wrote-exe "appending to /proc/1/exe"
    if [ -s "$out/exe" ]; then
        cmp -s "$out/exe" "$RUNTIME" && fail "/proc/1/exe is the runtime binary $RUNTIME"
    fi
    return 0
}
check proc_exe security_proc_exe

# The container's PID 1 seen from the host (docs/security.md "PID 1 keeps no more than the
# container"). With runc PID 1 is the process itself; with swiftlet it is swiftlet-init,
# which forked the process and then gave up what the process was denied.

# _sec_pid1_status: the /proc/PID/status of the container's PID 1 (state's pid) in
# SEC_PID1_STATUS, its pid in SEC_PID1, and SEC_PID1_IS_PROCESS=1 when its command line is
# the configured process.args (PID 1 is the process itself, as with runc).
_sec_pid1_status() {
    SEC_PID1=$(state_field pid) || fail "state of $ID"
    SEC_PID1_STATUS=$(cat "/proc/$SEC_PID1/status") || fail "cannot read /proc/$SEC_PID1/status"
    local cmdline args
    cmdline=$(tr '\0' '\n' < "/proc/$SEC_PID1/cmdline")
    args=$(jq -r '.process.args | join("\n")' "$CONFIG")
    SEC_PID1_IS_PROCESS=0
    [ "$cmdline" = "$args" ] && SEC_PID1_IS_PROCESS=1
    echo "# PID 1 (host pid $SEC_PID1, the process itself: $SEC_PID1_IS_PROCESS):"
    grep -E '^(Uid|Cap[A-Za-z]+|NoNewPrivs|Seccomp):' <<< "$SEC_PID1_STATUS" | sed 's/^/#   /'
}

# _sec_expect_pid1_confined WHAT BOUNDING EFFECTIVE: the container's PID 1 holds no more
# than the process may: CapBnd within BOUNDING (the configured bounding set, 16 hex
# digits), nothing inheritable or ambient, NoNewPrivs 1, and CapPrm/CapEff within
# {CAP_KILL} (a runtime's own init: what it needs to forward a signal to another uid) or,
# when PID 1 is the process itself, within EFFECTIVE (the configured set).
_sec_expect_pid1_confined() {
    local what=$1 bnd=$((16#$2)) allowed field value
    _sec_pid1_status
    allowed=$((1 << CAPNUM[CAP_KILL]))
    [ "$SEC_PID1_IS_PROCESS" = 1 ] && allowed=$((16#$3))
    value=$(_sec_status_field CapBnd "$SEC_PID1_STATUS")
    (( (16#$value & ~bnd) == 0 )) ||
        fail "$what: PID 1's CapBnd $value is not within the process's bounding set $2"
    for field in CapPrm CapEff; do
        value=$(_sec_status_field "$field" "$SEC_PID1_STATUS")
        (( (16#$value & ~allowed) == 0 )) ||
            fail "$what: PID 1's $field $value is not within $(printf '%016x' "$allowed")"
    done
    for field in CapInh CapAmb; do
        expect_eq "$(_sec_status_field "$field" "$SEC_PID1_STATUS")" 0000000000000000 "$what: PID 1's $field"
    done
    expect_eq "$(_sec_status_field NoNewPrivs "$SEC_PID1_STATUS")" 1 "$what: PID 1's NoNewPrivs"
}

# _sec_pid1_run: runs the current bundle as a shell that traps TERM (exit 3) and
# prints "ready", in the background.
_sec_pid1_run() {
    bundle_sh 'trap "exit 3" TERM; echo ready; while :; do sleep 0.1; done'
    ctr_run_bg
    wait_file "$T/$ID.out" ready || fail "the container never became ready: $(cat "$T/$ID.err")"
}

# (a) root with the base config's capabilities, (b) uid 1000 with every set empty: PID 1
# holds no more than the process (above). What PID 1 still has to do keeps working for the
# uid 1000 process: exec joins it, pause/resume, and kill TERM reaches the process's trap
# (run exits 3).
security_pid1_no_more_than_process() {
    local base
    bundle_new root
    base=$(cap_mask CAP_AUDIT_WRITE CAP_KILL CAP_NET_BIND_SERVICE)
    _sec_pid1_run
    _sec_expect_pid1_confined "root process, default capabilities" "$base" "$base"
    expect_exit 0 rt kill "$ID" TERM
    ctr_wait_bg "$RUN_PID" "$ID" 5 || fail "root process: still running 5s after kill TERM"
    expect_rc 3 "root process: exit status after kill TERM"

    bundle_new nonroot
    bundle_set '.process.user = {uid: 1000, gid: 1000}
        | .process.capabilities = {bounding: [], effective: [], permitted: [], inheritable: [], ambient: []}'
    _sec_pid1_run
    _sec_expect_pid1_confined "uid 1000, no capabilities" 0000000000000000 0000000000000000
    expect_exit 0 rt exec "$ID" id -u
    expect_eq "$OUT" 1000 "exec in the uid 1000 container"
    expect_exit 0 rt pause "$ID"
    expect_exit 0 rt resume "$ID"
    expect_exit 0 rt kill "$ID" TERM
    ctr_wait_bg "$RUN_PID" "$ID" 5 || fail "uid 1000 process: still running 5s after kill TERM"
    expect_rc 3 "uid 1000 process: exit status after kill TERM (forwarded to another uid)"
}
check pid1_no_more_than_process security_pid1_no_more_than_process

# PID 1 runs under the container's seccomp filter when the filter allows what PID 1 does
# (a Docker-style profile does): Seccomp 2 in its /proc status, and kill TERM still
# reaches the uid 1000 process.
security_pid1_seccomp() {
    bundle_new
    bundle_set '.process.user = {uid: 1000, gid: 1000}'
    _sec_seccomp "$(sec_docker_profile)"
    _sec_pid1_run
    _sec_pid1_status
    expect_eq "$(_sec_status_field Seccomp "$SEC_PID1_STATUS")" 2 "PID 1's Seccomp under a Docker-style profile"
    expect_exit 0 rt kill "$ID" TERM
    ctr_wait_bg "$RUN_PID" "$ID" 5 || fail "still running 5s after kill TERM"
    expect_rc 3 "exit status after kill TERM"
}
check pid1_seccomp security_pid1_seccomp

# CVE-2024-21626: a cwd of /proc/self/fd/N must never put the process in a host
# directory through a descriptor the runtime leaked: either create/run fails, or the cwd
# is inside the container. The runtime is started with a host directory on fds 3-9.
security_cwd_leaked_fd() {
    local host="$T/host-dir" n
    mkdir -p "$host"
    touch "$host/host-secret"
    for n in 3 4 5 6 7 8 9; do
        bundle_new "c$n"
        bundle_set --arg c "/proc/self/fd/$n" '.process.cwd = $c'
        bundle_sh 'pwd; ls; ls ..'
        rt run --bundle "$BUNDLE" "$ID" < /dev/null > "$T/out" 2> "$T/err" \
            3< "$host" 4< "$host" 5< "$host" 6< "$host" 7< "$host" 8< "$host" 9< "$host"
        RC=$?
        OUT=$(cat "$T/out")
        ERR=$(cat "$T/err")
        _log_captured
        expect_not_contains "$OUT" host-secret "listing of cwd /proc/self/fd/$n"
        expect_not_contains "$OUT" "(unreachable)" "pwd with cwd /proc/self/fd/$n"
    done
}
check cwd_leaked_fd security_cwd_leaked_fd

# CVE-2021-30465 class: a mount destination that is a symlink in the rootfs is resolved
# inside the container root. An absolute link naming a host path and a ../ climb both
# land inside the container. A dangling link to a host path may fail the mount or create
# the mount point inside the rootfs (runc does), but never on the host.
security_symlink_mount_target() {
    bundle_new
    bundle_private_rootfs
    bundle_set '.root.readonly = false'
    local escape="$T/escape-target"
    mkdir -p "$escape" "$BUNDLE/rootfs$escape" "$BUNDLE/rootfs/tmp/climb"
    touch "$escape/host-file"
    ln -s "$escape" "$BUNDLE/rootfs/mnt/abs-link"
    ln -s "../../../../../../../../tmp/climb" "$BUNDLE/rootfs/mnt/climb-link"
    bundle_mount /mnt/abs-link tmpfs tmpfs
    bundle_mount /mnt/climb-link tmpfs tmpfs
    inside "grep -E ' (${escape}|/tmp/climb) ' /proc/self/mountinfo | awk '{ print \$5, \$9 }'"
    expect_eq "$OUT" "$escape tmpfs"$'\n'"/tmp/climb tmpfs" "tmpfs mounts as the container sees them"
    [ -e "$escape/host-file" ] || fail "the host directory $escape was changed"

    bundle_new dangling
    bundle_private_rootfs
    bundle_set '.root.readonly = false'
    local host_target="$T/never-created"
    ln -s "$host_target" "$BUNDLE/rootfs/mnt/dangling"
    bundle_mount /mnt/dangling tmpfs tmpfs
    inside_any 'true'
    [ -e "$host_target" ] && fail "the runtime created $host_target on the host (run exit status $RC)"
    return 0
}
check symlink_mount_target security_symlink_mount_target

# ---------------------------------------------------------------------------------------
# Linux security modules

# config.md#linux-process apparmorProfile: on a host without AppArmor a profile cannot
# be applied, so create fails (runtime.md "Errors") and leaves nothing; with AppArmor the
# process runs under the profile (here "unconfined", which always exists).
security_apparmor() {
    bundle_new
    if [ -d /sys/kernel/security/apparmor ] && grep -q '^Y' /sys/module/apparmor/parameters/enabled 2> /dev/null; then
        bundle_set '.process.apparmorProfile = "unconfined"'
        inside 'cat /proc/self/attr/current'
        expect_contains "$OUT" unconfined "AppArmor label of the process"
    else
        bundle_set '.process.apparmorProfile = "swiftlet-conformance"'
        _sec_create_must_fail "an AppArmor profile on a host without AppArmor"
    fi
}
check apparmor security_apparmor

# config.md#linux-process selinuxLabel: likewise for SELinux (runc refuses a label when
# SELinux is disabled).
security_selinux() {
    bundle_new
    if [ -e /sys/fs/selinux/enforce ]; then
        bundle_set '.process.selinuxLabel = "system_u:system_r:container_t:s0"'
        inside 'cat /proc/self/attr/current'
        expect_contains "$OUT" container_t "SELinux label of the process"
    else
        bundle_set '.process.selinuxLabel = "system_u:system_r:container_t:s0"'
        _sec_create_must_fail "an SELinux label on a host without SELinux"
    fi
}
check selinux security_selinux

# ---------------------------------------------------------------------------------------
# Scheduling and personality (runc 1.1.5 FAILS these three: it ignores the fields)

# config.md#linux-process scheduler: policy and nice, from /proc/self/stat (field 19
# nice, field 41 policy; SCHED_BATCH is 3).
security_scheduler() {
    bundle_new
    bundle_set '.process.scheduler = {policy: "SCHED_BATCH", nice: 7}'
    inside 'cut -d " " -f 19,41 /proc/self/stat'
    expect_eq "$OUT" "7 3" "nice and policy"
}
check scheduler security_scheduler

# config.md#linux-process ioPriority: the I/O class and level.
security_io_priority() {
    bundle_new
    bundle_set '.process.ioPriority = {class: "IOPRIO_CLASS_BE", priority: 6}'
    inside 'ionice -p $$'
    expect_eq "$OUT" "best-effort: prio 6" "ionice -p"
}
check io_priority security_io_priority

# config-linux.md#personality: LINUX32 makes uname report a 32-bit machine.
security_personality() {
    bundle_new
    bundle_set '.linux.personality = {domain: "LINUX32"}'
    inside 'uname -m'
    case $(uname -m) in
        x86_64) expect_eq "$OUT" i686 "uname -m under LINUX32" ;;
        aarch64) expect_match "$OUT" '^armv' "uname -m under LINUX32" ;;
        *) expect_ne "$OUT" "$(uname -m)" "uname -m under LINUX32" ;;
    esac
}
check personality security_personality
