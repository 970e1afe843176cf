# cgroup v2: linux.resources written, read back and enforced, the device eBPF program,
# the init's cgroup, the cgroup namespace, cleanup, kill --all. config-linux.md "Control
# groups" and its resource sections; kernel Documentation/admin-guide/cgroup-v2.rst.
#
# Runtime-agnostic, on top of conformance/lib; needs a cgroup-v2-only host (the VM of
# conformance/vm/run; elsewhere the checks skip). Values are read from the host side in
# /sys/fs/cgroup/swiftlet-conformance/<id> (bundle_new's cgroupsPath) after `create`, and
# where the container's own view matters, from inside through a cgroup namespace.
#
# TODO(after the pause/resume/update/events branch is merged): add to this file
#   v2/pause_freezes     pause: cgroup.freeze 1, cgroup.events "frozen 1", state `paused`,
#                        the processes in state D/T; resume thaws (frozen 0, `running`)
#   v2/update_live       update --memory/--cpu-quota/--cpu-period/--cpu-shares/
#                        --cpuset-cpus/--pids-limit and -r resources.json change the live
#                        files (memory.max, cpu.max, cpu.weight, cpuset.cpus, pids.max)
#   v2/events_stats      events --stats reports memory and pids of the cgroup
#   v2/events_oom        events reports the OOM kill counted in memory.events
# They are not tested here yet because those commands are being written on another branch.

. "$CONF_DIR/vm/lib-vm.sh"

# v2_created: create the current bundle (the init waits in the created state inside its
# cgroup, nothing of the user's process has run), failing the check if create fails.
v2_created() {
    ctr_create || fail "create failed: $(head -c 300 "$T/$ID.err")"
    [ -d "$(cg_dir)" ] || fail "no cgroup $(cg_dir) after create"
}

# v2_cgroupns: gives the bundle a cgroup namespace, so /sys/fs/cgroup inside (the base
# config mounts it) is the container's own cgroup.
v2_cgroupns() {
    bundle_ns_add cgroup
}

