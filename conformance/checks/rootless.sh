# Rootless: the runtime run by an unprivileged user (docs/rootless.md). The runner is root;
# each check runs the runtime under test as $ROOTLESS_USER (default cloudsdk) with
# `setpriv --reuid --regid --clear-groups` and a clean environment whose XDG_RUNTIME_DIR is
# the check's own directory $T/xdg (mode 0700, the user's), so the default state root is
# $T/xdg/<runtime> (runc: $XDG_RUNTIME_DIR/runc) and nothing of the user's real session is
# touched. Bundles are the base config made rootless the way `runc spec --rootless` does it
# (user namespace mapping the user's uid and gid to root, size 1; no network namespace; /sys
# bound from the host; no uid=/gid= mount options; no linux.resources; no cgroupsPath). The
# checks look from inside the container and from the host (as root): the processes' host
# uids, their cgroups, the host files an attack aims at.
#
# Skips when the host has no such user, user namespaces are off, or (subuid_ranges) there is
# no newuidmap or no /etc/subuid range for the user. On a cgroup v1 or hybrid host no user
# may create cgroups, so these checks see containers without a cgroup of their own; the
# delegated cgroup v2 case runs in the VM (conformance/vm).
#
# runc 1.1.5 FAILS xdg_unset, xdg_shared, ps_kill_all, devpts_gid, readonly_locked_flags,
# spec_rootless_hardened and attack_proc_mount (see each check).

. "$CONF_DIR/lib/rootless.sh"

# ---------------------------------------------------------------------------------------
# Helpers of the attack checks

# _rl_victim NAME: a file of the user's outside every container, $T/u/NAME, and its
# fingerprint in RL_VICTIM_BEFORE.
_rl_victim() {
    RL_VICTIM="$T/u/$1"
    echo "the user's own file" > "$RL_VICTIM"
    chown "$RL_UID:$RL_GID" "$RL_VICTIM"
    RL_VICTIM_BEFORE=$(_atk_fingerprint "$RL_VICTIM")
}

_rl_expect_victim_unchanged() {
    expect_eq "$(_atk_fingerprint "$RL_VICTIM")" "$RL_VICTIM_BEFORE" "HOST CHANGED? the user's file $RL_VICTIM ($1)"
}

# ---------------------------------------------------------------------------------------
# State root (runc CLI: --root defaults to $XDG_RUNTIME_DIR/<runtime> when not root)

# Without --root the state lives in $XDG_RUNTIME_DIR/<runtime>/<id>, owned by the user, and
# every command finds it there.
rootless_default_root() {
    _rl_setup
    rl_bundle_new
    bundle_args sleep 30
    rl_create || fail "create (rootless, default root): $ERR"
    [ -d "$RL_STATE/$ID" ] || fail "no state directory $RL_STATE/$ID (XDG_RUNTIME_DIR=$RL_XDG)"
    expect_eq "$(stat -c %u "$RL_STATE/$ID")" "$RL_UID" "owner of $RL_STATE/$ID"
    expect_exit 0 rl list -q
    expect_contains "$OUT" "$ID" "list"
    expect_eq "$(rl_state_field status)" created "status"
    expect_exit 0 rl delete --force "$ID"
    rl_expect_nothing_left
}
check default_root rootless_default_root

# Without XDG_RUNTIME_DIR an unprivileged user has nowhere to keep state: create fails with a
# message naming XDG_RUNTIME_DIR, and nothing is made anywhere.
# runc 1.1.5 FAILS this: it falls back to /run/runc and reports only "mkdir /run/runc:
# permission denied".
rootless_xdg_unset() {
    _rl_setup
    rl_bundle_new
    RL_ENV=()
    expect_exit nonzero rl create --bundle "$BUNDLE" "$ID"
    expect_contains "$ERR" XDG_RUNTIME_DIR "the error of a create without XDG_RUNTIME_DIR"
    expect_eq "$(find "$T" -name "$ID" | tr '\n' ' ')" "" "state made anywhere under $T"
    RL_ENV=(XDG_RUNTIME_DIR="$RL_XDG")
    rl_expect_nothing_left
}
check xdg_unset rootless_xdg_unset

