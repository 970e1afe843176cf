# User checks through containerd: `ctr run --runc-binary RUNTIME` (ctr ignores a configured
# BinaryName), so containerd-shim-runc-v2 calls the runtime with `--root`, `--log` and
# `--log-format json` on every command. `eng` is ctr on the test's containerd and namespace.
# Not here: stdin (a non-tty `ctr run` never delivers EOF on stdin), --uidmap (ctr 1.6 drops
# --runc-binary when --uidmap/--gidmap is given, so the check would run runc), --privileged
# (ctr asks for every capability it knows, which this host's bounding set lacks; the podman
# check covers it).

# crun ARGS...: `ctr run` with the runtime under test and its own state root.
# IO fifos go under $WORK too (ctr's default is /run/containerd/fifo).
crun() { eng run --fifo-dir "$WORK/containerd/fifo" --runc-binary "$RT_BIN" --runc-root "${RT_ROOT%/*}" "$@"; }
cexec() { eng task exec --fifo-dir "$WORK/containerd/fifo" "$@"; }

# _ctr_detached ID [RUN-ARGS...]: a detached task ID (`$IMAGE ID sleep 300` unless RUN-ARGS:
# options, then the image, the id and the command), its host pid in PID.
_ctr_detached() {
    local id=$1; shift
    [ $# -gt 0 ] || set -- "$IMAGE" "$id" sleep 300
    expect_ok crun -d "$@"
    log eng task ls
    PID=$(awk -v id="$id" '$1 == id { print $2 }' <<< "$OUT")
    [ "${PID:-0}" -gt 0 ] 2>/dev/null || fail "no pid for task $id: $OUT"
}

_task_status() { eng task ls | awk -v id="$1" '$1 == id { print $3 }'; }
_task_is() { [ "$(_task_status "$1")" = "$2" ]; }

# in_script CMD: runs CMD (a string) with a pty as its terminal (script(1)); OUT gets the lines
# that do not come from ctr itself (its "resize pty" race warning), without the pty's CRs/NULs.
in_script() {
    echo "+ script -qec '$1'" >&2
    OUT=$(timeout -k 5 "$ENGINE_TIMEOUT" script -qec "$1" /dev/null < /dev/null 2>"$T/err" | tr -d '\r\000' | sed 's/\^@//g')
    RC=${PIPESTATUS[0]}
    echo "  raw=$OUT" >&2
    OUT=$(grep -v 'resize pty' <<< "$OUT")
    echo "  rc=$RC out=$OUT" >&2
}

# _ctr_exec_ok ID CMD...: an exec with a fresh exec id (for polling), true if CMD exits 0.
_ctr_exec_ok() { local id=$1; shift; cexec --exec-id "poll$RANDOM$RANDOM" "$id" "$@"; }

_ctr_cmd() { echo "ctr --address $WORK/containerd/containerd.sock --namespace $CTR_NS"; }

t_run_echo() {
    expect_ok crun --rm "$IMAGE" "$RT-echo" echo hi
    expect_eq "$OUT" hi "output of echo"
}

# The runtime under test ran the task (see c_pid1): BinaryName may be a name the shim looks up.
t_pid1() {
    expect_ok crun --rm "$IMAGE" "$RT-pid1" cat /proc/1/comm
    expect_eq "$OUT" "$(_pid1_comm cat)" "PID 1 of a $RT task"
}

t_exit_codes() {
    log crun --rm "$IMAGE" "$RT-exit" sh -c 'exit 3'
    expect_eq "$RC" 3 "exit status of sh -c 'exit 3'"
}

t_tty() {
    command -v script >/dev/null || skip "no script(1) on this host (bsdutils) to give ctr run -t a terminal"
    in_script "$(_ctr_cmd) run --rm -t --fifo-dir $WORK/containerd/fifo --runc-binary $RT_BIN --runc-root ${RT_ROOT%/*} $IMAGE $RT-tty sh -c 'tty; test -t 0 && echo all-tty'"
    expect_eq "$RC" 0 "exit status"
    expect_eq "$OUT" $'/dev/pts/0\nall-tty' "tty of the container"
}

t_exec() {
    local c=$RT-exec
    command -v script >/dev/null || skip "no script(1) on this host (bsdutils) to give ctr exec -t a terminal"
    _ctr_detached "$c"
    expect_ok cexec --exec-id e1 "$c" echo hi
    expect_eq "$OUT" hi "exec echo"
    log cexec --exec-id e2 "$c" sh -c 'exit 5'
    expect_eq "$RC" 5 "exit status of exec"
    expect_ok cexec --exec-id e3 --cwd /tmp --user 1000 "$c" sh -c 'pwd; id -u'
    expect_eq "$OUT" $'/tmp\n1000' "exec --cwd --user"
    in_script "$(_ctr_cmd) task exec --fifo-dir $WORK/containerd/fifo --exec-id e4 -t $c tty"
    expect_match "$OUT" '^/dev/pts/[0-9]+$' "exec -t tty"
    # Not `ctr task exec -d`: with ctr 1.6 its process never runs, for runc as for swiftlet
    # (ctr exits and takes the exec's IO with it); the docker checks cover the shim's
    # `exec --detach`.
    expect_ok cexec --exec-id e7 "$c" readlink /proc/self/ns/pid
    expect_eq "$OUT" "$(readlink "/proc/$PID/ns/pid")" "exec's pid namespace"
}

t_kill_usr1() {
    local c=$RT-usr1
    _ctr_detached "$c" "$IMAGE" "$c" sh -c 'trap "echo got > /tmp/usr1" USR1; touch /tmp/ready; while :; do sleep 0.1; done'
    wait_for 10 _ctr_exec_ok "$c" test -e /tmp/ready || fail "never ready"
    expect_ok eng task kill -s SIGUSR1 "$c"
    wait_for 10 _ctr_exec_ok "$c" test -s /tmp/usr1 || fail "USR1 never reached the trap"
    expect_eq "$(_task_status "$c")" RUNNING "status after USR1"
}

t_stop() {
    local c=$RT-stop
    _ctr_detached "$c" "$IMAGE" "$c" sh -c 'trap "exit 7" TERM; while :; do sleep 0.1; done'
    expect_ok eng task kill "$c"
    wait_for 10 _task_is "$c" STOPPED || fail "TERM did not stop it: $(_task_status "$c")"
    expect_ok eng task delete "$c"
    expect_contains "$OUT$ERR" "7" "exit status reported by task delete"
    local d=$RT-stopkill
    _ctr_detached "$d" "$IMAGE" "$d" sh -c 'trap "" TERM; while :; do sleep 0.1; done'
    expect_ok eng task kill "$d"
    sleep 1
    expect_eq "$(_task_status "$d")" RUNNING "a process ignoring TERM"
    expect_ok eng task kill -s SIGKILL "$d"
    wait_for 10 _task_is "$d" STOPPED || fail "KILL did not stop it"
}

# containerd's shim takes a kill error that says "container not running" or "no such process"
# for a process that already finished (checkKillError): `ctr task kill` of a stopped task is
# then "process already finished: not found". Any other wording is an "unknown error after
# kill", which the CRI plugin retries forever (issue 16). `--all` on it succeeds, as with runc.
t_kill_stopped() {
    local c=$RT-killstopped
    _ctr_detached "$c" "$IMAGE" "$c" true
    wait_for 10 _task_is "$c" STOPPED || fail "the task never stopped: $(_task_status "$c")"
    log eng task kill -s SIGKILL "$c"
    case "$OUT$ERR" in *"unknown error after kill"*) fail "ctr task kill of a stopped task: the shim did not recognise the runtime's error: $ERR" ;; esac
    expect_contains "$OUT$ERR" "process already finished" "ctr task kill of a stopped task"
    expect_ok eng task kill --all -s SIGKILL "$c"
}

