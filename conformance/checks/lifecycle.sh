# runtime.md "Lifecycle" and "Operations": create, start, state, kill, delete, and the
# exit status of `run` (runc-compatible CLI).

# runtime.md#create, #state: after create the container is "created", with the pid of
# the container process, which exists on the host; the user program has not run.
lifecycle_create_is_created() {
    bundle_new
    bundle_sh 'echo user-program-ran; sleep 30'
    ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    local status pid
    status=$(state_field status) || fail "state after create failed"
    expect_eq "$status" created "status after create"
    pid=$(state_field pid)
    expect_match "$pid" '^[1-9][0-9]*$' "pid after create"
    [ -d "/proc/$pid" ] || fail "state pid $pid does not exist on the host"
    sleep 0.2
    expect_not_contains "$(cat "$T/$ID.out")" user-program-ran "stdout before start (process.args MUST NOT run at create)"
}
check create_is_created lifecycle_create_is_created

# runtime.md#start: start runs the program; the state becomes "running" with the same pid.
lifecycle_start_is_running() {
    bundle_new
    bundle_sh 'echo user-program-ran; sleep 30'
    ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    local pid1 pid2
    pid1=$(state_field pid)
    ctr_start || fail "start failed: $ERR"
    wait_status "$ID" running || fail "status after start: expected running, got '$(state_field status)'"
    pid2=$(state_field pid)
    expect_eq "$pid2" "$pid1" "pid after start"
    wait_file "$T/$ID.out" user-program-ran || fail "the program's output never appeared"
}
check start_is_running lifecycle_start_is_running

# runtime.md#state: once the process exits the status is "stopped".
lifecycle_exit_is_stopped() {
    bundle_new
    bundle_args true
    ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    ctr_start || fail "start failed: $ERR"
    wait_status "$ID" stopped || fail "status after the process exited: expected stopped, got '$(state_field status)'"
}
check exit_is_stopped lifecycle_exit_is_stopped

# runtime.md#delete: delete of a stopped container removes it: state then fails.
lifecycle_delete_removes() {
    bundle_new
    bundle_args true
    ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    ctr_start || fail "start failed: $ERR"
    wait_status "$ID" stopped || fail "container did not stop"
    expect_exit 0 rt delete "$ID"
    expect_exit nonzero rt state "$ID"
    _capture rt list -q
    expect_not_contains "$OUT" "$ID" "list after delete"
    # The id may be used again (runtime.md#delete).
    ctr_create || fail "create with the id of a deleted container failed: $(cat "$T/$ID.err")"
    expect_exit 0 rt delete --force "$ID"
}
check delete_removes lifecycle_delete_removes

# runtime.md#query-state: state of a container that does not exist is an error.
lifecycle_state_unknown_fails() {
    bundle_new
    bundle_args sleep 30
    ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    expect_exit 0 rt state "$ID"
    expect_exit nonzero rt state "$ID-does-not-exist"
    expect_match "$ERR" '[^[:space:]]' "error message on stderr"
}
check state_unknown_fails lifecycle_state_unknown_fails

# runtime.md#create: an id that is not unique is an error and MUST NOT create a
# container; the existing one is untouched.
lifecycle_create_duplicate_fails() {
    bundle_new
    bundle_args sleep 30
    ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    local pid
    pid=$(state_field pid)
    local first=$ID
    bundle_new second
    rt create --bundle "$BUNDLE" "$first" < /dev/null > "$T/dup.out" 2> "$T/dup.err"
    RC=$?
    expect_rc nonzero "create with a duplicate id"
    expect_match "$(cat "$T/dup.err")" '[^[:space:]]' "error message on stderr"
    expect_eq "$(state_field status "$first")" created "status of the existing container"
    expect_eq "$(state_field pid "$first")" "$pid" "pid of the existing container"
    [ -d "/proc/$pid" ] || fail "the existing container's process died"
}
check create_duplicate_fails lifecycle_create_duplicate_fails

# runtime.md#start: start on a container that is not "created" is an error and has no
# effect.
lifecycle_start_running_fails() {
    bundle_new
    bundle_sh 'echo once; sleep 30'
    ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    ctr_start || fail "start failed: $ERR"
    wait_status "$ID" running || fail "container is not running"
    expect_exit nonzero rt start "$ID"
    expect_eq "$(state_field status)" running "status after the second start"
    sleep 0.2
    expect_eq "$(grep -c once "$T/$ID.out")" 1 "times the program ran"
}
check start_running_fails lifecycle_start_running_fails