# An XDG_RUNTIME_DIR that other users can write (a sticky 1777 directory of root's, like
# /tmp) is no place for the user's state: another user could plant or swap the runtime's
# directory there. Refused with a message naming it; nothing is made in it.
# runc 1.1.5 FAILS this: it keeps its state in $XDG_RUNTIME_DIR/runc wherever that is.
rootless_xdg_shared() {
    _rl_setup
    rl_bundle_new
    bundle_args true
    mkdir -p "$T/shared"
    chmod 1777 "$T/shared"
    RL_ENV=(XDG_RUNTIME_DIR="$T/shared")
    EXTRA_STATE_ROOTS+=("$T/shared/$RUNTIME_NAME")
    expect_exit nonzero rl run --bundle "$BUNDLE" "$ID"
    expect_contains "$ERR" XDG_RUNTIME_DIR "the error of a create with a shared XDG_RUNTIME_DIR"
    expect_eq "$(ls -A "$T/shared")" "" "what the runtime made in the shared directory"
}
check xdg_shared rootless_xdg_shared

# `list` as the user: a state root that does not exist yet lists no containers, but one the
# user cannot read (root's, 0700) is an error naming the failure, not an empty list that
# would tell an engine every container is gone.
rootless_list_unreadable_root() {
    _rl_setup
    expect_exit 0 rl list -q
    expect_eq "$OUT" "" "list with no state root yet"
    mkdir -p "$RL_STATE"
    chown 0:0 "$RL_STATE"
    chmod 700 "$RL_STATE"
    expect_exit nonzero rl list -q
    expect_match "$ERR" '[Pp]ermission denied|not permitted' "the error of list with a root the user cannot read"
    expect_eq "$OUT" "" "stdout of the failed list"
    rm -rf "$RL_STATE"
}
check list_unreadable_root rootless_list_unreadable_root

# ---------------------------------------------------------------------------------------
# User namespace (config-linux.md "User namespace mappings")

# The user's own uid and gid, size 1, need no helper: root inside is the user outside, the
# gid map needs setgroups "deny" (user_namespaces(7)), and the host sees the user's uid.
rootless_single_mapping() {
    _rl_setup
    rl_bundle_new
    bundle_sh 'id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups; sleep 30'
    rl_create || fail "create: $ERR"
    local pid
    pid=$(rl_state_field pid) || fail "state"
    expect_eq "$(_rl_host_uid "$pid")" "$RL_UID" "host uid of the container's init"
    expect_exit 0 rl start "$ID"
    wait_for 5 grep -q deny "$T/$ID.out" || fail "the program printed: $(cat "$T/$ID.out")"
    local out
    out=$(tr -s ' ' < "$T/$ID.out" | sed 's/^ //')
    expect_eq "$out" "0"$'\n'"0"$'\n'"0 $RL_UID 1"$'\n'"0 $RL_GID 1"$'\n'"deny" "ids, maps and setgroups inside"
    expect_exit 0 rl kill "$ID" KILL
    wait_for 5 _rl_status_is "$ID" stopped || fail "not stopped after kill"
    expect_exit 0 rl delete "$ID"
    rl_expect_nothing_left
}
check single_mapping rootless_single_mapping

# _rl_subuid_range FILE: "start count" of the user's first range in /etc/subuid or
# /etc/subgid (by name or uid), or status 1.
_rl_subuid_range() {
    awk -F: -v n="$RL_USER" -v u="$RL_UID" '($1 == n || $1 == u) && NF == 3 { print $2, $3; found = 1; exit }
        END { exit !found }' "$1" 2> /dev/null
}

