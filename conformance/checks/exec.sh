# `exec` (runc's CLI; runtime.md leaves it to the runtime): another process in a running
# container shares its namespaces, cgroups and root, gets the container's process settings
# unless flags change them, and the caller sees its exit status.

# _exec_container [SCRIPT]: a started container running `sleep 60` (or SCRIPT with sh -c);
# PID is its state pid.
_exec_container() {
    bundle_new
    if [ $# -gt 0 ]; then bundle_sh "$1"; else bundle_args sleep 60; fi
    ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    ctr_start || fail "start failed: $ERR"
    PID=$(state_field pid) || fail "state failed"
}

# _ns_links PID: the namespace links of PID as the host sees them, one per line.
_ns_links() {
    local n
    for n in mnt pid net ipc uts cgroup user; do readlink "/proc/$1/ns/$n"; done
}

# The exec'd process is in every namespace of the container, and sees the container's root
# and processes.
exec_namespaces() {
    _exec_container
    expect_exit 0 rt exec "$ID" sh -c 'for n in mnt pid net ipc uts cgroup user; do readlink /proc/self/ns/$n; done'
    expect_eq "$OUT" "$(_ns_links "$PID")" "namespaces of the exec'd process"
    expect_exit 0 rt exec "$ID" sh -c 'hostname; test -x /bin/busybox && echo root-ok; ls -d /proc/[0-9]* | wc -l'
    expect_eq "$(sed -n 1,2p <<< "$OUT")" $'conformance\nroot-ok' "hostname and root of the exec'd process"
    # the container's process (and its init for runtimes that keep one), sh, ls and wc
    [ "$(sed -n 3p <<< "$OUT")" -le 6 ] || fail "the exec'd process sees $(sed -n 3p <<< "$OUT") processes: not the container's pid namespace"
}
check namespaces exec_namespaces

# With a user namespace too (joined first, so the rest can be joined from inside it).
exec_user_namespace() {
    need_ns user
    bundle_new
    bundle_ns_add user
    bundle_set '.linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
        | .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]'
    bundle_args sleep 60
    ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    ctr_start || fail "start failed: $ERR"
    PID=$(state_field pid) || fail "state failed"
    expect_exit 0 rt exec "$ID" sh -c 'for n in mnt pid net ipc uts cgroup user; do readlink /proc/self/ns/$n; done; cat /proc/self/uid_map; id -u'
    expect_eq "$(head -n 7 <<< "$OUT")" "$(_ns_links "$PID")" "namespaces of the exec'd process"
    expect_match "$(sed -n 8p <<< "$OUT")" '^ +0 +100000 +65536$' "uid_map seen by the exec'd process"
    expect_eq "$(sed -n 9p <<< "$OUT")" 0 "uid in the user namespace"
}
check user_namespace exec_user_namespace

# The exec'd process is in the container's cgroups (every hierarchy).
exec_cgroup() {
    _exec_container
    expect_exit 0 rt exec "$ID" cat /proc/self/cgroup
    expect_eq "$(sort <<< "$OUT")" "$(sort "/proc/$PID/cgroup")" "/proc/self/cgroup of the exec'd process"
}
check cgroup exec_cgroup

# Without flags the process gets the container's env, cwd and user.
exec_defaults() {
    bundle_new
    bundle_set '.process.cwd = "/tmp" | .process.env += ["FROM_CONFIG=yes"] | .process.user = {uid: 1000, gid: 1000}'
    bundle_args sleep 60
    ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    ctr_start || fail "start failed: $ERR"
    expect_exit 0 rt exec "$ID" sh -c 'pwd; echo "$FROM_CONFIG"; id -u; id -g'
    expect_eq "$OUT" $'/tmp\nyes\n1000\n1000' "cwd, env, uid and gid of the exec'd process"
}
check defaults exec_defaults

# --cwd, --env (repeatable, overriding the container's), --user uid:gid, --additional-gids.
exec_flags() {
    _exec_container
    expect_exit 0 rt exec --cwd /tmp -e FOO=bar -e SWIFTLET_X=1 -e FOO=baz -u 1000:1000 -g 5 -g 7 "$ID" \
        sh -c 'pwd; echo "$FOO $SWIFTLET_X"; id -u; id -g; id -G; env | grep -c "^FOO="'
    expect_eq "$OUT" $'/tmp\nbaz 1\n1000\n1000\n1000 5 7\n1' "cwd, env, uid, gid, groups of the exec'd process"
    expect_exit 0 rt exec -u 1000 "$ID" sh -c 'id -u; id -g'
    expect_eq "$OUT" $'1000\n0' "--user with a uid only keeps the container's gid"
}
check flags exec_flags