lifecycle_start_stopped_fails() {
    bundle_new
    bundle_sh 'echo once'
    ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    ctr_start || fail "start failed: $ERR"
    wait_status "$ID" stopped || fail "container did not stop"
    expect_exit nonzero rt start "$ID"
    expect_eq "$(state_field status)" stopped "status after start on a stopped container"
    sleep 0.2
    expect_eq "$(grep -c once "$T/$ID.out")" 1 "times the program ran"
}
check start_stopped_fails lifecycle_start_stopped_fails

# runtime.md#kill: kill on a created container sends the signal to the container
# process; TERM stops it.
lifecycle_kill_created() {
    bundle_new
    bundle_args sleep 30
    ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    local pid
    pid=$(state_field pid)
    expect_exit 0 rt kill "$ID" TERM
    wait_status "$ID" stopped || fail "status after kill TERM: expected stopped, got '$(state_field status)'"
    wait_for 5 _pid_gone "$pid" || fail "the container process $pid still exists"
}
check kill_created lifecycle_kill_created

# runtime.md#kill: kill KILL on a running container stops it.
lifecycle_kill_running() {
    bundle_new
    bundle_args sleep 30
    ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    ctr_start || fail "start failed: $ERR"
    wait_status "$ID" running || fail "container is not running"
    expect_exit 0 rt kill "$ID" KILL
    wait_status "$ID" stopped || fail "status after kill KILL: expected stopped, got '$(state_field status)'"
}
check kill_running lifecycle_kill_running

# runtime.md#kill: a container that is neither created nor running cannot be signalled.
# The error says "container not running", runc's words: containerd's shim (checkKillError)
# takes an error with "container not running" or "no such process" in it for a process
# that already finished; any other wording fails the kill, and the CRI plugin then retries
# the container's exit forever. Signal 0 is no exception.
lifecycle_kill_stopped_fails() {
    bundle_new
    bundle_args true
    ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    ctr_start || fail "start failed: $ERR"
    wait_status "$ID" stopped || fail "container did not stop"
    expect_exit nonzero rt kill "$ID" KILL
    expect_contains "$ERR" "container not running" "kill KILL on a stopped container"
    expect_exit nonzero rt kill "$ID" 0
    expect_contains "$ERR" "container not running" "kill 0 on a stopped container"
    expect_eq "$(state_field status)" stopped "status after kill on a stopped container"
}
check kill_stopped_fails lifecycle_kill_stopped_fails

# kill ID 0 (runc CLI, kill(2)): checks that the container's process can be signalled and
# delivers nothing; created, running and paused containers answer 0 and stay as they were,
# with and without --all. runc 1.1.5's behaviour, measured.
lifecycle_kill_signal_zero() {
    bundle_new
    bundle_args sleep 30
    ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    expect_exit 0 rt kill "$ID" 0
    expect_exit 0 rt kill --all "$ID" 0
    expect_eq "$(state_field status)" created "status after kill 0 on a created container"
    ctr_start || fail "start failed: $ERR"
    wait_status "$ID" running || fail "container is not running"
    expect_exit 0 rt kill "$ID" 0
    expect_exit 0 rt kill --all "$ID" 0
    sleep 0.2
    expect_eq "$(state_field status)" running "status after kill 0 on a running container"
    host_has_controller freezer || return 0
    expect_exit 0 rt pause "$ID"
    expect_exit 0 rt kill "$ID" 0
    expect_eq "$(state_field status)" paused "status after kill 0 on a paused container"
}
check kill_signal_zero lifecycle_kill_signal_zero

# kill --all on a stopped container signals whatever is left in its cgroup and succeeds
# when nothing is (runc 1.1.5: exit 0, for signal 9 as for 0). containerd's shim runs
# `kill --all ID 9` after the exit of every container that shares a pid namespace (each
# one in a Kubernetes pod) and cannot stop or remove the pod while that fails.
lifecycle_kill_all_stopped() {
    bundle_new
    bundle_args true
    ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    ctr_start || fail "start failed: $ERR"
    wait_status "$ID" stopped || fail "container did not stop"
    expect_exit 0 rt kill --all "$ID" 9
    expect_exit 0 rt kill --all "$ID" KILL
    expect_exit 0 rt kill --all "$ID" 0
    expect_exit 0 rt kill --all "$ID" TERM
    expect_eq "$(state_field status)" stopped "status after kill --all on a stopped container"
    expect_exit 0 rt delete "$ID"
    expect_nothing_left
}
check kill_all_stopped lifecycle_kill_all_stopped

