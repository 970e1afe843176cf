# dropin: what engines and their test suites rely on when a runtime stands in for runc
# (issue 15), run against runc 1.1.5 itself: a frozen cgroup, the device cgroup's sources,
# a read-only /dev, --no-pivot, the pty's owner, exec's process file, umask, bind sources a
# user namespace cannot reach, exit codes, delete --force of nothing, a quota without a
# period, the seccomp -ENOSYS stub, the startContainer hook's conditions, the output formats
# (state, list, events), device access strings, run --keep, and capabilities the runtime
# itself lacks. Where runc 1.1.5 fails a check the comment above it says why (and
# conformance/README.md lists it).

# ---------------------------------------------------------------------------------------
# Helpers

# _dropin_freezer_dir CGROUP: the directory of CGROUP (below the hierarchy root) where the
# freezer lives: the v2 hierarchy, or the v1 freezer hierarchy.
_dropin_freezer_dir() {
    if host_cgroup_v2; then echo "/sys/fs/cgroup$1"; else echo "/sys/fs/cgroup/freezer$1"; fi
}

# _dropin_set_frozen DIR 1|0: freezes or thaws the cgroup DIR and waits until the kernel says so.
_dropin_set_frozen() {
    if [ -f "$1/freezer.state" ]; then
        local want=THAWED
        [ "$2" = 1 ] && want=FROZEN
        echo "$want" > "$1/freezer.state" || return 1
        wait_for 5 grep -qx "$want" "$1/freezer.state"
    else
        echo "$2" > "$1/cgroup.freeze" || return 1
        wait_for 5 grep -qx "frozen $2" "$1/cgroup.events"
    fi
}