# Several ranges, as podman maps them (root to the user, 1.. from /etc/subuid and
# /etc/subgid), through newuidmap/newgidmap: the process runs as uid/gid 1000 inside, which
# the host sees as the range's start + 999; setgroups stays "allow".
rootless_subuid_ranges() {
    _rl_setup
    command -v newuidmap > /dev/null && command -v newgidmap > /dev/null ||
        skip "no newuidmap/newgidmap on this host (Debian package uidmap)"
    local us uc gs gc
    read -r us uc < <(_rl_subuid_range /etc/subuid) || skip "/etc/subuid has no range for $RL_USER"
    read -r gs gc < <(_rl_subuid_range /etc/subgid) || skip "/etc/subgid has no range for $RL_USER"
    [ "$uc" -ge 1000 ] && [ "$gc" -ge 1000 ] || skip "the subordinate ranges of $RL_USER hold fewer than 1000 ids"
    rl_bundle_new
    bundle_set --argjson u "$RL_UID" --argjson g "$RL_GID" --argjson us "$us" --argjson uc "$uc" \
        --argjson gs "$gs" --argjson gc "$gc" '
        .linux.uidMappings = [{containerID: 0, hostID: $u, size: 1}, {containerID: 1, hostID: $us, size: $uc}]
        | .linux.gidMappings = [{containerID: 0, hostID: $g, size: 1}, {containerID: 1, hostID: $gs, size: $gc}]
        | .process.user = {uid: 1000, gid: 1000}'
    bundle_sh 'id -u; id -g; wc -l < /proc/self/uid_map; cat /proc/self/setgroups; sleep 30'
    rl_create || fail "create: $ERR"
    expect_exit 0 rl start "$ID"
    wait_for 5 grep -q allow "$T/$ID.out" || fail "the program printed: $(cat "$T/$ID.out")"
    expect_eq "$(tr -d ' ' < "$T/$ID.out")" $'1000\n1000\n2\nallow' "ids, map lines and setgroups inside"
    local pid child
    pid=$(marked_pid_with_cmdline "sleep 30 ") || fail "no sleep process of the container on the host"
    expect_eq "$(_rl_host_uid "$pid")" "$((us + 999))" "host uid of the process (uid 1000 inside)"
    expect_exit 0 rl delete --force "$ID"
    rl_expect_nothing_left
}
check subuid_ranges rootless_subuid_ranges

# A range /etc/subuid does not give the user is refused (by newuidmap) with a message, and
# nothing is left: the user gains no id it was not granted.
rootless_mapping_not_granted() {
    _rl_setup
    rl_bundle_new
    bundle_set --argjson u "$RL_UID" '.linux.uidMappings = [{containerID: 0, hostID: $u, size: 1},
        {containerID: 1, hostID: 0, size: 1}]'
    bundle_args true
    expect_exit nonzero rl run --bundle "$BUNDLE" "$ID"
    expect_match "$ERR" '[Mm]ap' "the error of a create mapping host uid 0"
    rl_expect_nothing_left
}
check mapping_not_granted rootless_mapping_not_granted

# A single gid mapping written without privilege denies setgroups, so additionalGids cannot
# be given: an error, not a process without them.
rootless_additional_gids_denied() {
    _rl_setup
    rl_bundle_new
    bundle_set '.process.user.additionalGids = [0]'
    bundle_args true
    expect_exit nonzero rl run --bundle "$BUNDLE" "$ID"
    expect_match "$ERR" '[Aa]dditional' "the error of additionalGids with setgroups denied"
    rl_expect_nothing_left
}
check additional_gids_denied rootless_additional_gids_denied

# ---------------------------------------------------------------------------------------
# Commands (runtime.md "Operations", runc CLI)

# create, state, start, kill, delete as the user: the statuses, the init's host uid.
rootless_lifecycle() {
    _rl_setup
    rl_bundle_new
    bundle_sh 'echo started; sleep 30'
    rl_create || fail "create: $ERR"
    expect_eq "$(rl_state_field status)" created "status after create"
    local pid
    pid=$(rl_state_field pid) || fail "state"
    [ -d "/proc/$pid" ] || fail "the state's pid $pid is not a host process"
    expect_eq "$(_rl_host_uid "$pid")" "$RL_UID" "host uid of the init"
    [ -s "$T/$ID.out" ] && fail "the program ran before start"
    expect_exit 0 rl start "$ID"
    expect_eq "$(rl_state_field status)" running "status after start"
    wait_file "$T/$ID.out" started || fail "the program did not run"
    expect_exit nonzero rl delete "$ID"
    expect_exit 0 rl kill "$ID" KILL
    wait_for 5 _rl_status_is "$ID" stopped || fail "not stopped after kill KILL"
    expect_exit 0 rl delete "$ID"
    rl_expect_nothing_left
}
check lifecycle rootless_lifecycle

# exec as the user joins every namespace of the container, the pid namespace included (the
# runtime cannot enter that one itself), and reports the process's exit status.
rootless_exec() {
    _rl_setup
    rl_bundle_new
    bundle_args sleep 30
    rl_create || fail "create: $ERR"
    expect_exit 0 rl start "$ID"
    expect_exit 0 rl exec "$ID" sh -c 'id -u; cat /proc/1/cmdline | tr "\0" " "; echo; readlink /proc/self/ns/pid'
    local out=$OUT
    expect_eq "$(head -n 1 <<< "$out")" 0 "uid of the exec'd process"
    local pid
    pid=$(rl_state_field pid) || fail "state"
    expect_eq "$(sed -n 3p <<< "$out")" "$(readlink "/proc/$pid/ns/pid")" "pid namespace of the exec'd process"
    expect_exit 3 rl exec "$ID" sh -c 'exit 3'
    expect_exit 0 rl delete --force "$ID"
    rl_expect_nothing_left
}
check exec rootless_exec

