# checkpoint/restore with CRIU (runc CLI runc-checkpoint(8), runc-restore(8); not runtime-spec),
# in the VM, whose Debian 6.1 kernel the installed criu 3.17 supports (the build hosts' newer
# kernel fails `criu check`: conformance/checks/checkpoint.sh covers that refusal).
# docs/checkpoint.md.
#
# Two checks, because every dump and restore costs 10-40 s emulated and a check may take no
# more than CHECK_TIMEOUT (240 s). Each container is a counter appending to a file on a bind
# mount every 0.2 s, its stdio the runner's /dev/null, and carries what makes a swiftlet
# container hard for CRIU: swiftlet-init as PID 1 from a sealed memfd, masked paths (null
# device binds: external mounts), read-only paths, a read-only root, a bind mount, a seccomp
# filter, cgroup v2.

. "$CONF_DIR/vm/lib-vm.sh"

# need_criu: a criu binary whose `criu check` passes on this kernel, else lacking.
need_criu() {
    command -v criu > /dev/null || lacking "no criu binary (Debian package criu)"
    local out
    out=$(criu check 2>&1) || lacking "criu check fails on $(uname -r): $(grep -m1 'Error (' <<< "$out")"
}

# criu_counter NAME: bundle NAME counting into $T/NAME.out/count, with a seccomp filter (one
# syscall refused) so that the filter's survival can be seen in /proc/PID/status. Without
# process.noNewPrivileges where CRIU cannot restore it (before 3.19): swiftlet refuses to
# restore such a config (conformance/checks/checkpoint.sh restore_nnp_refused).
criu_counter() {
    bundle_new "$1"
    criu_restores_nnp || bundle_set '.process.noNewPrivileges = false'
    mkdir -p "$T/$1.out"
    bundle_mount /out bind "$T/$1.out" rbind rw
    bundle_set '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_X86_64"],
        syscalls: [{names: ["sethostname"], action: "SCMP_ACT_ERRNO"}]}'
    bundle_sh 'i=0; while :; do i=$((i+1)); echo $i >> /out/count; sleep 0.2; done'
}

# criu_started NAME: create (stdio on /dev/null, as a detached engine run) and start NAME.
criu_started() {
    rt create --bundle "$BUNDLE" "$ID" < /dev/null > /dev/null 2>&1 || fail "create failed"
    ctr_start || fail "start failed: $ERR"
    wait_for 20 test -s "$T/$1.out/count" || fail "the counter never wrote"
}

# last_count NAME: the last number in NAME's count file.
last_count() {
    tail -n 1 "$T/$1.out/count" 2> /dev/null
}

# count_after NAME N: the number that follows N in NAME's count file (lines are appended).
count_after() {
    awk -v n="$2" 'prev == n { print $1; exit } { prev = $1 }' "$T/$1.out/count"
}

_count_past() {
    [ "$(last_count "$1")" -gt "$2" ] 2> /dev/null
}

# confinement [ID]: what the kernel says confines each process of the container's cgroup
# (bounding set, seccomp mode and filter count; no_new_privs too where CRIU restores it), one
# line per distinct value. Restore must bring back exactly what the dump saw (swiftlet-init:
# CapBnd 0 and the container's filter; docs/security.md "PID 1 keeps no more than the
# container"). no_new_privs is left out with CRIU before 3.19, which neither dumps nor
# restores it: every restored process runs without it, runc's as well as swiftlet's (swiftlet
# warns; docs/checkpoint.md "Confinement").
confinement() {
    local pid keys='CapBnd|Seccomp|Seccomp_filters'
    criu_restores_nnp && keys+='|NoNewPrivs'
    while read -r pid; do
        awk -v k="^($keys):\$" '$1 ~ k { printf "%s%s ", $1, $2 } END { print "" }' "/proc/$pid/status" 2> /dev/null
    done < "$(cg_dir "${1:-}")/cgroup.procs" | grep . | sort -u
}

# criu_restores_nnp: CRIU 3.19 or later (no_new_privs dumped and restored).
criu_restores_nnp() {
    local v
    v=$(criu --version 2> /dev/null | awk '/^Version:/ { print $2 }')
    [ "$(printf '%s\n3.19\n' "$v" | sort -V | head -n 1)" = 3.19 ]
}

