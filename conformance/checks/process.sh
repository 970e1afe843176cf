# config.md "Process", "POSIX process", "Linux process", "User": what the container
# process looks like from inside, and runtime-linux.md "File descriptors".

# config.md#process: args with execvp semantics: argv is passed exactly (spaces, quotes,
# empty strings), args[0] is looked up in PATH.
process_args() {
    bundle_new
    bundle_args sh -c 'printf "[%s]" "$0" "$@"' zero 'a b' 'c"d' '' "e'f" '$HOME'
    ctr_run
    expect_rc 0 "run"
    expect_eq "$OUT" "[zero][a b][c\"d][][e'f][\$HOME]" "argv seen by the process"
    bundle_args /bin/echo absolute
    ctr_run
    expect_rc 0 "run of an absolute args[0]"
    expect_eq "$OUT" absolute "output of /bin/echo"
}
check args process_args

# A program that does not exist: the runtime reports an error (non-zero), at create or
# at start/run.
process_args_not_found() {
    bundle_new
    bundle_args /bin/true
    ctr_run
    expect_rc 0 "run of /bin/true (control)"
    bundle_args /no/such/program
    ctr_run
    expect_rc nonzero "run of a missing program"
}
check args_not_found process_args_not_found

# config.md#process: env is the environment, and nothing of the runtime's leaks in.
process_env() {
    bundle_new
    bundle_set '.process.env = ["PATH=/bin", "FOO=bar baz", "EMPTY=", "WITH_EQ=a=b"] + [.process.env[] | select(startswith("SWIFTLET_CONFORMANCE="))]'
    bundle_args env
    SWC_HOST_CANARY=leaked ctr_run
    expect_rc 0 "run of env"
    expect_contains "$OUT" $'FOO=bar baz' "environment"
    expect_contains "$OUT" $'EMPTY=\n' "environment"
    expect_contains "$OUT" 'WITH_EQ=a=b' "environment"
    expect_contains "$OUT" 'PATH=/bin' "environment"
    expect_not_contains "$OUT" SWC_HOST_CANARY "environment (the runtime's own environment leaked)"
    expect_not_contains "$OUT" 'TERM=' "environment (TERM is not in process.env)"
}
check env process_env

# config.md#process: cwd is the working directory.
process_cwd() {
    bundle_new
    bundle_set '.process.cwd = "/etc"'
    inside 'pwd; ls passwd'
    expect_eq "$OUT" $'/etc\npasswd' "pwd"
}
check cwd process_cwd

# A cwd that does not exist in the rootfs is created (runc behaviour that images rely
# on; the spec only says cwd is the working directory).
process_cwd_created() {
    bundle_new
    bundle_private_rootfs
    bundle_set '.root.readonly = false | .process.cwd = "/work/a/b"'
    inside 'pwd'
    expect_eq "$OUT" /work/a/b "pwd"
}
check cwd_created process_cwd_created

# config.md#user: uid, gid and additionalGids, seen by `id` and /proc/self/status.
process_user() {
    bundle_new
    bundle_set '.process.user = {uid: 1000, gid: 1000, additionalGids: [10, 20]}'
    inside 'id -u; id -g; grep -E "^(Uid|Gid|Groups):" /proc/self/status'
    expect_eq "$OUT" "$(printf '1000\n1000\nUid:\t1000\t1000\t1000\t1000\nGid:\t1000\t1000\t1000\t1000\nGroups:\t10 20 ')" \
        "id -u, id -g, /proc/self/status"
}
check user process_user

# config.md#user: a uid without a passwd entry works; root stays root by default.
process_user_numeric() {
    bundle_new
    bundle_set '.process.user = {uid: 4242, gid: 4343}'
    inside 'id -u; id -g'
    expect_eq "$OUT" $'4242\n4343' "id -u, id -g"
    bundle_set '.process.user = {uid: 0, gid: 0}'
    inside 'id -u; id -g'
    expect_eq "$OUT" $'0\n0' "id -u, id -g for root"
}
check user_numeric process_user_numeric

# config.md#user: umask.
process_umask() {
    bundle_new
    bundle_set '.process.user.umask = 23'
    inside 'umask'
    expect_eq "$OUT" 0027 "umask"
}
check umask process_umask

