# cgroup v2: linux.resources written, read back and enforced, the device eBPF program,
# the init's cgroup, the cgroup namespace, cleanup, kill --all. config-linux.md "Control
# groups" and its resource sections; kernel Documentation/admin-guide/cgroup-v2.rst.
#
# Runtime-agnostic, on top of conformance/lib; needs a cgroup-v2-only host (the VM of
# conformance/vm/run; elsewhere the checks skip). Values are read from the host side in
# /sys/fs/cgroup/swiftlet-conformance/<id> (bundle_new's cgroupsPath) after `create`, and
# where the container's own view matters, from inside through a cgroup namespace.
#
# The lifecycle commands on v2 (pause/resume, update, events) are checked here too, on top
# of the host's mode-aware conformance/checks/cgroups.sh: running that whole section in the
# VM was measured at 169 s for swiftlet (28 checks) and more for runc, against ~30 s for the
# four checks below, which cover what only a v2 host can show.

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
#
# What a host may lack without being broken (swap accounting, the 2 MB page size, an io
# weight: no BFQ and no iocost) is probed first and left out of the config (swiftlet refuses a
# value it cannot apply); everything else is checked, and then the check is `lacking` (a
# skip on a host, a failure in the VM, whose guest has them all).
v2_resource_values() {
    need_controller memory
    need_controller cpu
    need_controller cpuset
    need_controller pids
    need_controller hugetlb
    need_controller io
    local dev maj min cpu mem swap=true huge=true weight=true missing=''
    dev=$(v2_block_device) || lacking "no block device in /sys/block (modprobe null_blk)"
    maj=${dev%:*} min=${dev#*:}
    cpu=$(host_cpus | tail -n 1)
    mem=$(host_mems | tail -n 1)
    host_swap_accounting || { swap=false; missing+="${missing:+; }$HOST_LACKS"; }
    host_hugepage_size 2048 || { huge=false; missing+="${missing:+; }$HOST_LACKS"; }
    host_v2_io_weight_files > /dev/null || { weight=false; missing+="${missing:+; }$HOST_LACKS"; }
    bundle_new
    v2_cgroupns
    bundle_set --argjson M "$maj" --argjson m "$min" --arg c "$cpu" --arg n "$mem" '.linux.resources += {
        memory: {limit: 67108864, reservation: 33554432, swap: 134217728},
        cpu: {shares: 1024, quota: 50000, period: 100000, cpus: $c, mems: $n},
        pids: {limit: 42},
        hugepageLimits: [{pageSize: "2MB", limit: 4194304}],
        blockIO: {weight: 500,
            throttleReadBpsDevice: [{major: $M, minor: $m, rate: 1048576}],
            throttleWriteIOPSDevice: [{major: $M, minor: $m, rate: 100}]},
        unified: {"memory.high": "50331648", "memory.oom.group": "1"}}
        | .process.args = ["sh", "-c", "cd /sys/fs/cgroup && cat memory.max memory.low pids.max cpu.max cpu.weight cpuset.cpus && grep Cpus_allowed_list /proc/self/status"]'
    "$swap" || bundle_set 'del(.linux.resources.memory.swap)'
    "$huge" || bundle_set 'del(.linux.resources.hugepageLimits)'
    "$weight" || bundle_set 'del(.linux.resources.blockIO.weight)'
    ctr_create || fail "create failed: $(head -c 300 "$T/$ID.err")"
    [ -d "$(cg_dir)" ] || fail "no cgroup $(cg_dir) after create"
    expect_cg memory.max 67108864
    expect_cg memory.low 33554432
    if "$swap"; then
        [ -e "$(cg_dir)/memory.swap.max" ] || fail "the host accounts swap, but the cgroup has no memory.swap.max"
        expect_cg memory.swap.max 67108864
    fi
    expect_cg cpu.weight $((1 + (1024 - 2) * 9999 / 262142))
    expect_cg cpu.max "50000 100000"
    expect_cg cpuset.cpus "$cpu"
    expect_cg cpuset.mems "$mem"
    expect_cg cpuset.cpus.effective "$cpu"
    expect_cg pids.max 42
    if "$huge"; then
        expect_cg hugetlb.2MB.max 4194304
        # hugetlb.<size>.rsvd.max (5.7+) is runc 1.2's addition, not the spec's: logged only.
        echo "# hugetlb.2MB.rsvd.max: $(cg_read hugetlb.2MB.rsvd.max || echo absent)"
    fi
    expect_cg io.max "$dev rbps=1048576 wbps=max riops=max wiops=100"
    if ! "$weight"; then
        :
    elif [ -e "$(cg_dir)/io.bfq.weight" ]; then
        expect_cg io.bfq.weight "default 500"
    elif [ -e "$(cg_dir)/io.weight" ]; then
        expect_cg io.weight "default $((1 + (500 - 10) * 9999 / 990))"
    else
        fail "the host offers $(host_v2_io_weight_files | tr '\n' ' ')but the cgroup has neither io.bfq.weight nor io.weight"
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
    [ -z "$missing" ] || lacking "$missing; the other resources were checked"
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
    host_char_device /dev/kmsg 1:11 || lacking "$HOST_LACKS"
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
    host_char_device /dev/kmsg 1:11 || lacking "$HOST_LACKS"
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
# with the shell's builtins, so that no short-lived reader is in the list). The mount has
# the base config's options (ro, nosuid, nodev, noexec, relatime, per mount), so no cgroup
# can be made in it: the v2 side of the host's mounts/cgroup_readonly.
v2_cgroupns_root() {
    need_cgroup_v2
    bundle_new
    v2_cgroupns
    inside 'cat /proc/1/cgroup /proc/self/cgroup
        echo "$(grep " /sys/fs/cgroup " /proc/self/mountinfo | cut -d" " -f4,6) $(stat -f -c %t /sys/fs/cgroup)"
        while read p; do [ "$p" = 0 ] && echo "a process outside the pid namespace"; done < /sys/fs/cgroup/cgroup.procs
        mkdir /sys/fs/cgroup/conformance-x 2> /dev/null && echo "made a cgroup" && rmdir /sys/fs/cgroup/conformance-x
        echo procs-read'
    expect_eq "$OUT" $'0::/\n0::/\n/ ro,nosuid,nodev,noexec,relatime 63677270\nprocs-read' "cgroup namespace view (cgroup.procs shows 0 for a process of the cgroup outside the container's pid namespace; the mount's options; no mkdir)"
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

# --- The lifecycle commands on v2: pause/resume, update, events (runc CLI).

# _v2_output_lines: lines the container has printed so far.
_v2_output_lines() {
    wc -l < "$T/$ID.out"
}

# _v2_states: "PID:STATE:WCHAN" of every process of the cgroup (/proc/PID/stat field 3,
# /proc/PID/wchan).
_v2_states() {
    local p st
    for p in $(cg_read cgroup.procs); do
        st=$(awk '{ print $3 }' "/proc/$p/stat" 2> /dev/null) || continue
        printf '%s:%s:%s ' "$p" "$st" "$(cat "/proc/$p/wchan" 2> /dev/null)"
    done
}

# _v2_all_frozen: every process of the cgroup is parked by the freezer: D or T (the v1
# freezer's states), or as the v2 freezer leaves a task (measured on the VM's 6.1 kernel, a
# busy loop included): S, in the freezer trap of the signal path (wchan get_signal).
_v2_all_frozen() {
    local s st
    for s in $(_v2_states); do
        st=${s#*:}
        case $st in D:* | T:* | t:* | S:get_signal) ;; *) return 1 ;; esac
    done
}

# _v2_none_frozen: no process of the cgroup is in the freezer trap any more.
_v2_none_frozen() {
    [[ " $(_v2_states)" != *:get_signal\ * ]]
}

# pause (runc CLI): cgroup.freeze 1, and pause returns only once the kernel reports the
# cgroup frozen (cgroup.events "frozen 1"); the state is `paused`; nothing of the container
# runs (its output stops; each process waits in the kernel: the v2 freezer parks tasks in
# an interruptible sleep, S, in the trap of the signal path, wchan get_signal, where v1's
# refrigerator shows D). resume thaws: cgroup.freeze 0, "frozen 0", `running`, no process
# left in the trap, the output goes on.
v2_pause_freezes() {
    need_cgroup_v2
    bundle_new
    bundle_sh 'sleep 300 & i=0; while true; do i=$((i + 1)); echo $i; sleep 0.1; done'
    v2_created
    ctr_start || fail "start failed: $ERR"
    wait_for 30 test -s "$T/$ID.out" || fail "no output from the container"
    wait_for 10 _v2_procs_at_least 2 || fail "the container's processes did not start: $(cg_read cgroup.procs | tr '\n' ' ')"
    expect_exit 0 rt pause "$ID"
    expect_cg cgroup.freeze 1
    expect_eq "$(cg_key cgroup.events frozen)" 1 "cgroup.events frozen when pause returned"
    expect_eq "$(state_field status)" paused "state after pause"
    local states before after
    states=$(_v2_states)
    echo "# paused (pid:state:wchan): $states"
    _v2_all_frozen || fail "a process of the paused container is not parked by the freezer (pid:state:wchan): $states"
    before=$(_v2_output_lines)
    sleep 2
    after=$(_v2_output_lines)
    expect_eq "$after" "$before" "lines printed while paused"
    expect_exit 0 rt resume "$ID"
    expect_cg cgroup.freeze 0
    expect_eq "$(cg_key cgroup.events frozen)" 0 "cgroup.events frozen after resume"
    expect_eq "$(state_field status)" running "state after resume"
    wait_for 10 _v2_none_frozen || fail "processes still in the freezer trap after resume (pid:state:wchan): $(_v2_states)"
    wait_until 20 '[ "$(_v2_output_lines)" -gt "$after" ]' || fail "no output after resume"
}
check pause_freezes v2_pause_freezes

# _v2_cpus_allowed CPUS: every process of the cgroup may run on CPUS only (Cpus_allowed_list).
_v2_cpus_allowed() {
    local p
    for p in $(cg_read cgroup.procs); do
        [ "$(awk '$1 == "Cpus_allowed_list:" { print $2 }' "/proc/$p/status" 2> /dev/null)" = "$1" ] || return 1
    done
}

# update (runc CLI) on a running container: each flag (--memory, --cpu-quota, --cpu-period,
# --cpu-share, --cpuset-cpus, --pids-limit) changes its live file (memory.max,
# cpu.max from quota and period, cpu.weight from shares with runc's conversion, cpuset.cpus
# and the processes' affinity, pids.max); then `-r FILE` with a LinuxResources object does
# the same, leaving what it does not name (cpu.max) as it was; -1 means unlimited, and an
# unlimited quota keeps the period in force (cpu.max "max 200000").
# runc 1.1.5 FAILS the last line with "max 100000": its update records the period of `-r`
# (absent, so 0) over the one set before, and its v2 cpu.max writer puts the kernel's
# default period (100000) in place of a 0 period.
v2_update_live() {
    need_controller memory
    need_controller cpu
    need_controller cpuset
    need_controller pids
    local cpus first cpu
    cpus=$(host_cpus)
    first=$(head -n 1 <<< "$cpus")
    cpu=$(tail -n 1 <<< "$cpus")
    [ "$cpu" != "$first" ] || lacking "one CPU only ($cpu): cpuset.cpus cannot change"
    bundle_new
    bundle_set --arg c "$first" '.linux.resources += {memory: {limit: 67108864},
        cpu: {shares: 1024, quota: 50000, period: 100000, cpus: $c}, pids: {limit: 20}}'
    bundle_sh 'sleep 300 & exec sleep 301'
    v2_created
    ctr_start || fail "start failed: $ERR"
    wait_for 10 _v2_procs_at_least 2 || fail "the container's processes did not start: $(cg_read cgroup.procs | tr '\n' ' ')"
    expect_cg cpuset.cpus "$first"
    # --cpu-share: runc's spelling (runc 1.1 has no --cpu-shares; swiftlet takes both).
    expect_exit 0 rt update --memory 128m --cpu-quota 20000 --cpu-period 200000 --cpu-share 512 \
        --cpuset-cpus "$cpu" --pids-limit 30 "$ID"
    expect_cg memory.max 134217728
    expect_cg cpu.max "20000 200000"
    expect_cg cpu.weight $((1 + (512 - 2) * 9999 / 262142))
    expect_cg cpuset.cpus "$cpu"
    expect_cg pids.max 30
    wait_for 5 _v2_cpus_allowed "$cpu" || fail "Cpus_allowed_list of the processes is not $cpu after update --cpuset-cpus"
    jq -nc --arg c "$first" '{memory: {limit: 100663296}, cpu: {shares: 2048, cpus: $c}, pids: {limit: 40}}' > "$T/resources.json"
    expect_exit 0 rt update -r "$T/resources.json" "$ID"
    expect_cg memory.max 100663296
    expect_cg cpu.weight $((1 + (2048 - 2) * 9999 / 262142))
    expect_cg cpuset.cpus "$first"
    expect_cg pids.max 40
    # -r names no quota or period: cpu.max keeps the values of the update before.
    expect_cg cpu.max "20000 200000"
    wait_for 5 _v2_cpus_allowed "$first" || fail "Cpus_allowed_list of the processes is not $first after update -r"
    expect_exit 0 rt update --memory -1 --pids-limit -1 --cpu-quota -1 "$ID"
    expect_cg memory.max max
    expect_cg pids.max max
    expect_cg cpu.max "max 200000"
}
check update_live v2_update_live