# v2_block_device: MAJOR:MINOR of a block device of the guest (null_blk, which batch.sh
# loads; else any disk); status 1 if there is none.
v2_block_device() {
    local d
    for d in /sys/block/nullb0 /sys/block/*; do
        [ -r "$d/dev" ] && { cat "$d/dev"; return 0; }
    done
    return 1
}

# --- Resource values: written by create, read back from the host and from inside.
#
# One container carries every resource (each container costs seconds in the emulated VM);
# each file is compared on its own, so a failure names it. config-linux.md:
#   memory: limit -> memory.max, reservation -> memory.low, swap (the v1 memory+swap
#     total) -> memory.swap.max = swap - limit, as runc converts it
#   cpu: shares -> cpu.weight with runc's conversion 1 + (shares - 2) * 9999 / 262142
#     (1024 -> 39), quota and period -> cpu.max "QUOTA PERIOD", cpus/mems -> cpuset.cpus
#     and cpuset.mems (and the process may run on that CPU only)
#   pids: limit -> pids.max
#   hugepageLimits: pageSize "2MB", limit -> hugetlb.2MB.max
#   blockIO: throttle*Device -> one io.max line per device; weight -> io.bfq.weight when
#     BFQ is there, else io.weight with runc's conversion 1 + (weight - 10) * 9999 / 990
#     (500 -> 4950)
#   unified: each key/value written to the file of that name
# Inside, with a cgroup namespace, /sys/fs/cgroup is the container's cgroup and shows the
# same limits.
v2_resource_values() {
    need_controller memory
    need_controller cpu
    need_controller cpuset
    need_controller pids
    need_controller hugetlb
    need_controller io
    local dev maj min cpu
    dev=$(v2_block_device) || lacking "no block device in /sys/block (modprobe null_blk)"
    maj=${dev%:*} min=${dev#*:}
    cpu=$(($(nproc) - 1))
    bundle_new
    v2_cgroupns
    bundle_set --argjson M "$maj" --argjson m "$min" --arg c "$cpu" '.linux.resources += {
        memory: {limit: 67108864, reservation: 33554432, swap: 134217728},
        cpu: {shares: 1024, quota: 50000, period: 100000, cpus: $c, mems: "0"},
        pids: {limit: 42},
        hugepageLimits: [{pageSize: "2MB", limit: 4194304}],
        blockIO: {weight: 500,
            throttleReadBpsDevice: [{major: $M, minor: $m, rate: 1048576}],
            throttleWriteIOPSDevice: [{major: $M, minor: $m, rate: 100}]},
        unified: {"memory.high": "50331648", "memory.oom.group": "1"}}
        | .process.args = ["sh", "-c", "cd /sys/fs/cgroup && cat memory.max memory.low pids.max cpu.max cpu.weight cpuset.cpus && grep Cpus_allowed_list /proc/self/status"]'
    ctr_create || fail "create failed: $(head -c 300 "$T/$ID.err")"
    [ -d "$(cg_dir)" ] || fail "no cgroup $(cg_dir) after create"
    expect_cg memory.max 67108864
    expect_cg memory.low 33554432
    [ -e "$(cg_dir)/memory.swap.max" ] || lacking "no memory.swap.max (swap accounting off)"
    expect_cg memory.swap.max 67108864
    expect_cg cpu.weight $((1 + (1024 - 2) * 9999 / 262142))
    expect_cg cpu.max "50000 100000"
    expect_cg cpuset.cpus "$cpu"
    expect_cg cpuset.mems 0
    expect_cg cpuset.cpus.effective "$cpu"
    expect_cg pids.max 42
    expect_cg hugetlb.2MB.max 4194304
    # hugetlb.<size>.rsvd.max (5.7+) is runc 1.2's addition, not the spec's: logged only.
    echo "# hugetlb.2MB.rsvd.max: $(cg_read hugetlb.2MB.rsvd.max || echo absent)"
    expect_cg io.max "$dev rbps=1048576 wbps=max riops=max wiops=100"
    if [ -e "$(cg_dir)/io.bfq.weight" ]; then
        expect_cg io.bfq.weight "default 500"
    elif [ -e "$(cg_dir)/io.weight" ]; then
        expect_cg io.weight "default $((1 + (500 - 10) * 9999 / 990))"
    else
        lacking "neither io.bfq.weight nor io.weight in the cgroup (no BFQ, no iocost)"
    fi
    expect_cg memory.high 50331648
    expect_cg memory.oom.group 1
    ctr_start || fail "start failed: $ERR"
    wait_status "$ID" stopped 60 || fail "the container did not stop"
    expect_eq "$(tr -s '\t ' ' ' < "$T/$ID.out")" "67108864
33554432
42
50000 100000
39
$cpu
Cpus_allowed_list: $cpu" "memory.max memory.low pids.max cpu.max cpu.weight cpuset.cpus inside, and the CPU affinity"
}
check resource_values v2_resource_values

# --- Limits enforced.

# memory.max: a 200 MB allocation (busybox dd's 200M buffer, filled from /dev/zero) in a
# 64 MB cgroup without swap is OOM-killed, and memory.events counts the kill (oom_kill).
v2_memory_oom() {
    need_controller memory
    bundle_new
    bundle_set '.linux.resources.memory = {limit: 67108864, swap: 67108864}'
    bundle_sh 'dd if=/dev/zero of=/dev/null bs=200M count=1 2>/dev/null; echo "dd status $?"'
    v2_created
    ctr_start || fail "start failed: $ERR"
    wait_status "$ID" stopped 120 || fail "the container did not stop"
    expect_eq "$(cat "$T/$ID.out")" "dd status 137" "the 200 MB dd under a 64 MB limit (137 = SIGKILL)"
    local kills
    kills=$(cg_key memory.events oom_kill)
    [ -n "$kills" ] && [ "$kills" -ge 1 ] || fail "memory.events oom_kill: expected >= 1, got '$kills' ($(cg_read memory.events | tr '\n' ' '))"
    [ "$(cg_key memory.events oom)" -ge 1 ] || fail "memory.events oom: expected >= 1"
}
check memory_oom v2_memory_oom

# pids.max: a fork loop stops at the limit (busybox sh exits on "can't fork"), and
# pids.events counts the refused forks (max).
v2_pids_fork_loop() {
    need_controller pids
    bundle_new
    bundle_set '.linux.resources.pids = {limit: 8}'
    bundle_sh 'n=0; while [ $n -lt 40 ]; do sleep 60 & n=$((n + 1)); echo $n; done'
    v2_created
    ctr_start || fail "start failed: $ERR"
    wait_status "$ID" stopped 60 || fail "the fork loop did not end"
    local last refused
    last=$(tail -n 1 "$T/$ID.out")
    [ -n "$last" ] && [ "$last" -lt 8 ] || fail "processes started under pids.max 8: expected fewer than 8, got '$last'"
    expect_contains "$(cat "$T/$ID.err")" "can't fork" "the shell's error"
    refused=$(cg_key pids.events max)
    [ -n "$refused" ] && [ "$refused" -ge 1 ] || fail "pids.events max: expected >= 1, got '$refused'"
}
check pids_fork_loop v2_pids_fork_loop

# --- Devices: on v2 the device controller is a BPF_CGROUP_DEVICE program.

# config-linux.md#allowed-device-list with the base config's deny-all: a device outside the
# defaults (/dev/kmsg, 1:11, opened write-only, which needs no other privilege) cannot be
# opened, and the BPF_CGROUP_DEVICE program that refuses it is in effect for the cgroup.
# mknod is another matter: runc appends its default rules ("c *:* m", "b *:* m") after the
# config's, so mknod of any node is allowed and only using it is refused; checked as such.
# The nodes are made inside with mknod, not listed in linux.devices: swiftlet adds an
# allow rule for every linux.devices node (runc does not), which is not what this tests.
v2_devices_deny() {
    need_cgroup_v2
    bundle_new
    bundle_add_caps CAP_MKNOD
    bundle_sh 'mknod /dev/swc-made c 1 11 && echo mknod-ok
        (exec 3> /dev/swc-made) && echo open-ok
        echo end'
    v2_created
    local n
    n=$(python3 "$CONF_DIR/vm/bpf_prog_query.py" "$(cg_dir)") || fail "BPF_PROG_QUERY on $(cg_dir) failed"
    [ "$n" -ge 1 ] || fail "no BPF_CGROUP_DEVICE program in effect for $(cg_dir)"
    ctr_start || fail "start failed: $ERR"
    wait_status "$ID" stopped 30 || fail "the container did not stop"
    expect_eq "$(cat "$T/$ID.out")" $'mknod-ok\nend' "a denied device: mknod allowed (runc's c *:* m), open refused"
    expect_contains "$(cat "$T/$ID.err")" "Operation not permitted" "the error opening the denied device"
}
check devices_deny v2_devices_deny

# Allow rules after the deny-all permit devices: "c 1:11 rw" (kmsg: mknod and open); on two
# null_blk disks (none is in the default list) "b M:* r" with the minor omitted allows
# reading both, but not writing; "b M:1 w" allowed and then denied is denied (the last
# matching rule decides). A default device (/dev/null) still works. (runc 1.1 cannot
# express a deny inside an earlier wildcard allow, "cannot punch hole in existing wildcard
# rule", so the order is checked on an exact rule.)
v2_devices_allow() {
    need_cgroup_v2
    local maj
    [ -r /sys/block/nullb1/dev ] || lacking "no /sys/block/nullb1 (modprobe null_blk nr_devices=2)"
    maj=$(cut -d: -f1 /sys/block/nullb1/dev)
    bundle_new
    bundle_add_caps CAP_MKNOD
    bundle_set --argjson M "$maj" '.linux.resources.devices += [{allow: true, type: "c", major: 1, minor: 11, access: "rw"},
            {allow: true, type: "b", major: $M, access: "r"},
            {allow: true, type: "b", major: $M, minor: 1, access: "w"},
            {allow: false, type: "b", major: $M, minor: 1, access: "w"}]'
    bundle_sh "mknod /dev/swc-kmsg c 1 11 && mknod /dev/swc-nb0 b $maj 0 && mknod /dev/swc-nb1 b $maj 1 && echo mknod-ok
        (exec 3> /dev/swc-kmsg) && echo kmsg-ok
        (exec 3< /dev/null) && echo null-ok
        (exec 3< /dev/swc-nb0) && echo nb0-read-ok
        (exec 3> /dev/swc-nb0) && echo nb0-write-ok
        (exec 3< /dev/swc-nb1) && echo nb1-read-ok
        (exec 3> /dev/swc-nb1) && echo nb1-write-ok
        echo end"
    ctr_run
    expect_eq "$OUT" "mknod-ok
kmsg-ok
null-ok
nb0-read-ok
nb1-read-ok
end" "allowed c 1:11 rw, b $maj:* r, b $maj:1 w then denied"
}
check devices_allow v2_devices_allow

# --- The init's cgroup, the cgroup namespace.

# config-linux.md#control-groups: the container's processes are in cgroupsPath from the
# start: after create (the init waiting, nothing else run yet) cgroup.procs of the cgroup
# holds the init, and the init's /proc/PID/cgroup names the cgroup. On v2 a runtime can
# clone the init straight into it (clone3 CLONE_INTO_CGROUP); either way nothing of the
# container may run elsewhere.
v2_init_in_cgroup() {
    need_cgroup_v2
    bundle_new
    bundle_sh 'cat /proc/1/cgroup /proc/self/cgroup'
    v2_created
    local pid procs p
    pid=$(state_field pid) || fail "state failed"
    procs=$(cg_read cgroup.procs)
    expect_contains " $(tr '\n' ' ' <<< "$procs")" " $pid " "cgroup.procs after create (init pid $pid)"
    expect_eq "$(cat "/proc/$pid/cgroup")" "0::/swiftlet-conformance/$ID" "the init's /proc/$pid/cgroup"
    for p in $procs; do
        echo "# in the cgroup after create: $p $(tr '\0' ' ' < "/proc/$p/cmdline" 2> /dev/null)"
        expect_eq "$(cat "/proc/$p/cgroup" 2> /dev/null)" "0::/swiftlet-conformance/$ID" "/proc/$p/cgroup"
    done
    ctr_start || fail "start failed: $ERR"
    wait_status "$ID" stopped 30 || fail "the container did not stop"
    expect_eq "$(cat "$T/$ID.out")" "0::/swiftlet-conformance/$ID
0::/swiftlet-conformance/$ID" "/proc/1/cgroup and /proc/self/cgroup inside, without a cgroup namespace"
}
check init_in_cgroup v2_init_in_cgroup

# config-linux.md#namespaces (cgroup): with a cgroup namespace the container's cgroup is
# its root: /proc/self/cgroup is 0::/, the cgroup mount's root is / and it shows the
# container's own cgroup, whose cgroup.procs lists the container's processes only (read
# with the shell's builtins, so that no short-lived reader is in the list).
v2_cgroupns_root() {
    need_cgroup_v2
    bundle_new
    v2_cgroupns
    inside 'cat /proc/1/cgroup /proc/self/cgroup
        echo "$(grep " /sys/fs/cgroup " /proc/self/mountinfo | cut -d" " -f4) $(stat -f -c %t /sys/fs/cgroup)"
        while read p; do [ "$p" = 0 ] && echo "a process outside the pid namespace"; done < /sys/fs/cgroup/cgroup.procs
        echo procs-read'
    expect_eq "$OUT" $'0::/\n0::/\n/ 63677270\nprocs-read' "cgroup namespace view (cgroup.procs shows 0 for a process of the cgroup outside the container's pid namespace)"
}
check cgroupns_root v2_cgroupns_root

# --- Cleanup and kill --all.

# runtime.md#delete: delete --force of a running container with several processes removes
# its cgroup before it returns (its processes may still be exiting). (Every check's
# teardown also fails it if a cgroup of its containers is left after delete.)
v2_cgroup_removed() {
    need_cgroup_v2
    bundle_new
    bundle_set '.linux.resources.memory = {limit: 67108864} | .linux.resources.pids = {limit: 50}'
    bundle_sh 'sleep 300 & sleep 300 & wait'
    v2_created
    ctr_start || fail "start failed: $ERR"
    wait_for 30 _v2_procs_at_least 3 || fail "the container's processes did not start: $(cg_read cgroup.procs | tr '\n' ' ')"
    expect_exit 0 rt delete --force "$ID"
    [ ! -d "$(cg_dir)" ] || fail "$(cg_dir) still exists after delete --force returned"
    local left
    left=$(find /sys/fs/cgroup -type d -name "$ID" | tr '\n' ' ')
    expect_eq "$left" "" "cgroups named $ID anywhere under /sys/fs/cgroup"
}
check cgroup_removed v2_cgroup_removed

_v2_procs_at_least() {
    [ "$(cg_read cgroup.procs | grep -c .)" -ge "$1" ]
}

# runc's kill --all: the signal goes to every process of the container's cgroup, not only
# the init: after `kill --all ID KILL` the cgroup is empty, every process that was in it
# is gone (a grandchild included), and the container is stopped.
v2_kill_all() {
    need_cgroup_v2
    bundle_new
    bundle_sh 'sleep 300 & sleep 300 & (sleep 300 & wait) & wait'
    v2_created
    ctr_start || fail "start failed: $ERR"
    wait_for 30 _v2_procs_at_least 5 || fail "the container's processes did not start: $(cg_read cgroup.procs | tr '\n' ' ')"
    local before p
    before=$(cg_read cgroup.procs)
    expect_exit 0 rt kill --all "$ID" KILL
    wait_status "$ID" stopped 30 || fail "not stopped after kill --all KILL"
    wait_for 10 _v2_cgroup_empty || fail "processes left in the cgroup: $(cg_read cgroup.procs | tr '\n' ' ')"
    for p in $before; do
        wait_for 5 _pid_gone "$p" || fail "process $p of the container survived kill --all"
    done
}
check kill_all v2_kill_all

_v2_cgroup_empty() {
    [ ! -d "$(cg_dir)" ] || [ -z "$(cg_read cgroup.procs)" ]
}