# config.md#posix-process: rlimits: soft and hard of each entry, via /proc/self/limits.
process_rlimits() {
    host_rlimits_allow "Max open files 2000" "Max processes 400" "Max core file size 67890" || skip "$HOST_LACKS"
    bundle_new
    bundle_set '.process.rlimits = [
        {type: "RLIMIT_NOFILE", soft: 1000, hard: 2000},
        {type: "RLIMIT_NPROC", soft: 300, hard: 400},
        {type: "RLIMIT_CORE", soft: 12345, hard: 67890}]'
    inside 'cat /proc/self/limits'
    local line
    line=$(grep '^Max open files' <<< "$OUT" | tr -s ' ')
    expect_eq "$line" "Max open files 1000 2000 files " "RLIMIT_NOFILE"
    line=$(grep '^Max processes' <<< "$OUT" | tr -s ' ')
    expect_eq "$line" "Max processes 300 400 processes " "RLIMIT_NPROC"
    line=$(grep '^Max core file size' <<< "$OUT" | tr -s ' ')
    expect_eq "$line" "Max core file size 12345 67890 bytes " "RLIMIT_CORE"
}
check rlimits process_rlimits

# config.md#linux-process: noNewPrivileges true and false.
process_no_new_privileges() {
    bundle_new
    bundle_set '.process.noNewPrivileges = true'
    inside 'grep ^NoNewPrivs: /proc/self/status'
    expect_eq "$OUT" $'NoNewPrivs:\t1' "NoNewPrivs with noNewPrivileges true"
    bundle_set '.process.noNewPrivileges = false'
    inside 'grep ^NoNewPrivs: /proc/self/status'
    expect_eq "$OUT" $'NoNewPrivs:\t0' "NoNewPrivs with noNewPrivileges false"
}
check no_new_privileges process_no_new_privileges

# config.md#linux-process: oomScoreAdj is applied when set.
process_oom_score_adj() {
    host_oom_score_adj 123 || skip "$HOST_LACKS"
    bundle_new
    bundle_set '.process.oomScoreAdj = 123'
    inside 'cat /proc/self/oom_score_adj'
    expect_eq "$OUT" 123 "oom_score_adj"
}
check oom_score_adj process_oom_score_adj

# Capability numbers (linux/capability.h) used below.
declare -A CAPNUM=(
    [CAP_CHOWN]=0 [CAP_DAC_OVERRIDE]=1 [CAP_FOWNER]=3 [CAP_KILL]=5 [CAP_SETGID]=6
    [CAP_SETUID]=7 [CAP_NET_BIND_SERVICE]=10 [CAP_NET_RAW]=13 [CAP_SYS_CHROOT]=18
    [CAP_MKNOD]=27 [CAP_AUDIT_WRITE]=29 [CAP_SETFCAP]=31 [CAP_BPF]=39
    [CAP_CHECKPOINT_RESTORE]=40
)

# cap_mask NAME...: the 16-hex-digit mask /proc/self/status shows for these caps.
cap_mask() {
    local m=0 c
    for c in "$@"; do m=$((m | (1 << CAPNUM[$c]))); done
    printf '%016x' "$m"
}

# _caps_of_status TEXT: "Inh Prm Eff Bnd Amb" from /proc/self/status lines.
_caps_of_status() {
    awk '/^Cap(Inh|Prm|Eff|Bnd|Amb):/ { v[$1] = $2 }
        END { print v["CapInh:"], v["CapPrm:"], v["CapEff:"], v["CapBnd:"], v["CapAmb:"] }' <<< "$1"
}

# config.md#linux-process: capabilities of a root process. With the same list in
# bounding, effective and permitted (as in `runc spec`), CapBnd, CapPrm and CapEff are
# exactly that list, and nothing is inheritable or ambient. Includes capabilities above
# 31, which need the second 32-bit word of capset(2).
process_capabilities_root() {
    host_cap_last_cap "${CAPNUM[CAP_CHECKPOINT_RESTORE]}" || skip "$HOST_LACKS (CAP_BPF and CAP_CHECKPOINT_RESTORE came with Linux 5.8/5.9)"
    bundle_new
    local caps='["CAP_CHOWN","CAP_KILL","CAP_NET_RAW","CAP_SETFCAP","CAP_BPF","CAP_CHECKPOINT_RESTORE"]'
    bundle_set --argjson c "$caps" '.process.capabilities = {bounding: $c, effective: $c, permitted: $c}'
    inside 'grep ^Cap /proc/self/status'
    local m
    m=$(cap_mask CAP_CHOWN CAP_KILL CAP_NET_RAW CAP_SETFCAP CAP_BPF CAP_CHECKPOINT_RESTORE)
    expect_eq "$(_caps_of_status "$OUT")" "0000000000000000 $m $m $m 0000000000000000" \
        "CapInh CapPrm CapEff CapBnd CapAmb"
}
check capabilities_root process_capabilities_root

