# Many containers at once: runtime.md's operations must not interfere with each other
# (state root, locking, cgroups, mounts), and every trace goes away on delete.

PARALLEL_COUNT=${PARALLEL_COUNT:-20}

# _parallel_one ID BUNDLE: create, start, wait for stopped, delete; the outcome in
# $T/ID.result. Runs as a background job, so it must not call fail.
_parallel_one() {
    local id=$1 bundle=$2
    if ! rt create --bundle "$bundle" "$id" < /dev/null > "$T/$id.out" 2> "$T/$id.err"; then
        echo "create failed: $(tail -n 1 "$T/$id.err")" > "$T/$id.result"
        return
    fi
    if ! rt start "$id" < /dev/null > /dev/null 2> "$T/$id.start.err"; then
        echo "start failed: $(tail -n 1 "$T/$id.start.err")" > "$T/$id.result"
        return
    fi
    if ! wait_status "$id" stopped 20; then
        echo "never stopped (status $(state_field status "$id"))" > "$T/$id.result"
        return
    fi
    if ! rt delete "$id" < /dev/null > /dev/null 2> "$T/$id.delete.err"; then
        echo "delete failed: $(tail -n 1 "$T/$id.delete.err")" > "$T/$id.result"
        return
    fi
    echo ok > "$T/$id.result"
}

_parallel_done() {
    [ "$(ls "$T"/*.result 2> /dev/null | wc -l)" -ge "$PARALLEL_COUNT" ]
}

parallel_lifecycle() {
    local i ids=() bundles=()
    for ((i = 1; i <= PARALLEL_COUNT; i++)); do
        bundle_new "p$i"
        bundle_sh "echo ran-$i; sleep 0.5"
        ids+=("$ID")
        bundles+=("$BUNDLE")
    done
    for ((i = 0; i < PARALLEL_COUNT; i++)); do
        _parallel_one "${ids[$i]}" "${bundles[$i]}" &
    done
    wait_for 60 _parallel_done || fail "only $(ls "$T"/*.result 2> /dev/null | wc -l) of $PARALLEL_COUNT containers finished in 60s"
    wait
    local bad=() r
    for ((i = 0; i < PARALLEL_COUNT; i++)); do
        r=$(cat "$T/${ids[$i]}.result")
        [ "$r" = ok ] || bad+=("${ids[$i]}: $r")
        grep -qx "ran-$((i + 1))" "$T/${ids[$i]}.out" || bad+=("${ids[$i]}: no output")
    done
    [ ${#bad[@]} -eq 0 ] || fail "${#bad[@]} failures, first: ${bad[0]}"
    # Nothing is left: state, mounts, processes, cgroups.
    _capture rt list -q
    expect_eq "$OUT" "" "list after deleting all"
    expect_eq "$(_state_entries)" "" "entries under the state root"
    local mounts
    mounts=$(grep -F -e "$T" -e "$ROOTFS" /proc/self/mountinfo)
    expect_eq "$mounts" "" "host mounts mentioning the bundles or the rootfs"
    wait_for 2 _no_marked_pids || fail "processes left: $(_marked_pids "$MARK" | tr '\n' ' ')"
    local cg='' id
    for id in "${ids[@]}"; do
        cg+=$(_cgroup_dirs "$id")
    done
    expect_eq "$cg" "" "cgroups left"
}
check lifecycle parallel_lifecycle

_state_entries() {
    local id
    for id in "${CHECK_IDS[@]}"; do
        find "$STATE" \( -name "$id" -o -name "$id.*" \) -print
    done
}

# `run` side by side: each container gets its own output and exit status.
parallel_run() {
    local i pids=() ids=()
    for ((i = 1; i <= PARALLEL_COUNT; i++)); do
        bundle_new "r$i"
        bundle_sh "echo ran-$i; exit $((i % 7))"
        ctr_run_bg
        pids+=("$RUN_PID")
        ids+=("$ID")
    done
    local bad=()
    for ((i = 0; i < PARALLEL_COUNT; i++)); do
        if ! ctr_wait_bg "${pids[$i]}" "${ids[$i]}" 30; then
            bad+=("${ids[$i]}: run did not return")
            continue
        fi
        [ "$RC" -eq $(((i + 1) % 7)) ] || bad+=("${ids[$i]}: exit status $RC, expected $(((i + 1) % 7)): $ERR")
        [ "$OUT" = "ran-$((i + 1))" ] || bad+=("${ids[$i]}: output '$OUT'")
    done
    [ ${#bad[@]} -eq 0 ] || fail "${#bad[@]} failures, first: ${bad[0]}"
    _capture rt list -q
    expect_eq "$OUT" "" "list after all runs"
}
check run parallel_run