# Without a cgroup of its own, `ps` and `kill --all` still reach every process of the
# container (its pid namespace).
# runc 1.1.5 FAILS this: both need the container's cgroup ("unable to get all container
# pids: lstat : no such file or directory").
rootless_ps_kill_all() {
    _rl_setup
    rl_bundle_new
    bundle_sh 'sleep 31 & sleep 32 & sleep 33'
    rl_create || fail "create: $ERR"
    expect_exit 0 rl start "$ID"
    local a b c
    wait_for 5 marked_pid_with_cmdline "sleep 31 " > /dev/null || fail "the program did not start its children"
    a=$(marked_pid_with_cmdline "sleep 31 ") && b=$(marked_pid_with_cmdline "sleep 32 ") || fail "no sleep processes"
    expect_exit 0 rl ps --format json "$ID"
    local pids=$OUT
    for c in "$a" "$b" "$(rl_state_field pid)"; do
        jq -e --argjson p "$c" 'index($p) != null' <<< "$pids" > /dev/null || fail "ps --format json: $c missing from $pids"
    done
    expect_exit 0 rl ps "$ID"
    expect_contains "$OUT" "sleep 32" "ps table"
    expect_exit 0 rl kill --all "$ID" KILL
    wait_for 5 _rl_status_is "$ID" stopped || fail "not stopped after kill --all"
    wait_for 3 _no_marked_pids || fail "processes left after kill --all: $(_marked_pids "$MARK" | tr '\n' ' ')"
    expect_exit 0 rl delete "$ID"
    rl_expect_nothing_left
}
check ps_kill_all rootless_ps_kill_all

# config-linux.md "Control groups", RootlessCgroupPolicy: where the user may not create
# cgroups (v1 or hybrid here) and the config asks for no resources, the container runs
# without a cgroup of its own (its processes stay in the cgroups of the runtime that made
# them); pause then fails with a message and changes nothing.
rootless_no_cgroup() {
    _rl_setup
    [ "$(stat -fc %T /sys/fs/cgroup)" != cgroup2fs ] || skip "a unified host: whether the user may create cgroups depends on delegation (the VM checks it)"
    rl_bundle_new
    bundle_args sleep 30
    rl_create || fail "create: $ERR"
    expect_exit 0 rl start "$ID"
    local pid
    pid=$(rl_state_field pid) || fail "state"
    expect_eq "$(rl_cgroup_dirs "$ID" | head -n 1)" "" "a cgroup named after the container"
    expect_eq "$(cat "/proc/$pid/cgroup")" "$(cat /proc/self/cgroup)" "the init's cgroups (those of the runtime's caller)"
    expect_exit nonzero rl pause "$ID"
    expect_match "$ERR" '[^[:space:]]' "the error of pause"
    expect_eq "$(rl_state_field status)" running "status after the refused pause"
    expect_exit 0 rl delete --force "$ID"
    rl_expect_nothing_left
}
check no_cgroup rootless_no_cgroup

# A limit the user cannot get (no cgroup it may create) is an error naming it, not a
# container without it.
rootless_resources_refused() {
    _rl_setup
    [ "$(stat -fc %T /sys/fs/cgroup)" != cgroup2fs ] || skip "a unified host: the limit may be applicable (the VM checks it)"
    rl_bundle_new
    bundle_set '.linux.resources = {pids: {limit: 100}}'
    bundle_args true
    expect_exit nonzero rl run --bundle "$BUNDLE" "$ID"
    expect_contains "$ERR" pids "the error of a rootless pids limit"
    rl_expect_nothing_left
}
check resources_refused rootless_resources_refused

# ---------------------------------------------------------------------------------------
# Mounts and devices without privilege

# config-linux.md "Default Devices" and "Devices": mknod is refused in a user namespace, so
# the nodes are binds of the host's (with the host's permissions); a linux.devices entry too.
rootless_devices() {
    _rl_setup
    host_char_device /dev/fuse 10:229 || skip "$HOST_LACKS"
    rl_bundle_new
    bundle_set '.linux.devices = [{path: "/dev/fuse", type: "c", major: 10, minor: 229, fileMode: 438}]'
    rl_inside 'for d in null zero full random urandom tty fuse; do stat -c "%n %F %t:%T" /dev/$d; done
        echo x > /dev/null && head -c 3 /dev/zero | wc -c'
    expect_eq "$OUT" "/dev/null character special file 1:3
/dev/zero character special file 1:5
/dev/full character special file 1:7
/dev/random character special file 1:8
/dev/urandom character special file 1:9
/dev/tty character special file 5:0
/dev/fuse character special file a:e5
3" "the devices inside"
}
check devices rootless_devices

