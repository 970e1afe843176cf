# Rootless helpers: the runtime under test run as an unprivileged user, for
# checks/rootless.sh and conformance/vm/checks-rootless-v2.sh (sourced by them).
#
# RL_USER (ROOTLESS_USER, default cloudsdk) runs the runtime with `setpriv --reuid --regid
# --clear-groups` and a clean environment whose XDG_RUNTIME_DIR is the check's own $T/xdg;
# with RL_CGROUP set, the command is first moved into that cgroup (v2: a subtree delegated to
# the user, conformance/vm).

RL_USER=${ROOTLESS_USER:-cloudsdk}

# ---------------------------------------------------------------------------------------
# Helpers

# _rl_setup: the rootless user's ids in RL_UID/RL_GID (skips without one), the check's
# XDG_RUNTIME_DIR ($T/xdg, the user's, 0700) in RL_XDG, the default state root there in
# RL_STATE (also searched for leftovers by the teardown), and $T/u, a directory the user may
# write (hook output, sockets, victims of the attacks).
_rl_setup() {
    RL_UID=$(id -u "$RL_USER" 2> /dev/null) || skip "no user $RL_USER on this host (set ROOTLESS_USER to an unprivileged user)"
    [ "$RL_UID" -ne 0 ] || skip "ROOTLESS_USER=$RL_USER is root"
    RL_GID=$(id -g "$RL_USER")
    need_ns user
    command -v setpriv > /dev/null || skip "no setpriv (util-linux) on this host"
    RL_XDG="$T/xdg"
    mkdir -p "$RL_XDG" "$T/u"
    chown "$RL_UID:$RL_GID" "$RL_XDG" "$T/u"
    chmod 700 "$RL_XDG"
    RL_STATE="$RL_XDG/$RUNTIME_NAME"
    EXTRA_STATE_ROOTS+=("$RL_STATE")
    RL_ENV=(XDG_RUNTIME_DIR="$RL_XDG")
    _rl_as test -x "$ROOTFS/bin/sh" || skip "$RL_USER cannot reach the rootfs $ROOTFS"
    _rl_as test -x "$RUNTIME" || skip "$RL_USER cannot execute $RUNTIME"
}

# _rl_as COMMAND...: COMMAND as the rootless user, with a clean environment plus RL_ENV; in
# the cgroup RL_CGROUP when it is set (moved there by root before the switch).
_rl_as() {
    if [ -n "${RL_CGROUP:-}" ]; then
        sh -c 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"' sh "$RL_CGROUP" \
            setpriv --reuid="$RL_UID" --regid="$RL_GID" --clear-groups -- \
            env -i PATH="$PATH" HOME="$T/u" USER="$RL_USER" LOGNAME="$RL_USER" "${RL_ENV[@]}" "$@"
        return
    fi
    setpriv --reuid="$RL_UID" --regid="$RL_GID" --clear-groups -- \
        env -i PATH="$PATH" HOME="$T/u" USER="$RL_USER" LOGNAME="$RL_USER" "${RL_ENV[@]}" "$@"
}

# rl ARGS...: the runtime under test as the rootless user, bounded in time, traced into the
# log; no --root (the default root is the point).
rl() {
    echo "+ [$RL_USER ${RL_ENV[*]}] $RUNTIME_NAME $*" >> "$T/log"
    _rl_as timeout -k 5 "$RT_TIMEOUT" "$RUNTIME" "$@"
}

# rl_bundle_new [NAME]: bundle_new, made rootless as runc's ToRootless does; the container is
# deleted (as the user) when the check ends.
rl_bundle_new() {
    bundle_new "$@"
    bundle_set --argjson u "$RL_UID" --argjson g "$RL_GID" '
        .linux.namespaces |= (map(select(.type != "network" and .type != "user")) + [{type: "user"}])
        | .linux.uidMappings = [{containerID: 0, hostID: $u, size: 1}]
        | .linux.gidMappings = [{containerID: 0, hostID: $g, size: 1}]
        | del(.linux.resources) | del(.linux.cgroupsPath)
        | .mounts |= map(if .destination == "/sys"
            then {destination: "/sys", type: "none", source: "/sys", options: ["rbind", "nosuid", "noexec", "nodev", "ro"]}
            else (if .options then .options |= map(select((startswith("uid=") or startswith("gid=")) | not)) else . end) end)'
    defer "rl delete --force $ID > /dev/null 2>&1 < /dev/null; true"
}

# rl_create [ID]: `create` as the user with the container's stdio on files; sets RC.
rl_create() {
    local id=${1:-$ID}
    rl create --bundle "$BUNDLE" "$id" < /dev/null > "$T/$id.out" 2> "$T/$id.err"
    RC=$?
    ERR=$(cat "$T/$id.err")
    echo "# create exit status $RC${ERR:+: $ERR}"
    return "$RC"
}

# rl_run [ARGS...]: `run` of the current bundle as the user (ARGS before the id); sets OUT ERR RC.
rl_run() {
    rl run "$@" --bundle "$BUNDLE" "$ID" < /dev/null > "$T/$ID.out" 2> "$T/$ID.err"
    RC=$?
    OUT=$(cat "$T/$ID.out")
    ERR=$(cat "$T/$ID.err")
    _log_captured
}

# rl_inside SCRIPT: runs `sh -c SCRIPT` rootless and fails unless it exits 0; stdout in OUT.
rl_inside() {
    bundle_sh "$1"
    rl_run
    [ "$RC" -eq 0 ] || fail "sh -c '$1' (rootless) exited $RC: ${ERR:-$OUT}"
}

rl_state_field() {
    local json
    json=$(rl state "${2:-$ID}" 2> /dev/null < /dev/null) || return 1
    jq -r ".$1" <<< "$json"
}

_rl_status_is() {
    [ "$(rl_state_field status "$1")" = "$2" ]
}

# rl_cgroup_dirs ID: every cgroup directory named ID on the host (a rootless container's
# cgroup would be below the runtime's own cgroup, wherever that is).
rl_cgroup_dirs() {
    find /sys/fs/cgroup -mindepth 1 -maxdepth 8 -type d -name "$1" 2> /dev/null
}

# rl_expect_nothing_left [ID]: as expect_nothing_left, for the user's state root: `state`
# fails, `list` does not show it, no state entry, cgroup or marked process remains.
rl_expect_nothing_left() {
    local id=${1:-$ID}
    expect_exit nonzero rl state "$id"
    expect_exit 0 rl list -q
    expect_not_contains "$OUT" "$id" "list"
    expect_eq "$(find "$RL_XDG" -name "$id" 2> /dev/null | tr '\n' ' ')" "" "state entries left under $RL_XDG"
    expect_eq "$(rl_cgroup_dirs "$id" | head -n 1)" "" "cgroup left"
    wait_for 2 _no_marked_pids || fail "processes left: $(_marked_pids "$MARK" | tr '\n' ' ')"
}

# _rl_host_uid PID: the real uid of a host process.
_rl_host_uid() {
    awk '/^Uid:/ { print $2 }' "/proc/$1/status"
}

# _rl_control: the runtime runs a plain rootless container here (bundle "control"); an
# attack check proves nothing about a runtime that cannot run anything rootless, whose every
# create is refused for reasons of its own.
_rl_control() {
    rl_bundle_new control
    bundle_args true
    rl_run
    [ "$RC" -eq 0 ] || fail "control: a plain rootless container does not run: $ERR"
}

# _rl_user_dir PATH: makes PATH, a directory the user owns (what a bundle shares with its
# container is the user's).
_rl_user_dir() {
    mkdir -p "$1"
    chown "$RL_UID:$RL_GID" "$1"
}