t_ps() {
    local c=$RT-ps
    _ctr_detached "$c"
    expect_ok eng task ps "$c"
    expect_contains "$OUT" "$PID" "task ps lists the init"
}

t_pause_resume() {
    local c=$RT-pause
    host_cgroup freezer || skip "no cgroup freezer on this host (no v1 freezer hierarchy, no cgroup.freeze)"
    _ctr_detached "$c"
    expect_ok eng task pause "$c"
    expect_eq "$(_task_status "$c")" PAUSED "status after pause"
    expect_ok eng task resume "$c"
    expect_eq "$(_task_status "$c")" RUNNING "status after resume"
}

t_rm_leaves_nothing() {
    expect_ok crun --rm "$IMAGE" "$RT-rm" true
    log eng container ls -q
    [[ "$OUT" != *"$RT-rm"* ]] || fail "container still listed"
    nothing_left "$RT-rm"
}

t_delete_force() {
    local c=$RT-delf
    _ctr_detached "$c"
    expect_ok eng task delete -f "$c"
    expect_ok eng container rm "$c"
    wait_for 5 test ! -e "/proc/$PID" || fail "process $PID still there"
    nothing_left "$c"
}

t_memory() {
    local c=$RT-memory
    host_cgroup memory || skip "no memory cgroup controller on this host (cgroup_disable=memory?)"
    _ctr_detached "$c" --memory-limit 67108864 "$IMAGE" "$c" sleep 300
    local f
    f=$(cgroup_limit_file "$PID" memory memory.limit_in_bytes memory.max) || fail "no memory cgroup for $PID"
    expect_eq "$(cat "$f")" 67108864 "$f"
}

t_cap_add() {
    image_has ip || skip "the host's busybox has no ip applet (the image is built from it)"
    expect_ok crun --rm --cap-add CAP_NET_ADMIN "$IMAGE" "$RT-cap" sh -c 'ip link set lo down && echo done'
    expect_eq "$OUT" done "ip link set needs CAP_NET_ADMIN"
}

t_join_namespaces() {
    local a=$RT-joina
    _ctr_detached "$a"
    expect_ok crun --rm --with-ns "pid:/proc/$PID/ns/pid" --with-ns "network:/proc/$PID/ns/net" "$IMAGE" "$RT-joinb" \
        sh -c 'readlink /proc/self/ns/pid; readlink /proc/self/ns/net'
    expect_eq "$OUT" "$(readlink "/proc/$PID/ns/pid")"$'\n'"$(readlink "/proc/$PID/ns/net")" "pid and net namespaces"
}

for _c in run_echo pid1 exit_codes tty exec kill_usr1 kill_stopped stop ps pause_resume rm_leaves_nothing delete_force memory \
        cap_add join_namespaces; do
    ctr_check "$_c"
done
unset _c