# Without a network namespace of its own the container cannot mount sysfs (the user
# namespace does not own the host's network namespace): /sys is the host's, read-only.
# With one, sysfs is its own (only lo in /sys/class/net).
rootless_sysfs() {
    _rl_setup
    rl_bundle_new
    rl_inside 'ls /sys/class/net | sort | tr "\n" " "; touch /sys/x 2>/dev/null && echo wrote; true'
    expect_eq "$OUT" "$(ls /sys/class/net | sort | tr '\n' ' ')" "/sys/class/net without a network namespace"
    bundle_ns_add network
    bundle_set '.mounts |= map(if .destination == "/sys" then {destination: "/sys", type: "sysfs", source: "sysfs",
        options: ["nosuid", "noexec", "nodev", "ro"]} else . end)'
    rl_inside 'ls /sys/class/net | tr "\n" " "'
    expect_eq "$OUT" "lo " "/sys/class/net with a network namespace"
}
check sysfs rootless_sysfs

# The base config's devpts has gid=5 (the tty group), which a single mapping does not map:
# the mount cannot take it, and the container still gets its ptys.
# runc 1.1.5 FAILS this: "cannot specify gid= mount options for unmapped gid in rootless
# containers".
rootless_devpts_gid() {
    _rl_setup
    rl_bundle_new
    bundle_set '.mounts |= map(if .type == "devpts" then .options += ["gid=5"] else . end)'
    rl_inside 'test -c /dev/pts/ptmx && grep " /dev/pts " /proc/self/mounts'
    expect_contains "$OUT" devpts "the devpts mount"
}
check devpts_gid rootless_devpts_gid

# A read-only bind of a host mount that is nosuid,nodev,noexec: in a user namespace the
# kernel keeps those flags locked, so the read-only remount must keep them; the bind ends
# read-only and still nosuid,nodev,noexec.
# runc 1.1.5 FAILS this: it remounts the bind with MS_RDONLY alone, which the kernel refuses
# (EPERM: "mount ... flags: 0x1021: operation not permitted").
rootless_readonly_locked_flags() {
    _rl_setup
    mkdir -p "$T/locked"
    mount -t tmpfs -o nosuid,nodev,noexec,mode=755 swc-locked "$T/locked" || fail "cannot mount a tmpfs at $T/locked"
    defer "umount -l '$T/locked'"
    echo hello > "$T/locked/file"
    rl_bundle_new
    # /mnt exists in the rootfs (which the user may not write).
    bundle_mount /mnt bind "$T/locked" bind ro
    rl_inside 'cat /mnt/file; grep " /mnt " /proc/self/mounts; echo x > /mnt/file 2>/dev/null && echo wrote; true'
    expect_contains "$OUT" hello "the bind's content"
    expect_not_contains "$OUT" wrote "a write through the read-only bind"
    local opts
    opts=$(awk '$2 == "/mnt" { print $4 }' <<< "$OUT")
    local flag
    for flag in ro nosuid nodev noexec; do
        [[ ,$opts, == *,$flag,* ]] || fail "the bind's options '$opts' lack $flag"
    done
}
check readonly_locked_flags rootless_readonly_locked_flags

# ---------------------------------------------------------------------------------------
# Command line features

# --console-socket as the user: the pty master comes over the socket, the program's output
# reaches it.
rootless_console_socket() {
    _rl_setup
    rl_bundle_new
    bundle_set '.process.terminal = true'
    bundle_sh 'test -t 0 && tty && echo on-the-pty'
    local sock="$T/u/console.sock"
    _rl_as env CONSOLE_TIMEOUT=20 python3 "$CONF_DIR/lib/console_receiver.py" "$sock" "$T/u/console.out" \
        > "$T/receiver.log" 2>&1 &
    local receiver=$!
    wait_for 5 test -S "$sock" || fail "the console receiver did not start: $(cat "$T/receiver.log")"
    rl create --console-socket "$sock" --bundle "$BUNDLE" "$ID" < /dev/null > "$T/$ID.out" 2> "$T/$ID.err" ||
        fail "create --console-socket: $(cat "$T/$ID.err")"
    wait_for 5 test -e "$T/u/console.out.received" || fail "no pty master came over the console socket"
    expect_exit 0 rl start "$ID"
    wait_bg "$receiver" 10 || fail "the pty never reached EOF"
    expect_contains "$(tr -d '\r' < "$T/u/console.out")" on-the-pty "what the pty printed"
    expect_exit 0 rl delete --force "$ID"
    rl_expect_nothing_left
}
check console_socket rootless_console_socket