# events --stats (runc CLI): one JSON object {"type": "stats", "id": ID, "data": ...} whose
# memory and pids are the cgroup's: data.memory.usage.limit = memory.max, usage > 0,
# data.pids.current = pids.current (two sleeps and the init, steady), data.pids.limit =
# pids.max, and the cpu usage counters are there.
v2_events_stats() {
    need_controller memory
    need_controller pids
    bundle_new
    bundle_set '.linux.resources += {memory: {limit: 67108864}, pids: {limit: 42}}'
    bundle_sh 'sleep 300 & exec sleep 301'
    v2_created
    ctr_start || fail "start failed: $ERR"
    wait_for 10 _v2_procs_at_least 2 || fail "the container's processes did not start: $(cg_read cgroup.procs | tr '\n' ' ')"
    expect_exit 0 rt events --stats "$ID"
    local json=$OUT current usage
    current=$(cg_read pids.current)
    echo "# events --stats: $(head -c 600 <<< "$json")"
    jq -e . <<< "$json" > /dev/null || fail "events --stats is not JSON: $(head -c 300 <<< "$json")"
    expect_eq "$(jq -r .type <<< "$json")" stats "type"
    expect_eq "$(jq -r .id <<< "$json")" "$ID" "id"
    expect_eq "$(jq -r .data.memory.usage.limit <<< "$json")" 67108864 "data.memory.usage.limit (memory.max)"
    usage=$(jq -r '.data.memory.usage.usage // 0' <<< "$json")
    [ "$usage" -gt 0 ] && [ "$usage" -le 67108864 ] || fail "data.memory.usage.usage: expected 1..67108864, got $usage"
    expect_eq "$(jq -r .data.pids.current <<< "$json")" "$current" "data.pids.current (pids.current)"
    expect_eq "$(jq -r .data.pids.limit <<< "$json")" 42 "data.pids.limit (pids.max)"
    jq -e '.data.cpu.usage | has("total") and has("kernel") and has("user")' <<< "$json" > /dev/null ||
        fail "data.cpu.usage lacks total/kernel/user"
}
check events_stats v2_events_stats