# --cap adds a capability to the process's sets; --no-new-privs sets no_new_privs.
exec_caps_no_new_privs() {
    bundle_new
    bundle_set '.process.noNewPrivileges = false'
    bundle_args sleep 60
    ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    ctr_start || fail "start failed: $ERR"
    expect_exit 0 rt exec "$ID" sh -c 'grep -E "^(CapEff|NoNewPrivs)" /proc/self/status'
    expect_eq "$OUT" $'CapEff:\t0000000020000420\nNoNewPrivs:\t0' "caps and no_new_privs of a plain exec"
    expect_exit 0 rt exec --cap CAP_SYS_ADMIN --no-new-privs "$ID" sh -c 'grep -E "^(CapEff|NoNewPrivs)" /proc/self/status'
    expect_eq "$OUT" $'CapEff:\t0000000020200420\nNoNewPrivs:\t1' "caps and no_new_privs with --cap CAP_SYS_ADMIN --no-new-privs"
}
check caps_no_new_privs exec_caps_no_new_privs

# The caller gets the process's exit status (128+N when killed by signal N).
exec_exit_status() {
    _exec_container
    expect_exit 7 rt exec "$ID" sh -c 'exit 7'
    expect_exit 137 rt exec "$ID" sh -c 'kill -KILL $$'
    expect_exit 0 rt exec "$ID" true
    expect_eq "$(state_field status)" running "status after the exec'd processes ended"
}
check exit_status exec_exit_status

# stdin and stdout of a foreground exec are the caller's.
exec_stdio() {
    _exec_container
    printf 'line-from-stdin\n' > "$T/in"
    rt exec "$ID" sh -c 'read l; echo "got:$l"; echo to-stderr >&2' < "$T/in" > "$T/o" 2> "$T/e"
    RC=$?
    expect_rc 0
    expect_eq "$(cat "$T/o")" "got:line-from-stdin" "stdout of the exec'd process"
    expect_contains "$(cat "$T/e")" "to-stderr" "stderr of the exec'd process"
}
check stdio exec_stdio

# --tty with --console-socket (and --detach: runc refuses a console socket otherwise, and
# that is how engines call it): the pty master goes to the socket; the process's stdio is
# the pty slave (a pts of the container's devpts) and its controlling terminal.
exec_tty() {
    _exec_container
    local sock="$T/console.sock"
    timeout 20 python3 "$CONF_DIR/lib/console_receiver.py" "$sock" "$T/console.out" > "$T/receiver.log" 2>&1 &
    local receiver=$!
    wait_for 5 test -S "$sock" || fail "the console receiver did not start: $(cat "$T/receiver.log")"
    expect_exit 0 rt exec -d -t --console-socket "$sock" "$ID" sh -c 'tty; readlink /proc/self/fd/1; echo "tty_nr=$(cut -d " " -f 7 /proc/self/stat)"'
    wait_bg "$receiver" 10 || fail "the pty never reached EOF"
    [ "$RC" -eq 0 ] || fail "the console receiver failed: $(cat "$T/receiver.log")"
    OUT=$(tr -d '\r' < "$T/console.out")
    printf '# console output:\n%s\n' "$OUT"
    expect_match "$(head -n 1 <<< "$OUT")" '^/dev/pts/[0-9]+$' "tty of the exec'd process"
    expect_eq "$(sed -n 2p <<< "$OUT")" "$(head -n 1 <<< "$OUT")" "stdout of the exec'd process"
    expect_match "$(sed -n 3p <<< "$OUT")" '^tty_nr=[1-9][0-9]*$' "controlling terminal"
    expect_exit 0 rt exec "$ID" sh -c "ls /dev/pts | grep -c '^[0-9]' || true"
    expect_eq "$OUT" 0 "ptys left in the container's devpts after the exec"
}
check tty exec_tty

# --detach returns once the process runs; --pid-file holds its pid (host view).
exec_detach_pid_file() {
    _exec_container
    expect_exit 0 rt exec -d --pid-file "$T/exec.pid" "$ID" sleep 30
    local pid
    pid=$(cat "$T/exec.pid" 2>/dev/null)
    expect_match "$pid" '^[1-9][0-9]*$' "pid file content"
    [ -d "/proc/$pid" ] || fail "the detached process $pid does not run"
    expect_eq "$(tr '\0' ' ' < "/proc/$pid/cmdline")" "sleep 30 " "command line of pid $pid"
    expect_eq "$(readlink "/proc/$pid/ns/pid")" "$(readlink "/proc/$PID/ns/pid")" "pid namespace of the detached process"
    kill -KILL "$pid"
}
check detach_pid_file exec_detach_pid_file