# --preserve-fds as the user: fd 3 reaches the process.
rootless_preserve_fds() {
    _rl_setup
    rl_bundle_new
    echo fd-three > "$T/u/three"
    bundle_sh 'cat <&3'
    rl run --preserve-fds 1 --bundle "$BUNDLE" "$ID" < /dev/null > "$T/out" 2> "$T/err" 3< "$T/u/three"
    RC=$?
    OUT=$(cat "$T/out")
    ERR=$(cat "$T/err")
    _log_captured
    expect_rc 0 "run --preserve-fds 1"
    expect_eq "$OUT" fd-three "what the process read from fd 3"
}
check preserve_fds rootless_preserve_fds

# config.md "POSIX-platform Hooks" as the user: prestart (in the runtime namespace) and
# poststop run, as the user, with the state on stdin.
rootless_hooks() {
    _rl_setup
    rl_bundle_new
    bundle_args true
    local hook="$T/u/hook.sh"
    printf '#!/bin/sh\n{ id -u; cat; echo; } > "%s/$1"\n' "$T/u" > "$hook"
    chmod 755 "$hook"
    bundle_set --arg h "$hook" '.hooks = {prestart: [{path: $h, args: ["hook", "prestart"]}],
        poststop: [{path: $h, args: ["hook", "poststop"]}]}'
    rl_run
    expect_rc 0 "run with hooks"
    local kind
    for kind in prestart poststop; do
        [ -s "$T/u/$kind" ] || fail "the $kind hook did not run"
        expect_eq "$(head -n 1 "$T/u/$kind")" "$RL_UID" "uid of the $kind hook"
        sed -n 2p "$T/u/$kind" | jq -e --arg id "$ID" '.id == $id' > /dev/null || fail "$kind: no state with the id on stdin"
    done
}
check hooks rootless_hooks

# ---------------------------------------------------------------------------------------
# spec

# `spec --rootless` writes a config that the same user can run (with the rootfs in place and
# no terminal).
rootless_spec_rootless() {
    _rl_setup
    local dir="$T/u/spec"
    mkdir -p "$dir"
    chown "$RL_UID:$RL_GID" "$dir"
    (cd "$dir" && rl spec --rootless) || fail "spec --rootless failed"
    BUNDLE=$dir
    CONFIG="$dir/config.json"
    ID="$RUN_ID-$CHECK_NO-spec"
    defer "rl delete --force $ID > /dev/null 2>&1 < /dev/null; true"
    bundle_set --arg r "$ROOTFS" --arg m "SWIFTLET_CONFORMANCE=$MARK" '.root.path = $r | .process.terminal = false
        | .process.env += [$m] | .process.args = ["sh", "-c", "id -u; echo ok"]'
    rl_run
    expect_rc 0 "run of spec --rootless's config"
    expect_eq "$OUT" $'0\nok' "its output"
    rl_expect_nothing_left
}
check spec_rootless rootless_spec_rootless

# `spec --rootless --hardened` (docs/rootless.md): the hardened config for the caller runs as
# the caller, with its default program (`id; echo hello`).
# runc 1.1.5 FAILS this: it has no --hardened.
rootless_spec_rootless_hardened() {
    _rl_setup
    local dir="$T/u/spec"
    mkdir -p "$dir"
    chown "$RL_UID:$RL_GID" "$dir"
    (cd "$dir" && rl spec --rootless --hardened > /dev/null 2>&1) || fail "spec --rootless --hardened failed"
    BUNDLE=$dir
    CONFIG="$dir/config.json"
    ID="$RUN_ID-$CHECK_NO-spec"
    defer "rl delete --force $ID > /dev/null 2>&1 < /dev/null; true"
    bundle_set --arg r "$ROOTFS" --arg m "SWIFTLET_CONFORMANCE=$MARK" '.root.path = $r | .process.env += [$m]'
    rl_run
    expect_rc 0 "run of spec --rootless --hardened's config"
    expect_contains "$OUT" hello "its output"
    rl_expect_nothing_left
}
check spec_rootless_hardened rootless_spec_rootless_hardened