# events (runc CLI, streaming): an OOM kill in the container, counted by the kernel in
# memory.events (oom_kill), appears in the stream as {"type": "oom", "id": ID}; the stats
# events go on around it.
v2_events_oom() {
    need_controller memory
    bundle_new
    bundle_set '.linux.resources.memory = {limit: 67108864, swap: 67108864}'
    bundle_sh 'exec sleep 300'
    v2_created
    ctr_start || fail "start failed: $ERR"
    wait_status "$ID" running 30 || fail "the container is not running"
    timeout 120 "$RUNTIME" --root "$STATE" events --interval 1s "$ID" > "$T/events.out" 2> "$T/events.err" &
    local job=$! kills
    defer "kill $job 2> /dev/null"
    wait_for 30 grep -q '"type":"stats"' "$T/events.out" || fail "no stats event within 30 s: $(head -c 300 "$T/events.err")"
    expect_eq "$(cg_key memory.events oom_kill)" 0 "memory.events oom_kill before the allocation"
    rt exec "$ID" sh -c 'dd if=/dev/zero of=/dev/null bs=200M count=1' > /dev/null 2>&1
    kills=$(cg_key memory.events oom_kill)
    [ -n "$kills" ] && [ "$kills" -ge 1 ] || fail "memory.events oom_kill: expected >= 1, got '$kills'"
    wait_for 30 grep -q '"type":"oom"' "$T/events.out" || fail "no oom event in the stream: $(grep -v stats "$T/events.out" | head -c 300)"
    jq -e -s --arg id "$ID" 'all(.id == $id) and any(.type == "stats")' "$T/events.out" > /dev/null ||
        fail "events not JSON lines of $ID: $(head -c 300 "$T/events.out")"
    echo "# events: $(jq -r -s 'map(.type) | group_by(.) | map("\(.[0]) \(length)") | join(", ")' "$T/events.out")"
}
check events_oom v2_events_oom