# A --process file (what conmon and containerd's shim pass) is the whole process.
exec_process_json() {
    _exec_container
    jq -n '{terminal: false, user: {uid: 1000, gid: 1000}, args: ["sh", "-c", "pwd; echo $X; id -u"],
            env: ["PATH=/bin", "X=from-json"], cwd: "/tmp"}' > "$T/process.json"
    expect_exit 0 rt exec --process "$T/process.json" "$ID"
    expect_eq "$OUT" $'/tmp\nfrom-json\n1000' "output of the --process file's command"
}
check process_json exec_process_json

# --preserve-fds passes the caller's fds 3.. to the process.
exec_preserve_fds() {
    _exec_container
    printf 'preserved-data\n' > "$T/data"
    rt exec --preserve-fds 1 "$ID" sh -c 'cat <&3' 3< "$T/data" > "$T/o" 2> "$T/e"
    RC=$?
    expect_rc 0
    expect_eq "$(cat "$T/o")" "preserved-data" "data read from fd 3"
}
check preserve_fds exec_preserve_fds

# A missing program is an error naming it; nothing runs and the container is unchanged.
exec_missing_binary() {
    _exec_container
    local before
    before=$(cat "/proc/$PID/task/$PID/children" 2>/dev/null)
    expect_exit nonzero rt exec "$ID" no-such-program
    expect_contains "$ERR" 'no-such-program' "error of exec"
    expect_contains "$ERR" 'executable file not found in $PATH' "error of exec"
    expect_exit nonzero rt exec "$ID" /bin/no-such-program
    expect_contains "$ERR" "no-such-program" "error of exec with a path"
    expect_eq "$(state_field status)" running "status after the failed exec"
    expect_exit 0 rt exec "$ID" sh -c 'ps -o comm | grep -c no-such || true'
    expect_eq "$OUT" 0 "processes left by the failed exec"
}
check missing_binary exec_missing_binary

# Exec into a stopped container fails and starts nothing; so does one into a missing container.
exec_stopped() {
    _exec_container 'true'
    wait_status "$ID" stopped || fail "the container did not stop"
    expect_exit nonzero rt exec "$ID" sh -c 'echo ran > /dev/null'
    expect_exit nonzero rt exec "$RUN_ID-$CHECK_NO-missing" true
}
check stopped exec_stopped

# _freezer_file ID: the file that freezes the container's cgroup (v1 freezer or v2).
_freezer_file() {
    local f
    for f in /sys/fs/cgroup/freezer/swiftlet-conformance/"$1"/freezer.state /sys/fs/cgroup/swiftlet-conformance/"$1"/cgroup.freeze; do
        [ -f "$f" ] && { echo "$f"; return 0; }
    done
    return 1
}

_thaw() {
    case $1 in
        */freezer.state) echo THAWED > "$1" ;;
        *) echo 0 > "$1" ;;
    esac
}

# A paused container refuses exec unless --ignore-paused (the process then runs once the
# container is resumed).
exec_paused() {
    need_cgroup_controller freezer
    _exec_container
    local f
    f=$(_freezer_file "$ID") || fail "no freezer for the container's cgroup"
    case $f in
        */freezer.state) echo FROZEN > "$f" ;;
        *) echo 1 > "$f" ;;
    esac
    defer "_thaw $f"
    wait_status "$ID" paused || fail "status is not paused with the cgroup frozen"
    expect_exit nonzero rt exec "$ID" true
    expect_contains "$ERR" "paused" "error of exec into a paused container"
    rt exec --ignore-paused "$ID" echo ran-after-resume > "$T/ignore.out" 2> "$T/ignore.err" &
    local job=$!
    sleep 0.5
    _thaw "$f"
    wait_bg "$job" 10 || fail "exec --ignore-paused did not finish after the resume"
    expect_rc 0 "exit status of exec --ignore-paused"
    expect_eq "$(cat "$T/ignore.out")" ran-after-resume "output of exec --ignore-paused"
}
check paused exec_paused

# Exec into a created (not yet started) container works too: its namespaces exist.
exec_created() {
    bundle_new
    bundle_args sleep 60
    ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    expect_exit 0 rt exec "$ID" hostname
    expect_eq "$OUT" conformance "hostname seen by the exec'd process"
    expect_eq "$(state_field status)" created "status after the exec"
}
check created exec_created