# kill_and_delete ID: the lifecycle commands on a restored container: state says running,
# kill KILL stops it, delete (without --force) removes it and its cgroup.
kill_and_delete() {
    expect_eq "$(state_field status "$1")" running "status of $1"
    expect_exit 0 rt kill "$1" KILL
    wait_status "$1" stopped 20 || fail "$1 not stopped after kill KILL"
    expect_exit 0 rt delete "$1"
    expect_exit nonzero rt state "$1"
    [ ! -d "$(cg_dir "$1")" ] || fail "cgroup $(cg_dir "$1") left after delete"
}

# A plain checkpoint dumps, kills and deletes the container; restore under the same id
# brings it back: the count goes on from where the dump stopped it, the init is in the
# container's cgroup and as confined as before, and state, kill and delete work on it.
criu_dump_restore() {
    need_criu
    criu_counter c
    criu_started c
    local before c2 after
    before=$(confinement)
    [ -n "$before" ] || fail "cannot read the container's processes' status"
    expect_exit 0 rt checkpoint --image-path "$T/img" --work-path "$T/w1" "$ID"
    expect_exit nonzero rt state "$ID"
    c2=$(last_count c)
    sleep 1
    expect_eq "$(last_count c)" "$c2" "the count a second after the checkpoint"
    [ ! -d "$(cg_dir)" ] || fail "cgroup $(cg_dir) left after the checkpoint"

    expect_exit 0 rt restore --detach --image-path "$T/img" --work-path "$T/w2" --bundle "$BUNDLE" "$ID"
    expect_eq "$(state_field status)" running "status after restore"
    wait_for 20 _count_past c "$c2" || fail "no count after restore (last $c2)"
    after=$(count_after c "$c2")
    expect_eq "$after" "$((c2 + 1))" "the first count after restore (dumped at $c2)"
    [ -d "$(cg_dir)" ] || fail "no cgroup $(cg_dir) after restore"
    grep -qx "$(state_field pid)" "$(cg_dir)/cgroup.procs" || fail "the restored init is not in $(cg_dir)"
    expect_eq "$(confinement)" "$before" "confinement of the restored processes"
    kill_and_delete "$ID"
}
check dump_restore criu_dump_restore

# checkpoint --leave-running writes the images and the container goes on counting; the
# images restored as a new container from a second bundle (its own id, count file and
# cgroup) count on from the dump, beside the original.
# runc 1.1.5 FAILS this: its restore puts the init back into the dumped container's cgroup
# path (re-creating .../<old id>) instead of the new bundle's cgroupsPath, so the new
# container's init is not in its own cgroup.
criu_leave_running_new_id() {
    need_criu
    criu_counter c
    criu_started c
    local first=$ID before c0 c1 n1
    before=$(confinement)
    c0=$(last_count c)
    expect_exit 0 rt checkpoint --leave-running --image-path "$T/img" --work-path "$T/w1" "$ID"
    c1=$(last_count c)
    expect_eq "$(state_field status)" running "status after checkpoint --leave-running"
    wait_for 10 _count_past c "$c1" || fail "the counter stopped after checkpoint --leave-running (at $c1)"

    criu_counter n
    expect_exit 0 rt restore --detach --image-path "$T/img" --work-path "$T/w2" --bundle "$BUNDLE" "$ID"
    wait_for 20 test -s "$T/n.out/count" || fail "no count in the new container"
    # Dumped somewhere between c0 and c1 (the process went on while the runtime returned).
    n1=$(head -n 1 "$T/n.out/count")
    [ "$n1" -gt "$c0" ] && [ "$n1" -le "$((c1 + 1))" ] ||
        fail "the new container's first count is $n1, not in $((c0 + 1))..$((c1 + 1)) (dumped between $c0 and $c1)"
    grep -qx "$(state_field pid)" "$(cg_dir)/cgroup.procs" || fail "the new container's init is not in $(cg_dir)"
    expect_eq "$(confinement)" "$before" "confinement of the restored processes"
    wait_for 10 _count_past c "$(last_count c)" || fail "the original stopped counting beside the restored one"
    kill_and_delete "$ID"
    kill_and_delete "$first"
}
check leave_running_new_id criu_leave_running_new_id