# _lc_cgroup_pids ID: the pids in the container's cgroups (cgroupsPath
# /swiftlet-conformance/<id>), every hierarchy, once each.
_lc_cgroup_pids() {
    local d
    for d in $(_cgroup_dirs "$1"); do cat "$d/cgroup.procs" 2>/dev/null; done | sort -un
}

_lc_cgroup_empty() {
    [ -z "$(_lc_cgroup_pids "$1")" ]
}

# What kill --all is for after an exit: a container in another container's pid namespace
# (a pod's) leaves a background process behind when its process exits; the container is
# stopped, and kill --all ID 9 kills what is left in its cgroup.
lifecycle_kill_all_stopped_leftover() {
    need_ns pid
    bundle_new first
    bundle_args sleep 31337
    ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    ctr_start || fail "start failed: $ERR"
    local pid
    pid=$(state_field pid) || fail "state failed"
    bundle_new second
    bundle_ns_add pid "/proc/$pid/ns/pid"
    bundle_sh 'sleep 31338 & exit 0'
    ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    ctr_start || fail "start failed: $ERR"
    wait_status "$ID" stopped || fail "the second container did not stop"
    local left
    left=$(_lc_cgroup_pids "$ID")
    [ -n "$left" ] || fail "no process left in the stopped container's cgroup (the test needs one)"
    expect_exit 0 rt kill --all "$ID" 9
    wait_for 5 _lc_cgroup_empty "$ID" || fail "left in the cgroup after kill --all 9: $(_lc_cgroup_pids "$ID" | tr '\n' ' ')"
    expect_exit 0 rt kill --all "$ID" 9
}
check kill_all_stopped_leftover lifecycle_kill_all_stopped_leftover

# kill KILL stops a paused container, with and without --all (runc 1.1.5 thaws the cgroup
# after SIGKILL: a frozen process acts on it only once thawed).
lifecycle_kill_paused() {
    need_cgroup_controller freezer
    local all
    for all in "" --all; do
        bundle_new "paused${all:+-all}"
        bundle_args sleep 30
        ctr_create || fail "create failed: $(cat "$T/$ID.err")"
        ctr_start || fail "start failed: $ERR"
        wait_status "$ID" running || fail "container is not running"
        expect_exit 0 rt pause "$ID"
        expect_exit 0 rt kill $all "$ID" KILL
        wait_status "$ID" stopped || fail "status after kill${all:+ $all} KILL on a paused container: '$(state_field status)'"
    done
}
check kill_paused lifecycle_kill_paused

# runtime.md#delete: delete of a running container is an error and has no effect;
# delete --force (runc CLI) kills and deletes it.
lifecycle_delete_running() {
    bundle_new
    bundle_args sleep 30
    ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    ctr_start || fail "start failed: $ERR"
    wait_status "$ID" running || fail "container is not running"
    local pid
    pid=$(state_field pid)
    expect_exit nonzero rt delete "$ID"
    expect_eq "$(state_field status)" running "status after a refused delete"
    expect_exit 0 rt delete --force "$ID"
    expect_exit nonzero rt state "$ID"
    wait_for 5 _pid_gone "$pid" || fail "the container process $pid survived delete --force"
}
check delete_running lifecycle_delete_running

# runtime.md#delete: a created (never started) container cannot be deleted without
# --force either; with it, it goes away.
# runc 1.1.5 FAILS this: its delete destroys a "created" container without --force
# (libcontainer treats created like stopped), contrary to "Attempting to delete a
# container that is not stopped MUST have no effect on the container and MUST generate
# an error".
lifecycle_delete_created() {
    bundle_new
    bundle_args sleep 30
    ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    expect_exit nonzero rt delete "$ID"
    expect_eq "$(state_field status)" created "status after a refused delete"
    expect_exit 0 rt delete --force "$ID"
    expect_exit nonzero rt state "$ID"
}
check delete_created lifecycle_delete_created

