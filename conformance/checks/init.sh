# The container's init (PID 1 of its pid namespace): reaping, signal delivery, exit
# status. The spec only says kill "MUST send the specified signal to the container
# process" (runtime.md#kill); these checks hold a runtime to what callers (docker,
# containerd, kubelet) expect of it.

# No zombie is left: a child orphaned in the container (its parent exited) and then
# exiting is reaped, even though the program never waits for children.
# runc 1.1.5 FAILS this: the program is PID 1 itself, orphans are reparented to it, and
# `sleep` never calls wait(), so the orphan stays a zombie (the reason for docker
# --init). A runtime with its own init as PID 1 (swiftlet's design) reaps it.
init_no_zombies() {
    bundle_new
    # (sleep 0.1 &) orphans a sleep; the program then becomes `sleep 2`, which never
    # waits; a background shell lists the processes after one second.
    bundle_sh '(sleep 0.1 &); (sleep 1; ps -o pid,stat,args) & exec sleep 2'
    ctr_run
    expect_rc 0 "run"
    expect_contains "$OUT" "sleep 2" "ps output"
    local zombies
    zombies=$(awk '$2 ~ /^Z/' <<< "$OUT")
    expect_eq "$zombies" "" "zombie processes in the container"
}
check no_zombies init_no_zombies

# _signal_run SCRIPT: starts SCRIPT with `run` in the background and waits for it to
# print "ready".
_signal_run() {
    bundle_new
    bundle_sh "$1"
    ctr_run_bg
    wait_file "$T/$ID.out" ready || fail "container never became ready: $(cat "$T/$ID.err")"
}

# kill ID USR1 reaches the program's handler.
init_signal_handler() {
    _signal_run 'trap "echo got-usr1; exit 0" USR1; echo ready; while :; do sleep 0.1; done'
    expect_exit 0 rt kill "$ID" USR1
    ctr_wait_bg "$RUN_PID" "$ID" 5 || fail "the program did not exit after USR1"
    expect_rc 0 "exit status after the USR1 handler's exit 0"
    expect_contains "$OUT" got-usr1 "output"
}
check signal_handler init_signal_handler

# kill ID TERM ends a program that traps TERM; its exit status is run's.
init_signal_exit_status() {
    _signal_run 'trap "echo got-term; exit 42" TERM; echo ready; while :; do sleep 0.1; done'
    expect_exit 0 rt kill "$ID" TERM
    ctr_wait_bg "$RUN_PID" "$ID" 5 || fail "the program did not exit after TERM"
    expect_rc 42 "exit status after the TERM handler's exit 42"
    expect_contains "$OUT" got-term "output"
}
check signal_exit_status init_signal_exit_status

# kill ID TERM ends a program that does not handle TERM (the default action), and run
# reports 128+15.
# runc 1.1.5 FAILS this: the program is PID 1 of the pid namespace, and the kernel
# does not apply the default action of a signal to a namespace's init, so TERM is
# ignored and the container keeps running.
init_signal_default_action() {
    _signal_run 'echo ready; exec sleep 30'
    expect_exit 0 rt kill "$ID" TERM
    ctr_wait_bg "$RUN_PID" "$ID" 3 || fail "the program (no TERM handler) still runs 3s after kill TERM"
    expect_rc 143 "exit status of a program ended by TERM"
}
check signal_default_action init_signal_default_action

# kill takes signal numbers and SIG-prefixed names too (runc CLI).
init_signal_forms() {
    _signal_run 'trap "echo got-usr2" USR2; trap "echo got-hup; exit 0" HUP; echo ready; while :; do sleep 0.1; done'
    expect_exit 0 rt kill "$ID" SIGUSR2
    wait_file "$T/$ID.out" got-usr2 || fail "SIGUSR2 never arrived"
    expect_exit 0 rt kill "$ID" 1
    ctr_wait_bg "$RUN_PID" "$ID" 5 || fail "the program did not exit after signal 1"
    expect_contains "$OUT" got-hup "output after signal 1 (HUP)"
}
check signal_forms init_signal_forms

# When the program exits, what it left running in the background is killed and run
# returns at once: within 6 s, widened by three times the same run without the background
# process on a slow host.
init_background_killed() {
    local t0 calib took bound
    bundle_new calib
    bundle_sh 'echo started; exit 5'
    t0=$(now_ms)
    ctr_run
    calib=$(($(now_ms) - t0))
    expect_rc 5 "run without a background process (the calibration)"
    bound=$(calibrated_bound_ms 6000 "$calib")
    bundle_new
    bundle_sh 'sleep 300 & echo started; exit 5'
    t0=$(now_ms)
    ctr_run
    took=$(($(now_ms) - t0))
    expect_rc 5 "run"
    [ "$took" -le "$bound" ] ||
        fail "run took $took ms to return (bound $bound ms: 6 s and 3 x $calib ms, the same run without the background process)"
    wait_for 3 _no_marked_pids || fail "processes left: $(_marked_pids "$MARK" | tr '\n' ' ')"
}
check background_killed init_background_killed