# ---------------------------------------------------------------------------------------
# Attacks (conformance/checks/attacks.sh, security.sh) with the runtime run by the user. The
# user cannot reach host sysctls or root's files at all, so what an attack could take is the
# user's own: each aims at a file of the user's outside the container ($T/u/victim), which
# must stay unchanged and out of the container's reach.

# CVE-2023-25809 (rootless runc's /sys/fs/cgroup writable): without a cgroup of its own the
# container's /sys/fs/cgroup holds no cgroup it could change: no directory can be made and
# no cgroup.procs written in any cgroup filesystem there, even when the cgroup mount is asked
# read-write.
rootless_cgroup_mount() {
    _rl_setup
    rl_bundle_new
    bundle_set '.mounts |= map(if .type == "cgroup" then .options |= map(select(. != "ro")) else . end)'
    # Only cgroup filesystems count: /sys/fs/cgroup itself may be a tmpfs of the container's.
    rl_inside 'n=0; for d in /sys/fs/cgroup /sys/fs/cgroup/*; do case $(stat -fc %T "$d") in cgroup*)
        mkdir "$d/swc-x" 2>/dev/null && { n=$((n+1)); rmdir "$d/swc-x"; }; touch "$d/cgroup.procs" 2>/dev/null && n=$((n+1)); esac; done
        echo made=$n'
    expect_eq "$OUT" made=0 "cgroup directories or files the container could make or write"
    expect_eq "$(rl_cgroup_dirs swc-x | head -n 1)" "" "a swc-x cgroup on the host"
}
check cgroup_mount rootless_cgroup_mount

