# Faults from outside (issue 8), runtime-agnostic: the runtime SIGKILLed part-way through
# `create` (an engine's timeout, the OOM killer) and the container's process killed before
# `start`. Afterwards the usual commands must still work and nothing may be left: no state
# entry, cgroup or process. (swiftlet's own test of every named step is the SWIFTLET_FAULT
# switch in Tests/IntegrationTests/FaultTests.swift; here the kill lands wherever the delay puts it.)

FAULT_DELAYS=${FAULT_DELAYS:-"0 0.002 0.005 0.01 0.02 0.04 0.08 0.15"}

faults_killed_create() {
    local delay n=0 bad=() pid rc
    for delay in $FAULT_DELAYS; do
        n=$((n + 1))
        bundle_new "k$n"
        bundle_sh "sleep 100"
        echo "+ $RUNTIME_NAME create $ID, SIGKILL after ${delay}s" >> "$T/log"
        "$RUNTIME" --root "$STATE" create --bundle "$BUNDLE" "$ID" < /dev/null > "$T/$ID.out" 2> "$T/$ID.err" &
        pid=$!
        sleep "$delay"
        kill -KILL "$pid" 2> /dev/null
        wait "$pid" 2> /dev/null
        rt delete --force "$ID" < /dev/null > /dev/null 2> "$T/$ID.delete.err"
        rc=$?
        if [ -e "$STATE/$ID" ]; then
            bad+=("killed after ${delay}s: state entry left (delete --force exit $rc: $(tail -n 1 "$T/$ID.delete.err"))")
            continue
        fi
        wait_for 2 _no_cgroup "$ID" || bad+=("killed after ${delay}s: cgroup left: $(_cgroup_dirs "$ID" | head -n 1)")
    done
    wait_for 3 _no_marked_pids || bad+=("processes left: $(_marked_pids "$MARK" | tr '\n' ' ')")
    [ ${#bad[@]} -eq 0 ] || fail "${#bad[@]} problems, first: ${bad[0]}"
}
check killed_create faults_killed_create

# runtime.md "State": a container whose process has exited is "stopped", whatever the
# reason; `start` of it MUST fail, `delete` of it works.
faults_init_killed_before_start() {
    bundle_new
    bundle_sh "echo never"
    ctr_create || fail "create failed: $(tail -n 1 "$T/$ID.err")"
    local pid
    pid=$(state_field pid "$ID") || fail "no pid in state"
    kill -KILL "$pid" || fail "cannot kill pid $pid"
    wait_status "$ID" stopped 10 || fail "status $(state_field status "$ID") after the process was killed"
    expect_exit nonzero rt start "$ID"
    expect_eq "$(cat "$T/$ID.out")" "" "output of a process that was never started"
    expect_exit 0 rt delete "$ID"
    expect_nothing_left
}
check init_killed_before_start faults_init_killed_before_start