# _dropin_cgroup_dirs CGROUP: every directory named CGROUP (below the hierarchy root) in any
# hierarchy, one per line.
_dropin_cgroup_dirs() {
    local d
    for d in "/sys/fs/cgroup$1" /sys/fs/cgroup/*"$1"; do
        [ -d "$d" ] && echo "$d"
    done
}

# _dropin_rmdir_cgroups CGROUP: removes every directory named CGROUP, deepest first (teardown).
_dropin_rmdir_cgroups() {
    local d
    for d in $(_dropin_cgroup_dirs "$1" | sort -r); do
        find "$d" -mindepth 1 -depth -type d -exec rmdir {} \; 2> /dev/null
        rmdir "$d" 2> /dev/null || echo "# could not remove $d"
    done
}

# _dropin_refused_quickly WHAT: `run -d` of the current bundle must fail within 5 s (not
# hang until RT_TIMEOUT) with a message on stderr.
_dropin_refused_quickly() {
    local start elapsed
    start=$(now_ms)
    rt run -d --bundle "$BUNDLE" "$ID" < /dev/null > "$T/$ID.out" 2> "$T/$ID.err"
    RC=$?
    elapsed=$(($(now_ms) - start))
    echo "# run -d exit status $RC after $elapsed ms: $(cat "$T/$ID.err")"
    [ "$RC" -ne 124 ] && [ "$RC" -ne 137 ] || fail "run -d $1 hung (killed after RT_TIMEOUT)"
    expect_rc nonzero "run -d $1"
    [ "$elapsed" -lt 5000 ] || fail "run -d $1 took $elapsed ms"
    expect_match "$(cat "$T/$ID.err")" '[^[:space:]]' "error message for run -d $1"
}

# ---------------------------------------------------------------------------------------
# 1. A frozen cgroup

# A container whose cgroupsPath is a cgroup that is already frozen cannot start its process
# (the child would freeze as it joins): create refuses at once and leaves nothing of its own;
# the frozen cgroup (the check's) is left as it was, still frozen.
dropin_frozen_cgroup() {
    need_cgroup_controller freezer
    bundle_new
    local cg="/swiftlet-conformance/$ID-frozen" dir
    dir=$(_dropin_freezer_dir "$cg")
    mkdir -p "$dir" || fail "cannot make $dir"
    defer "_dropin_rmdir_cgroups '$cg'"
    defer "_dropin_set_frozen '$dir' 0"
    _dropin_set_frozen "$dir" 1 || fail "cannot freeze $dir"
    bundle_set --arg cg "$cg" '.linux.cgroupsPath = $cg'
    bundle_args true
    _dropin_refused_quickly "in a frozen cgroup"
    expect_exit nonzero rt state "$ID"
    expect_eq "$(_dropin_cgroup_dirs "$cg" | tr '\n' ' ')" "$dir " "cgroups named $cg after the refusal"
    expect_eq "$(cat "$dir/cgroup.procs")" "" "processes in the frozen cgroup"
    _dropin_set_frozen "$dir" 1 || fail "the cgroup is no longer frozen"
    expect_nothing_left
}
check frozen_cgroup dropin_frozen_cgroup

# The same with the cgroupsPath below a frozen cgroup: the new cgroup is frozen from birth.
# The runtime removes the cgroups it made; the frozen parent stays.
# runc 1.1.5 FAILS this: it checks only the container's own cgroup, which does not exist yet,
# and then waits for its frozen init until it is killed.
dropin_frozen_parent() {
    need_cgroup_controller freezer
    bundle_new
    local parent="/swiftlet-conformance/$ID-frozen" dir
    dir=$(_dropin_freezer_dir "$parent")
    mkdir -p "$dir" || fail "cannot make $dir"
    defer "_dropin_rmdir_cgroups '$parent'"
    defer "_dropin_set_frozen '$dir' 0"
    _dropin_set_frozen "$dir" 1 || fail "cannot freeze $dir"
    bundle_set --arg cg "$parent/$ID" '.linux.cgroupsPath = $cg'
    bundle_args true
    _dropin_refused_quickly "below a frozen cgroup"
    wait_for 2 test -z "$(_dropin_cgroup_dirs "$parent/$ID")" ||
        fail "cgroups left below the frozen one: $(_dropin_cgroup_dirs "$parent/$ID" | tr '\n' ' ')"
    _dropin_set_frozen "$dir" 1 || fail "the parent cgroup is no longer frozen"
    expect_nothing_left
}
check frozen_parent dropin_frozen_parent

# ---------------------------------------------------------------------------------------
# 2. Device cgroup: linux.resources.devices alone decides access

# config-linux.md "Devices" makes nodes; "Allowed Device list" decides access, in order,
# the last matching rule winning. A node from linux.devices under the base deny-all rule
# cannot be opened; an allow rule makes it usable; a later deny of `w` takes writing away.
# (/dev/kmsg, 1:11, opened write-only: needs no privilege beyond the device cgroup.)
dropin_devices_resources_decide() {
    _dev_need_kmsg
    local script='exec 3> /dev/swc-kmsg && echo opened'
    bundle_new denied
    bundle_set '.linux.devices = [{path: "/dev/swc-kmsg", type: "c", major: 1, minor: 11, fileMode: 438}]'
    inside_any "$script"
    expect_not_contains "$OUT" opened "writing a linux.devices node under deny-all"
    expect_contains "$ERR" "Operation not permitted" "error opening it"

    bundle_new allowed
    bundle_set '.linux.devices = [{path: "/dev/swc-kmsg", type: "c", major: 1, minor: 11, fileMode: 438}]
        | .linux.resources.devices += [{allow: true, type: "c", major: 1, minor: 11, access: "rwm"}]'
    inside "$script"
    expect_eq "$OUT" opened "writing it with an allow rule"

    bundle_new last
    bundle_set '.linux.devices = [{path: "/dev/swc-kmsg", type: "c", major: 1, minor: 11, fileMode: 438}]
        | .linux.resources.devices += [{allow: true, type: "c", major: 1, minor: 11, access: "rwm"},
                                       {allow: false, type: "c", major: 1, minor: 11, access: "w"}]'
    inside_any "$script"
    expect_not_contains "$OUT" opened "writing it after allow rwm, deny w"
    expect_contains "$ERR" "Operation not permitted" "error opening it after deny w"
}
check devices_resources_decide dropin_devices_resources_decide

# ---------------------------------------------------------------------------------------
# 3. A read-only /dev

# A /dev tmpfs mounted "ro" still gets its default devices, /dev/pts and the other mounts
# below it; only then is it read-only.
dropin_readonly_dev() {
    bundle_new
    bundle_set '(.mounts[] | select(.destination == "/dev") | .options) += ["ro"]'
    inside_any 'ls /dev/null /dev/zero /dev/urandom /dev/tty > /dev/null && echo devices-ok
        [ -d /dev/pts ] && [ -e /dev/ptmx ] && echo pts-ok
        echo x > /dev/null && echo null-writable
        touch /dev/swc-new 2>&1 || echo dev-readonly
        grep " /dev " /proc/self/mountinfo'
    expect_rc 0 "run with a read-only /dev"
    expect_contains "$OUT" $'devices-ok\npts-ok\nnull-writable' "default devices, /dev/pts, /dev/null"
    expect_contains "$OUT" "Read-only file system" "creating a file in /dev"
    expect_contains "$OUT" dev-readonly "creating a file in /dev"
    expect_match "$(grep ' /dev ' <<< "$OUT")" ' /dev ro[, ]' "the /dev mount's flags"
}
check readonly_dev dropin_readonly_dev

# ---------------------------------------------------------------------------------------
# 4. --no-pivot

# With --no-pivot the host's mounts stay in the container's mount namespace under the
# chroot; a fully visible procfs among them would let a process that unshares a user and
# mount namespace mount a fresh, unmasked procfs (the kernel allows it when some procfs is
# fully visible). runc's own test: `unshare -mrpf` then `mount -t proc` must fail.
dropin_no_pivot_proc() {
    need_ns user
    bundle_new
    bundle_add_caps CAP_SETFCAP
    bundle_sh 'unshare -mrpf sh -c "mount -t proc none /proc && echo mounted-proc"; echo "status $?"'
    rt run --no-pivot --bundle "$BUNDLE" "$ID" < /dev/null > "$T/$ID.out" 2> "$T/$ID.err"
    RC=$?
    OUT=$(cat "$T/$ID.out")
    ERR=$(cat "$T/$ID.err")
    _log_captured
    expect_rc 0 "run --no-pivot"
    expect_not_contains "$OUT" mounted-proc "a new procfs mounted under --no-pivot"
    expect_contains "$OUT" "status " "the unshare ran"
}
check no_pivot_proc dropin_no_pivot_proc

# ---------------------------------------------------------------------------------------
# 5. The pty's owner

# _dropin_console_create SOCKET: starts a console receiver on SOCKET (its pid in RECEIVER).
_dropin_console_receiver() {
    CONSOLE_TIMEOUT=20 python3 "$CONF_DIR/lib/console_receiver.py" "$1" "$2" > "$1.log" 2>&1 &
    RECEIVER=$!
    wait_for 5 test -S "$1" || fail "the console receiver did not start: $(cat "$1.log")"
}

# With terminal true and a non-root process.user, the pty belongs to the process's uid (its
# group stays the devpts group, tty), so the process can reopen its terminal; the same for
# exec --tty --user.
dropin_terminal_owner() {
    bundle_new
    bundle_set '.process.terminal = true | .process.user = {uid: 1000, gid: 1000}'
    bundle_sh 'stat -c "run %u:%g" $(tty); echo reopened > $(tty) && echo run-reopen-ok; sleep 30'
    _dropin_console_receiver "$T/console.sock" "$T/console.out"
    rt create --console-socket "$T/console.sock" --bundle "$BUNDLE" "$ID" < /dev/null > "$T/$ID.out" 2> "$T/$ID.err" ||
        fail "create failed: $(cat "$T/$ID.err")"
    ctr_start || fail "start failed: $ERR"
    wait_file "$T/console.out" run-reopen-ok || fail "no output on the pty: $(cat "$T/console.out")"
    expect_contains "$(tr -d '\r' < "$T/console.out")" "run 1000:5" "owner of the run's pty"

    _dropin_console_receiver "$T/exec.sock" "$T/exec.out"
    rt exec --detach --tty --console-socket "$T/exec.sock" --user 1000:1000 "$ID" \
        sh -c 'stat -c "exec %u:%g" $(tty); echo reopened > $(tty) && echo exec-reopen-ok' \
        < /dev/null > "$T/exec.stdout" 2> "$T/exec.err"
    RC=$?
    expect_rc 0 "exec --detach --tty --user 1000:1000 ($(cat "$T/exec.err"))"
    wait_bg "$RECEIVER" 10 || fail "the exec's pty never reached EOF"
    OUT=$(tr -d '\r' < "$T/exec.out")
    expect_contains "$OUT" "exec 1000:5" "owner of the exec's pty"
    expect_contains "$OUT" exec-reopen-ok "reopening the exec's pty"
}
check terminal_owner dropin_terminal_owner

# ---------------------------------------------------------------------------------------
# 6. exec -p from a pipe, and a process file without user

# `exec -p /dev/stdin` and `exec -p <(...)` read the process JSON from a pipe. A process
# file without `user` runs as the container's user, not as root.
# runc 1.1.5 FAILS the second part: a missing user is Go's zero value, uid 0.
dropin_exec_process_pipe() {
    bundle_new
    bundle_set '.process.user = {uid: 1000, gid: 1000}'
    bundle_args sleep 60
    ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    ctr_start || fail "start failed: $ERR"
    local json='{"args": ["sh", "-c", "echo from-pipe $(id -u)"], "cwd": "/", "env": ["PATH=/bin"],
        "user": {"uid": 1000, "gid": 1000}}'
    rt exec -p /dev/stdin "$ID" <<< "$json" > "$T/exec1.out" 2> "$T/exec1.err"
    RC=$?
    expect_rc 0 "exec -p /dev/stdin ($(cat "$T/exec1.err"))"
    expect_eq "$(cat "$T/exec1.out")" "from-pipe 1000" "output of exec -p /dev/stdin"
    rt exec -p <(echo "$json") "$ID" < /dev/null > "$T/exec2.out" 2> "$T/exec2.err"
    RC=$?
    expect_rc 0 "exec -p <(...) ($(cat "$T/exec2.err"))"
    expect_eq "$(cat "$T/exec2.out")" "from-pipe 1000" "output of exec -p <(...)"
    json='{"args": ["sh", "-c", "echo no-user $(id -u):$(id -g)"], "cwd": "/", "env": ["PATH=/bin"]}'
    rt exec -p /dev/stdin "$ID" <<< "$json" > "$T/exec3.out" 2> "$T/exec3.err"
    RC=$?
    expect_rc 0 "exec -p without user ($(cat "$T/exec3.err"))"
    expect_eq "$(cat "$T/exec3.out")" "no-user 1000:1000" "a process file without user"
}
check exec_process_pipe dropin_exec_process_pipe

# ---------------------------------------------------------------------------------------
# 7. umask

# config.md "User": umask applies to the process, to an exec that inherits the container's
# process, and to an exec whose process file sets its own; a process file whose user has no
# umask (podman's exec after `podman run --umask`) keeps the container's.
# runc 1.1.5 FAILS this: exec ignores process.user.umask (its processes get 0022).
dropin_umask() {
    bundle_new
    bundle_set '.process.user.umask = 63'
    bundle_sh 'umask; sleep 60'
    ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    ctr_start || fail "start failed: $ERR"
    wait_file "$T/$ID.out" 0 || fail "no output"
    expect_eq "$(cat "$T/$ID.out")" 0077 "umask of the container's process"
    expect_exit 0 rt exec "$ID" sh -c umask
    expect_eq "$OUT" 0077 "umask of an exec"
    echo '{"args": ["sh", "-c", "umask"], "cwd": "/", "env": ["PATH=/bin"], "user": {"uid": 0, "gid": 0, "umask": 23}}' > "$T/p.json"
    expect_exit 0 rt exec -p "$T/p.json" "$ID"
    expect_eq "$OUT" 0027 "umask of an exec whose process file sets 0027"
    # podman's exec writes the user without the umask its --umask gave the container.
    echo '{"args": ["sh", "-c", "umask"], "cwd": "/", "env": ["PATH=/bin"], "user": {"uid": 0, "gid": 0}}' > "$T/p2.json"
    expect_exit 0 rt exec -p "$T/p2.json" "$ID"
    expect_eq "$OUT" 0077 "umask of an exec whose process file's user has no umask"
}
check umask dropin_umask

# ---------------------------------------------------------------------------------------
# 8. Bind sources a user namespace cannot reach

# In a user namespace the container's root is an unprivileged uid on the host, which cannot
# search a 0700 directory of the host's root. The runtime opens the bind sources itself
# (runc: mount fds), so such a source is mounted all the same.
dropin_userns_private_bind_source() {
    need_ns user
    bundle_new
    mkdir -p "$T/private/shared" || fail "mkdir"
    echo reachable > "$T/private/shared/file"
    chmod 700 "$T/private"
    bundle_set --arg s "$T/private/shared" '.linux.namespaces += [{type: "user"}]
        | .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
        | .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
        | .mounts += [{destination: "/mnt", type: "bind", source: $s, options: ["rbind", "ro"]}]'
    inside 'cat /mnt/file'
    expect_eq "$OUT" reachable "the file under the private bind source"
}
check userns_private_bind_source dropin_userns_private_bind_source

# The runtime makes its cgroup directories 0755 whatever its caller's umask, as systemd makes
# cgroups. Under an engine's umask 077, a new parent cgroup made 0700 cannot be searched by
# a user-namespace container's root (host uid 100000 here), which then cannot bind its own
# cgroup at /sys/fs/cgroup (the base config's cgroup mount), and the container fails.
# runc 1.1.5 FAILS this: its cgroup directories take the umask, and create fails.
dropin_userns_cgroup_umask() {
    need_ns user
    bundle_new
    local parent="/swiftlet-conformance/$ID-umask" saved d n=0
    defer "_dropin_rmdir_cgroups '$parent'"
    bundle_set --arg cg "$parent/$ID" '.linux.cgroupsPath = $cg
        | .linux.namespaces += [{type: "user"}]
        | .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
        | .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]'
    bundle_sh 'ls /sys/fs/cgroup > /dev/null && echo bound'
    cgroup_parent_ready
    saved=$(umask)
    umask 077
    ctr_create
    RC=$?
    umask "$saved"
    [ "$RC" -eq 0 ] || fail "create under umask 077: $(cat "$T/$ID.err")"
    for d in $(_dropin_cgroup_dirs "$parent") $(_dropin_cgroup_dirs "$parent/$ID"); do
        expect_eq "$(stat -c %a "$d")" 755 "mode of $d"
        n=$((n + 1))
    done
    [ "$n" -gt 0 ] || fail "no cgroup directories named $parent"
    ctr_start || fail "start: $ERR"
    wait_status "$ID" stopped || fail "the container did not stop"
    expect_eq "$(cat "$T/$ID.out")" bound "the container's output"
    expect_exit 0 rt delete "$ID"
    expect_nothing_left
}
check userns_cgroup_umask dropin_userns_cgroup_umask

# ---------------------------------------------------------------------------------------
# 9, 10. Exit codes

# exec (like runc's) exits 255 when the runtime itself fails, so that an engine can tell
# that from the process exiting 1: a missing container, a paused one, a bad flag; and the
# process's own status otherwise. run does the same when it fails before the process runs.
# runc 1.1.5 FAILS this: a bad flag to exec exits 1 (the flag parser's status), and so does
# a run that fails.
dropin_exit_codes() {
    bundle_new
    bundle_args sleep 60
    ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    ctr_start || fail "start failed: $ERR"
    expect_exit 1 rt exec "$ID" sh -c 'exit 1'
    expect_exit 3 rt exec "$ID" sh -c 'exit 3'
    expect_exit 255 rt exec "$RUN_ID-no-such-container" true
    expect_exit 255 rt exec --no-such-flag "$ID" true
    expect_exit 255 rt exec -p "$T/no-such-process.json" "$ID"
    if host_has_controller freezer; then
        expect_exit 0 rt pause "$ID"
        expect_exit 255 rt exec "$ID" true
        expect_exit 0 rt resume "$ID"
    fi
    expect_exit 0 rt delete --force "$ID"
    bundle_new bad
    bundle_set '.process.args = ["/no/such/program"]'
    expect_exit 255 rt run --bundle "$BUNDLE" "$ID"
    expect_nothing_left
}
check exit_codes dropin_exit_codes

# delete --force of a container that does not exist succeeds quietly: engines call it to
# clean up whatever may be left.
dropin_delete_force_missing() {
    expect_exit 0 rt delete --force "$RUN_ID-$CHECK_NO-never-created"
    expect_eq "$OUT$ERR" "" "output of delete --force"
    expect_exit nonzero rt delete "$RUN_ID-$CHECK_NO-never-created"
}
check delete_force_missing dropin_delete_force_missing

# ---------------------------------------------------------------------------------------
# 14. Seccomp

# runc's -ENOSYS stub: under a profile whose default action is not "allow", a syscall newer
# than every syscall the profile names fails with ENOSYS, not the default errno, so that
# glibc falls back (clone3, faccessat2, ...). Older syscalls the profile leaves out still
# get the default errno.
dropin_seccomp_enosys_stub() {
    need_seccomp errno
    bundle_new
    _sec_rootfs_with_helper
    _sec_seccomp "$(sec_docker_profile)"
    inside 'syscall nr:1000; syscall mount s:none s:/mnt s:tmpfs 0 0'
    expect_eq "$OUT" $'errno 38\nerrno 1' "an unknown syscall (1000), then mount (in the profile's range, not allowed)"
}
check seccomp_enosys_stub dropin_seccomp_enosys_stub

# SCMP_ACT_NOTIFY on write would deadlock the agent (it writes too): refused at create, with
# a message naming write, and nothing left.
dropin_seccomp_notify_write() {
    need_seccomp user_notif
    bundle_new
    _sec_seccomp "$(jq -n --arg p "$T/agent.sock" '{defaultAction: "SCMP_ACT_ALLOW", listenerPath: $p,
        syscalls: [{names: ["mkdir", "write"], action: "SCMP_ACT_NOTIFY"}]}')"
    ctr_create
    expect_rc nonzero "create with SCMP_ACT_NOTIFY on write"
    expect_contains "$(cat "$T/$ID.err")" write "the error"
    expect_nothing_left
}
check seccomp_notify_write dropin_seccomp_notify_write

# config.md "startContainer hooks" run in the container before the program; runc runs them
# in the container's process right before its execve: with the process's uid, capabilities,
# no_new_privs and seccomp filter. So a hook the image controls gets no more than the program.
dropin_start_container_hook_conditions() {
    need_seccomp errno
    bundle_new
    bundle_private_rootfs
    mkdir -p "$T/out" && chmod 777 "$T/out"
    bundle_mount /out bind "$T/out" rbind
    printf '#!/bin/sh\n{ id -u; grep -E "^(CapEff|NoNewPrivs|Seccomp):" /proc/self/status; } > /out/hook.txt\n' \
        > "$BUNDLE/rootfs/bin/swc-hook"
    chmod 755 "$BUNDLE/rootfs/bin/swc-hook"
    bundle_set '.process.user = {uid: 1000, gid: 1000} | .process.noNewPrivileges = true
        | .linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
                            syscalls: [{names: ["swapon"], action: "SCMP_ACT_ERRNO"}]}
        | .hooks.startContainer = [{path: "/bin/swc-hook"}]'
    inside 'cat /out/hook.txt'
    local eff nnp sc
    expect_eq "$(head -n 1 <<< "$OUT")" 1000 "the hook's uid"
    eff=$(awk '$1 == "CapEff:" { print $2 }' <<< "$OUT")
    nnp=$(awk '$1 == "NoNewPrivs:" { print $2 }' <<< "$OUT")
    sc=$(awk '$1 == "Seccomp:" { print $2 }' <<< "$OUT")
    expect_eq "$eff" 0000000000000000 "the hook's effective capabilities"
    expect_eq "$nnp" 1 "the hook's no_new_privs"
    expect_eq "$sc" 2 "the hook's seccomp mode"
}
check start_container_hook_conditions dropin_start_container_hook_conditions

# ---------------------------------------------------------------------------------------
# 15. Output formats

# `state` is indented as Go's encoding/json indents it (two spaces, "key": value) with
# runc's keys in runc's order.
dropin_state_format() {
    bundle_new
    bundle_set '.annotations = {"org.example.key": "value"}'
    bundle_args sleep 60
    ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    expect_exit 0 rt state "$ID"
    expect_eq "$(head -n 1 <<< "$OUT")" "{" "first line"
    expect_match "$(sed -n 2p <<< "$OUT")" '^  "ociVersion": "[^"]+",$' "second line"
    expect_eq "$(jq -c keys_unsorted <<< "$OUT")" '["ociVersion","id","pid","status","bundle","rootfs","created","annotations","owner"]' "keys"
    expect_eq "$(grep -c ' : ' <<< "$OUT")" 0 "lines with \" : \""
    expect_match "$(grep '"pid"' <<< "$OUT")" '^  "pid": [1-9][0-9]*,$' "the pid line"
    expect_match "$(grep -A 2 '"annotations"' <<< "$OUT" | tr '\n' '|')" '^  "annotations": \{\|    "org.example.key": "value"\|  \},\|$' "the annotations"
}
check state_format dropin_state_format

# `list --format json` is one compact line, runc's keys in its order; the owner is a name.
dropin_list_format() {
    bundle_new
    bundle_args sleep 60
    ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    expect_exit 0 rt list --format json
    expect_eq "$(wc -l <<< "$OUT")" 1 "lines of list --format json"
    local entry
    entry=$(jq -c --arg id "$ID" '.[] | select(.id == $id)' <<< "$OUT")
    expect_eq "$(jq -c keys_unsorted <<< "$entry")" '["ociVersion","id","pid","status","bundle","rootfs","created","owner"]' "keys"
    expect_eq "$(jq -r .owner <<< "$entry")" root "owner"
    expect_exit 0 rt list
    expect_match "$(grep "^$ID " <<< "$OUT")" ' root$' "the owner column"
}
check list_format dropin_list_format

# `events --stats`: {"type", "id", "data"} with the data's members in runc's order (cpu,
# cpuset, memory, pids, blkio, hugetlb, intel_rdt, network_interfaces), and no member runc
# 1.1 does not have.
dropin_events_format() {
    need_cgroup_controller memory pids
    bundle_new
    bundle_args sleep 60
    ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    ctr_start || fail "start failed: $ERR"
    expect_exit 0 rt events --stats "$ID"
    expect_eq "$(jq -c keys_unsorted <<< "$OUT")" '["type","id","data"]' "keys of the event"
    expect_eq "$(jq -c '.data | keys_unsorted' <<< "$OUT")" \
        '["cpu","cpuset","memory","pids","blkio","hugetlb","intel_rdt","network_interfaces"]' "keys of data"
    expect_eq "$(jq -c '.data.cpu | keys_unsorted' <<< "$OUT")" '["usage","throttling"]' "keys of data.cpu"
    expect_eq "$(jq -c '.data.memory | keys_unsorted | map(select(. != "cache"))' <<< "$OUT")" \
        '["usage","swap","kernel","kernelTCP","raw"]' "keys of data.memory"
    expect_eq "$(jq -c .data.network_interfaces <<< "$OUT")" null "data.network_interfaces"
}
check events_format dropin_events_format

# The oom event is {"type":"oom","id":ID}, without data, as runc emits it.
dropin_events_oom_shape() {
    need_cgroup_controller memory
    bundle_new
    _cg_oom_memory
    _cg_running_container 'sleep 60'
    rt events --interval 500ms "$ID" > "$T/events.out" 2> "$T/events.err" &
    local job=$!
    defer "kill $job 2>/dev/null"
    sleep 1
    rt exec "$ID" sh -c 'dd if=/dev/zero of=/dev/null bs=200M count=1' > /dev/null 2>&1
    wait_for 5 _cg_has_event "$T/events.out" oom || fail "no oom event: $(head -c 300 "$T/events.out")"
    expect_eq "$(grep '"oom"' "$T/events.out" | head -n 1)" "{\"type\":\"oom\",\"id\":\"$ID\"}" "the oom event"
}
check events_oom_shape dropin_events_oom_shape

# ---------------------------------------------------------------------------------------
# 16. Device access strings

# An access string is what runc makes of it: the letters r, w and m in any order, repeated,
# with an `a` (all) among them ignored; a string without any of them is refused. `update`
# takes a devices list without complaint (neither runtime changes devices on update).
dropin_device_access_strings() {
    _dev_need_kmsg
    bundle_new
    bundle_set '.linux.resources.devices += [{allow: true, type: "c", major: 1, minor: 11, access: "wwa"}]'
    bundle_sh 'mknod /dev/swc-kmsg c 1 11 2> /dev/null; exec 3> /dev/swc-kmsg && echo opened; sleep 60'
    bundle_add_caps CAP_MKNOD
    ctr_create || fail "create with access \"wwa\" failed: $(cat "$T/$ID.err")"
    ctr_start || fail "start failed: $ERR"
    wait_file "$T/$ID.out" opened || fail "the device was not opened: $(cat "$T/$ID.out" "$T/$ID.err")"
    echo '{"devices": [{"allow": false, "access": "rwa"}], "pids": {"limit": 100}}' > "$T/r.json"
    expect_exit 0 rt update -r "$T/r.json" "$ID"
    expect_eq "$ERR" "" "stderr of update with a devices list"
    expect_exit 0 rt delete --force "$ID"

    bundle_new bad
    bundle_set '.linux.resources.devices += [{allow: true, type: "c", major: 1, minor: 11, access: "RWM"}]'
    _sec_create_must_fail 'access "RWM"'
}
check device_access_strings dropin_device_access_strings

# ---------------------------------------------------------------------------------------
# 13. run --keep

# `run --keep` leaves the stopped container (state and cgroup) for a later `delete`.
dropin_run_keep() {
    bundle_new
    bundle_args true
    rt run --keep --bundle "$BUNDLE" "$ID" < /dev/null > "$T/$ID.out" 2> "$T/$ID.err"
    RC=$?
    expect_rc 0 "run --keep ($(cat "$T/$ID.err"))"
    expect_eq "$(state_field status)" stopped "status after run --keep"
    [ -n "$(_cgroup_dirs "$ID")" ] || fail "no cgroup left by run --keep"
    expect_exit 0 rt delete "$ID"
    expect_nothing_left
}
check run_keep dropin_run_keep

# ---------------------------------------------------------------------------------------
# Capabilities the runtime does not hold

# A capability the runtime itself lacks (Docker 20.10's --privileged asks for every one it
# knows) cannot be given to the process: create refuses it, where an engine cleans up,
# rather than start. The runtime runs with CAP_SYS_RESOURCE dropped when the runner has it.
dropin_caps_runtime_lacks() {
    local wrap=()
    if grep -q '^CapBnd:' /proc/self/status && (( (0x$(awk '$1 == "CapBnd:" { print $2 }' /proc/self/status) >> 24) & 1 )); then
        command -v setpriv > /dev/null || skip "the runner has CAP_SYS_RESOURCE and there is no setpriv to drop it"
        wrap=(setpriv --bounding-set -sys_resource --inh-caps -sys_resource)
    fi
    bundle_new
    bundle_add_caps CAP_SYS_RESOURCE
    bundle_args true
    echo "+ ${wrap[*]} $RUNTIME_NAME create --bundle $BUNDLE $ID" >> "$T/log"
    timeout -k 5 "$RT_TIMEOUT" "${wrap[@]}" "$RUNTIME" --root "$STATE" create --bundle "$BUNDLE" "$ID" \
        < /dev/null > "$T/$ID.out" 2> "$T/$ID.err"
    RC=$?
    echo "# create exit status $RC: $(cat "$T/$ID.err")"
    expect_rc nonzero "create with CAP_SYS_RESOURCE, which the runtime lacks"
    expect_match "$(cat "$T/$ID.err")" '[^[:space:]]' "error message"
    expect_nothing_left
}
check caps_runtime_lacks dropin_caps_runtime_lacks

# runc's global `--rootless MODE` (before the command) is accepted, and `spec --rootless`
# stays spec's own flag: it writes a user namespace with the caller's id. (A bad mode is
# refused by swiftlet; runc 1.1.5 only looks at it where it decides on cgroups, so that is
# not asserted here.)
dropin_global_rootless() {
    mkdir -p "$T/spec"
    expect_exit 0 rt --rootless true list -q
    (cd "$T/spec" && rt spec --rootless) > "$T/.spec.out" 2>&1 || fail "spec --rootless failed: $(cat "$T/.spec.out")"
    expect_eq "$(jq -r '[.linux.namespaces[].type] | index("user") != null' "$T/spec/config.json")" true "a user namespace in spec --rootless"
    expect_eq "$(jq -r '.linux.uidMappings[0].hostID' "$T/spec/config.json")" "$(id -u)" "uidMappings[0].hostID of spec --rootless"
    rm -f "$T/spec/config.json"
    (cd "$T/spec" && rt --rootless auto spec --rootless) > "$T/.spec.out" 2>&1 || fail "--rootless auto spec --rootless failed: $(cat "$T/.spec.out")"
}
check global_rootless dropin_global_rootless