# CVE-2025-31133 rootless: /dev is a bind of a directory of the bundle whose `null` is a
# symlink to the user's file; masked files must be the real null device, and the user's file
# unchanged after the container wrote to them.
rootless_attack_masked_devnull() {
    _rl_setup
    mapfile -t ATK_MASKED < <(_atk_masked_candidates)
    [ ${#ATK_MASKED[@]} -gt 0 ] || skip "none of the masked /proc files exists on this host"
    _rl_control
    _rl_victim victim
    rl_bundle_new
    _rl_user_dir "$T/u/dev"
    ln -s "$RL_VICTIM" "$T/u/dev/null"
    _atk_dev_bind "$T/u/dev"
    bundle_set --argjson m "$(json_array "${ATK_MASKED[@]}")" '.linux.maskedPaths = $m'
    bundle_sh "for f in ${ATK_MASKED[*]}; do echo \"\$f|\$(stat -c '%F %t:%T' \$f)\"; echo pwned > \$f; done; echo end"
    rl_run
    if [ "$RC" -eq 0 ]; then
        local f
        for f in "${ATK_MASKED[@]}"; do
            grep -qxF "$f|character special file 1:3" <<< "$OUT" || fail "$f inside is not the null device: $OUT"
        done
    else
        echo "# OUTCOME: refused: $ERR"
        expect_contains "$ERR" /dev/null "the refusal"
        rl_expect_nothing_left
    fi
    _rl_expect_victim_unchanged "masked paths"
    expect_eq "$(readlink "$T/u/dev/null")" "$RL_VICTIM" "the bundle's /dev/null"
}
check attack_masked_devnull rootless_attack_masked_devnull

# CVE-2024-45310 rootless: a mount destination's parent is a symlink to a directory of the
# user's outside the container: nothing may be created there.
rootless_attack_mount_parent() {
    _rl_setup
    _rl_control
    mkdir -p "$T/u/hostdir"
    chown "$RL_UID:$RL_GID" "$T/u/hostdir"
    rl_bundle_new
    bundle_private_rootfs
    chown -R "$RL_UID:$RL_GID" "$BUNDLE/rootfs"
    ln -s "$T/u/hostdir" "$BUNDLE/rootfs/a"
    bundle_set '.root.readonly = false'
    bundle_mount /a/b/c tmpfs tmpfs
    bundle_args true
    rl_run
    if [ "$RC" -ne 0 ]; then
        echo "# OUTCOME: refused: $ERR"
        expect_contains "$ERR" /a/b/c "the refusal"
        rl_expect_nothing_left
    fi
    expect_eq "$(ls -A "$T/u/hostdir")" "" "HOST CHANGED? what appeared in the user's directory"
}
check attack_mount_parent rootless_attack_mount_parent

# CVE-2025-52565 rootless: /dev/console planted as a symlink to the user's file; the pty
# must not be bound over it, nor the program's output land in it.
rootless_attack_console() {
    _rl_setup
    _rl_control
    _rl_victim console-victim
    rl_bundle_new
    _rl_user_dir "$T/u/devc"
    _rl_user_dir "$T/u/devc/pts"
    ln -s pts/ptmx "$T/u/devc/ptmx"
    ln -s "$RL_VICTIM" "$T/u/devc/console"
    _atk_dev_bind "$T/u/devc"
    bundle_set '.process.terminal = true'
    bundle_sh 'echo pwned; echo pwned > /dev/console; echo end'
    local sock="$T/u/console.sock"
    _rl_as env CONSOLE_TIMEOUT=20 python3 "$CONF_DIR/lib/console_receiver.py" "$sock" "$T/u/console.out" \
        > "$T/receiver.log" 2>&1 &
    local receiver=$!
    wait_for 5 test -S "$sock" || fail "the console receiver did not start: $(cat "$T/receiver.log")"
    if rl create --console-socket "$sock" --bundle "$BUNDLE" "$ID" < /dev/null > "$T/$ID.out" 2> "$T/$ID.err"; then
        expect_exit 0 rl start "$ID"
        wait_bg "$receiver" 10 || fail "the pty never reached EOF"
        echo "# OUTCOME: ran"
        expect_contains "$(tr -d '\r' < "$T/u/console.out")" $'pwned\nend' "what the pty printed"
    else
        echo "# OUTCOME: refused: $(cat "$T/$ID.err")"
        expect_contains "$(cat "$T/$ID.err")" console "the refusal"
        kill "$receiver" 2> /dev/null
        rl_expect_nothing_left
    fi
    _rl_expect_victim_unchanged "/dev/console"
}
check attack_console rootless_attack_console

# Mounts inside /proc (the rule behind CVE-2025-52881, CVE-2019-16884 and CVE-2023-27561)
# are refused rootless as for root: a bind over /proc/sys/kernel/core_pattern, a tmpfs at
# /proc/sys.
# runc 1.1.5 FAILS this: it checks only bind mounts against /proc (the tmpfs is mounted).
rootless_attack_proc_mount() {
    _rl_setup
    _rl_control
    _rl_victim proc-victim
    local dest
    for dest in bind tmpfs; do
        rl_bundle_new "$dest"
        if [ "$dest" = bind ]; then
            bundle_mount /proc/sys/kernel/core_pattern bind "$RL_VICTIM" bind
        else
            bundle_mount /proc/sys tmpfs tmpfs
        fi
        bundle_args true
        expect_exit nonzero rl run --bundle "$BUNDLE" "$ID"
        expect_match "$ERR" '/proc/sys' "the error of a $dest inside /proc"
        rl_expect_nothing_left
    done
    _rl_expect_victim_unchanged "a bind over core_pattern"
}
check attack_proc_mount rootless_attack_proc_mount

# CVE-2019-5736 rootless: the runtime the user runs is a copy the user owns (as a runtime
# in ~/bin would be); the container tries to write /proc/1/exe and /proc/self/exe of what it
# can see: the user's copy stays unchanged.
rootless_attack_proc_exe() {
    _rl_setup
    mkdir -p "$T/u/bin"
    cp "$RUNTIME" "$T/u/bin/$RUNTIME_NAME"
    [ -e "$(dirname "$RUNTIME")/swiftlet-init" ] && cp "$(dirname "$RUNTIME")/swiftlet-init" "$T/u/bin/"
    chown -R "$RL_UID:$RL_GID" "$T/u/bin"
    local before
    before=$(md5sum < "$T/u/bin/$RUNTIME_NAME")
    rl_bundle_new
    bundle_sh 'echo x >> /proc/1/exe && echo wrote-exe; ls -l /proc/1/exe; exit 0'
    local saved=$RUNTIME
    RUNTIME="$T/u/bin/$RUNTIME_NAME"
    rl_run
    RUNTIME=$saved
    expect_rc 0 "run with the user's own copy of the runtime"
    expect_not_contains "$OUT" wrote-exe "appending to /proc/1/exe"
    expect_eq "$(md5sum < "$T/u/bin/$RUNTIME_NAME")" "$before" "HOST CHANGED? the user's copy of the runtime"
}
check attack_proc_exe rootless_attack_proc_exe