# ---------------------------------------------------------------------------------------
# Where a runtime's own init has no place: a pid namespace that has its PID 1 already, and a
# Kubernetes pod's sandbox (pause), which must be PID 1 of the pod's shared pid namespace.

# _init_cmdline PID: the process's command line, arguments separated by spaces.
_init_cmdline() {
    tr '\0' ' ' < "/proc/$1/cmdline" 2> /dev/null
}

# _init_cgroup_procs ID: the pids in the container's cgroups, every hierarchy, once each.
_init_cgroup_procs() {
    local d
    for d in $(_cgroup_dirs "$1"); do cat "$d/cgroup.procs" 2> /dev/null; done | sort -un | tr '\n' ' '
}

# _init_first_container [JQ]: a running container (bundle "first", its own pid namespace,
# the config edited by JQ) running `sleep 31337`; its host pid in FIRST_PID.
_init_first_container() {
    bundle_new first
    bundle_args sleep 31337
    [ $# -eq 0 ] || bundle_set "$1"
    ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    ctr_start || fail "start failed: $ERR"
    FIRST_PID=$(state_field pid) || fail "state failed"
}

# A container that joins another container's pid namespace is a plain member of it: the
# state's pid is the program itself (no second init in between), the only process in its
# cgroup, not PID 1 of the namespace, and TERM has its default action on it.
init_joined_pid_plain_member() {
    need_ns pid
    _init_first_container
    bundle_new second
    bundle_ns_add pid "/proc/$FIRST_PID/ns/pid"
    bundle_args sleep 31338
    ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    ctr_start || fail "start failed: $ERR"
    local pid nspid
    pid=$(state_field pid) || fail "state failed"
    expect_eq "$(_init_cmdline "$pid")" "sleep 31338 " "command line of the state's pid $pid"
    expect_eq "$(_init_cgroup_procs "$ID")" "$pid " "processes in the container's cgroup"
    nspid=$(awk '/^NSpid:/ { print $3 }' "/proc/$pid/status")
    [ -n "$nspid" ] && [ "$nspid" != 1 ] || fail "pid in the joined namespace: '$nspid' (expected a member, not PID 1)"
    expect_exit 0 rt kill "$ID" TERM
    wait_status "$ID" stopped || fail "TERM did not stop the program (status $(state_field status))"
}
check joined_pid_plain_member init_joined_pid_plain_member

# A CRI sandbox (containerd's annotation io.kubernetes.cri.container-type: sandbox, on a
# pod's pause container) with its own pid namespace: its program is PID 1, nothing else
# runs there, and the state's pid is the program.
init_cri_sandbox_is_pid1() {
    need_ns pid
    bundle_new
    bundle_set '.annotations = {"io.kubernetes.cri.container-type": "sandbox"}'
    # The processes are counted by the shell itself (a glob, no fork): a pipeline's count raced
    # with the shell forking its second command (2 or 3 under load).
    inside 'echo "$$"; tr "\0" " " < /proc/1/cmdline; echo; set -- /proc/[0-9]*; echo "$#"'
    expect_eq "$OUT" $'1\nsh -c echo "$$"; tr "\\0" " " < /proc/1/cmdline; echo; set -- /proc/[0-9]*; echo "$#" \n1' \
        "the shell's pid, /proc/1/cmdline, processes (the shell alone)"
}
check cri_sandbox_is_pid1 init_cri_sandbox_is_pid1

# A pod with a shared process namespace, as containerd's CRI plugin makes it: the sandbox
# (pause, here `sleep 31337`) has a new pid namespace, the pod's container joins it by path.
# Kubernetes expects pause as PID 1 (it reaps the pod's zombies) and the container's program
# as a plain member: `ps` in the container lists pause as PID 1, itself, and nothing else.
init_pod_pause_is_pid1() {
    need_ns pid
    _init_first_container '.annotations = {"io.kubernetes.cri.container-type": "sandbox"}'
    expect_eq "$(_init_cmdline "$FIRST_PID")" "sleep 31337 " "command line of the sandbox's state pid"
    bundle_new second
    bundle_set '.annotations = {"io.kubernetes.cri.container-type": "container"}'
    bundle_ns_add pid "/proc/$FIRST_PID/ns/pid"
    # busybox sh executes its last command in place: `ps` is the container's only process.
    inside 'ps -o pid,comm'
    expect_match "$(sed -n 2p <<< "$OUT")" '^ *1 sleep$' "PID 1 in the pod (ps -o pid,comm: $OUT)"
    expect_eq "$(tail -n +3 <<< "$OUT" | awk '{ print $2 }' | tr '\n' ' ')" "ps " "the other processes in the pod"
}
check pod_pause_is_pid1 init_pod_pause_is_pid1