# runtime.md#delete: resources created by create are gone after delete: the state
# entry, the cgroup (cgroupsPath), the process.
lifecycle_delete_frees_resources() {
    bundle_new
    bundle_args true
    ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    local pid
    pid=$(state_field pid)
    [ -n "$(_cgroup_dirs "$ID")" ] || fail "no cgroup at cgroupsPath /swiftlet-conformance/$ID after create"
    ctr_start || fail "start failed: $ERR"
    wait_status "$ID" stopped || fail "container did not stop"
    expect_exit 0 rt delete "$ID"
    local left
    left=$(_cgroup_dirs "$ID" | tr '\n' ' ')
    expect_eq "$left" "" "cgroup dirs left after delete"
    left=$(find "$STATE" \( -name "$ID" -o -name "$ID.*" \) | tr '\n' ' ')
    expect_eq "$left" "" "state entries left after delete"
    wait_for 2 _pid_gone "$pid" || fail "process $pid left after delete"
}
check delete_frees_resources lifecycle_delete_frees_resources

# The exit status of `run` is the process's (runc CLI contract).
lifecycle_run_exit_0() {
    bundle_new
    bundle_args true
    ctr_run
    expect_rc 0 "run of true"
}
check run_exit_0 lifecycle_run_exit_0

lifecycle_run_exit_3() {
    bundle_new
    bundle_sh 'exit 3'
    ctr_run
    expect_rc 3 "run of exit 3"
}
check run_exit_3 lifecycle_run_exit_3

# A process killed by a signal: run exits 128+signal.
# runc 1.1.5 FAILS this: the user process is PID 1 of the pid namespace, and the kernel
# drops a signal that a namespace's init sends itself when it has no handler, so
# `kill -9 $$` is ignored and the shell goes on to exit 0. A runtime whose own init is
# PID 1 (swiftlet's design) runs the shell as PID 2, where SIGKILL works.
lifecycle_run_exit_signal() {
    bundle_new
    bundle_sh 'kill -9 $$; exit 0'
    ctr_run
    expect_rc 137 "run of a process that does kill -9 \$\$"
}
check run_exit_signal lifecycle_run_exit_signal

# The same from the host: `kill ID KILL` while `run` waits makes run exit 137.
lifecycle_run_exit_killed() {
    bundle_new
    bundle_sh 'echo ready; sleep 30'
    ctr_run_bg
    wait_file "$T/$ID.out" ready || fail "container never became ready: $(cat "$T/$ID.err")"
    expect_exit 0 rt kill "$ID" KILL
    ctr_wait_bg "$RUN_PID" "$ID" 10 || fail "run did not return after kill KILL"
    expect_rc 137 "run of a container killed with SIGKILL"
}
check run_exit_killed lifecycle_run_exit_killed

# `run` removes the container when the process exits (runc CLI contract, no -d).
lifecycle_run_deletes() {
    bundle_new
    bundle_args true
    ctr_run
    expect_rc 0 "run of true"
    expect_exit nonzero rt state "$ID"
}
check run_deletes lifecycle_run_deletes

# runc CLI: a state root deeper than a unix socket path allows (108 bytes; dockerd passes
# `--root <exec-root>/runtime-runc/moby`) works for create, start, state and delete.
lifecycle_long_root() {
    bundle_new
    bundle_args sleep 60
    local root="$T/a-state-root-as-deep-as-an-engine-makes-it/runtime-runc/moby/0123456789abcdef0123456789abcdef"
    mkdir -p "$root"
    local id=${ID}-0123456789abcdef0123456789abcdef0123456789abcdef
    defer "timeout 10 '$RUNTIME' --root '$root' delete --force '$id' >/dev/null 2>&1"
    timeout 10 "$RUNTIME" --root "$root" create --bundle "$BUNDLE" "$id" < /dev/null > "$T/long.out" 2>&1 \
        || fail "create with a $((${#root} + ${#id})) byte state path failed: $(cat "$T/long.out")"
    timeout 10 "$RUNTIME" --root "$root" start "$id" > "$T/long.out" 2>&1 || fail "start failed: $(cat "$T/long.out")"
    local status
    status=$(timeout 10 "$RUNTIME" --root "$root" state "$id" | jq -r .status)
    expect_eq "$status" running "status after start"
    timeout 10 "$RUNTIME" --root "$root" delete --force "$id" > "$T/long.out" 2>&1 || fail "delete failed: $(cat "$T/long.out")"
}
check long_root lifecycle_long_root
