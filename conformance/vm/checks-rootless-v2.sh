# Rootless on cgroup v2 with a delegated subtree (docs/rootless.md "Cgroups", rule 1): the
# runtime run by $ROOTLESS_USER (conformance/lib/rootless.sh) from a cgroup of a subtree that
# root made and chowned to the user, as systemd's user@UID.service is delegated: the
# container's cgroup is made next to the runtime's own (runc's pure-v2 rule for a relative or
# empty cgroupsPath), the limits apply, and pause, resume, update, events and ps work as for
# root. The host (hybrid cgroups) cannot show this: the VM of conformance/vm/run runs it.

. "$CONF_DIR/vm/lib-vm.sh"
. "$CONF_DIR/lib/rootless.sh"

# _rlv2_delegate: a parent cgroup /sys/fs/cgroup/swc-rl-<mark> that offers its children memory
# and pids only, and below it the subtree $RLV2 chowned to the user (the directory,
# cgroup.procs, cgroup.threads, cgroup.subtree_control: cgroup-v2.rst "Delegation"), with
# $RLV2/shell where the runtime runs (RL_CGROUP); all removed when the check ends. The user
# may enable in $RLV2 what the parent offers, and nothing else.
_rlv2_delegate() {
    need_controller memory
    need_controller pids
    local parent="/sys/fs/cgroup/swc-rl-$MARK"
    mkdir "$parent" || fail "cannot make $parent"
    defer "rmdir '$parent' 2> /dev/null"
    echo "+memory +pids" > "$parent/cgroup.subtree_control" || fail "cannot enable memory and pids in $parent"
    RLV2="$parent/user"
    mkdir "$RLV2" || fail "cannot make $RLV2"
    defer "rmdir '$RLV2' 2> /dev/null"
    mkdir "$RLV2/shell" || fail "cannot make $RLV2/shell"
    defer "_rlv2_empty '$RLV2/shell'; rmdir '$RLV2/shell' 2> /dev/null"
    chown "$RL_UID:$RL_GID" "$RLV2" "$RLV2/cgroup.procs" "$RLV2/cgroup.threads" "$RLV2/cgroup.subtree_control" \
        "$RLV2/shell" "$RLV2/shell/cgroup.procs" "$RLV2/shell/cgroup.threads" "$RLV2/shell/cgroup.subtree_control"
    RL_CGROUP="$RLV2/shell"
}

# _rlv2_empty DIR: kills what is left in a cgroup of the check (its processes are the
# runtime's, all gone unless the check failed half-way).
_rlv2_empty() {
    local p
    for p in $(cat "$1/cgroup.procs" 2> /dev/null); do kill -KILL "$p" 2> /dev/null; done
    sleep 0.1
}

# Limits, pause/resume, update, events and ps as the user, in a cgroup it made itself below
# the delegated subtree; delete removes it.
rootless_v2_delegated() {
    _rl_setup
    _rlv2_delegate
    rl_bundle_new
    bundle_set '.linux.resources = {memory: {limit: 67108864}, pids: {limit: 42}}'
    bundle_args sleep 60
    rl_create || fail "create (rootless, delegated cgroup v2): $ERR"
    local cg="$RLV2/$ID" pid
    [ -d "$cg" ] || fail "no cgroup $cg (found: $(rl_cgroup_dirs "$ID" | head -n 1))"
    expect_eq "$(stat -c %u "$cg")" "$RL_UID" "owner of $cg"
    expect_eq "$(cat "$cg/memory.max")" 67108864 "memory.max"
    expect_eq "$(cat "$cg/pids.max")" 42 "pids.max"
    pid=$(rl_state_field pid) || fail "state"
    expect_eq "$(awk -F: '$1 == "0" { print $3 }' "/proc/$pid/cgroup")" "${cg#/sys/fs/cgroup}" "the init's cgroup"
    expect_exit 0 rl start "$ID"
    expect_exit 0 rl ps --format json "$ID"
    jq -e --argjson p "$pid" 'index($p) != null' <<< "$OUT" > /dev/null || fail "ps --format json: $pid missing from $OUT"
    expect_exit 0 rl pause "$ID"
    expect_eq "$(rl_state_field status)" paused "status after pause"
    expect_eq "$(awk '$1 == "frozen" { print $2 }' "$cg/cgroup.events")" 1 "frozen in cgroup.events"
    expect_exit 0 rl resume "$ID"
    expect_eq "$(rl_state_field status)" running "status after resume"
    expect_exit 0 rl update --pids-limit 50 "$ID"
    expect_eq "$(cat "$cg/pids.max")" 50 "pids.max after update"
    expect_exit 0 rl events --stats "$ID"
    expect_eq "$(jq -r .type <<< "$OUT")" stats "events --stats"
    expect_exit 0 rl delete --force "$ID"
    wait_for 3 test ! -d "$cg" || fail "$cg left after delete --force"
    rl_expect_nothing_left
}
check delegated rootless_v2_delegated

# A controller the delegated subtree is not offered (cpu: its parent enables memory and pids
# only) cannot take the config's limit: refused with the field, nothing left.
rootless_v2_controller_missing() {
    _rl_setup
    _rlv2_delegate
    rl_bundle_new
    bundle_set '.linux.resources = {cpu: {quota: 50000, period: 100000}}'
    bundle_args true
    expect_exit nonzero rl run --bundle "$BUNDLE" "$ID"
    expect_contains "$ERR" cpu "the error of a cpu limit the delegated subtree does not offer"
    expect_eq "$(rl_cgroup_dirs "$ID" | head -n 1)" "" "cgroup left"
    rl_expect_nothing_left
}
check controller_missing rootless_v2_controller_missing

# CVE-2023-25809 class: without a cgroup namespace of its own the container cannot mount
# cgroup2; its /sys/fs/cgroup must then show its own cgroup (as a cgroup namespace would),
# read-only as the config asks, and none of the host's cgroups.
# runc 1.1.5 FAILS this: it binds the host's whole /sys/fs/cgroup (read-only), so the
# container sees every cgroup of the host and not its own at the top.
rootless_v2_cgroup_mount_own() {
    _rl_setup
    _rlv2_delegate
    rl_bundle_new
    bundle_set '.linux.resources = {pids: {limit: 42}}'
    rl_inside 'cat /sys/fs/cgroup/pids.max; ls /sys/fs/cgroup | grep -c "^swc-rl-"; echo 1 > /sys/fs/cgroup/pids.max 2>/dev/null && echo wrote; true'
    expect_eq "$OUT" $'42\n0' "pids.max at the top of /sys/fs/cgroup, host cgroups seen, a write"
}
check cgroup_mount_own rootless_v2_cgroup_mount_own