# The base config's default set (CAP_AUDIT_WRITE, CAP_KILL, CAP_NET_BIND_SERVICE), and
# what it means: a capability outside it is refused (chown needs CAP_CHOWN).
process_capabilities_default() {
    bundle_new
    bundle_mount /mnt/caps tmpfs tmpfs
    inside_any 'grep ^CapEff: /proc/self/status; touch /mnt/caps/f; chown 1000 /mnt/caps/f && echo chown-worked'
    expect_rc nonzero "chown without CAP_CHOWN"
    expect_eq "$(head -n 1 <<< "$OUT")" "CapEff:	$(cap_mask CAP_AUDIT_WRITE CAP_KILL CAP_NET_BIND_SERVICE)" "CapEff"
    expect_not_contains "$OUT" chown-worked "chown without CAP_CHOWN"
}
check capabilities_default process_capabilities_default

# config.md#linux-process: a non-root process keeps capabilities across execve only
# through the ambient set: uid 1000 with the same list in every set has them all.
process_capabilities_ambient() {
    bundle_new
    local caps='["CAP_NET_BIND_SERVICE","CAP_KILL"]'
    bundle_set --argjson c "$caps" '.process.user = {uid: 1000, gid: 1000}
        | .process.capabilities = {bounding: $c, effective: $c, permitted: $c, inheritable: $c, ambient: $c}'
    inside 'id -u; grep ^Cap /proc/self/status'
    expect_eq "$(head -n 1 <<< "$OUT")" 1000 "uid"
    local m
    m=$(cap_mask CAP_NET_BIND_SERVICE CAP_KILL)
    expect_eq "$(_caps_of_status "$OUT")" "$m $m $m $m $m" "CapInh CapPrm CapEff CapBnd CapAmb"
}
check capabilities_ambient process_capabilities_ambient

# Without ambient capabilities a uid 1000 process has none effective (execve drops
# them), while the bounding set is still the configured one.
process_capabilities_nonroot() {
    bundle_new
    local caps='["CAP_NET_BIND_SERVICE","CAP_KILL"]'
    bundle_set --argjson c "$caps" '.process.user = {uid: 1000, gid: 1000}
        | .process.capabilities = {bounding: $c, effective: $c, permitted: $c}'
    inside 'grep ^Cap /proc/self/status'
    local m z=0000000000000000
    m=$(cap_mask CAP_NET_BIND_SERVICE CAP_KILL)
    expect_eq "$(_caps_of_status "$OUT")" "$z $z $z $m $z" "CapInh CapPrm CapEff CapBnd CapAmb"
}
check capabilities_nonroot process_capabilities_nonroot

# config.md#process terminal false: the process's stdio is the runtime's: stdin flows
# in, stdout and stderr come out separately.
process_stdio_passthrough() {
    bundle_new
    printf 'hello\nworld\n' > "$T/stdin"
    bundle_sh 'cat; echo to-stderr >&2'
    STDIN="$T/stdin" ctr_run
    expect_rc 0 "run of cat"
    expect_eq "$OUT" $'hello\nworld' "stdout of cat fed by stdin"
    expect_eq "$ERR" to-stderr "stderr"
}
check stdio_passthrough process_stdio_passthrough

# The same through a pipe, for both directions (no file, no seeking).
process_stdio_pipe() {
    bundle_new
    bundle_sh 'tr a-z A-Z'
    local out
    out=$(printf 'piped\n' | rt run --bundle "$BUNDLE" "$ID" 2> "$T/err")
    RC=$?
    expect_rc 0 "run of tr through pipes"
    expect_eq "$out" PIPED "output of tr"
}
check stdio_pipe process_stdio_pipe

# runtime-linux.md#file-descriptors: only stdin, stdout and stderr are open for the
# program, not descriptors the runtime was started with.
process_only_stdio_fds() {
    bundle_new
    # ls lists the descriptors of the shell, its parent. `; exit 0` keeps the shell from
    # exec'ing ls in its place, and there is no pipe (the shell would hold its ends).
    bundle_sh 'ls /proc/$$/fd; exit 0'
    ctr_run 5< "$CONFIG" 7> "$T/extra-fd"
    expect_rc 0 "run"
    expect_eq "$OUT" $'0\n1\n2' "open descriptors of the process"
}
check only_stdio_fds process_only_stdio_fds
