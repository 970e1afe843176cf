#!/usr/bin/env bash
# Assertions and helpers for one engine check. A check runs in its own bash process
# (lib/runcheck.sh) with a timeout; `fail` prints the reason and ends it.
#
# Environment of a check: ENGINE (podman, docker, containerd), RT (swiftlet or runc: the
# runtime's name as the engine knows it), RT_BIN (its path), RT_ROOT (the state root the engine
# makes the runtime use), WORK (the run's scratch directory), T (this check's directory),
# IMAGE (the local image's name), ENGINE_TIMEOUT (seconds one engine command may take).

fail() {
    echo "$*" > "$T/reason"
    echo "FAIL: $*" >&2
    exit 1
}

# expect_eq ACTUAL EXPECTED WHAT
expect_eq() {
    [ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"
}

# expect_contains HAYSTACK NEEDLE WHAT
expect_contains() {
    [[ "$1" == *"$2"* ]] || fail "$3: '$2' not in '$1'"
}

# expect_match TEXT ERE WHAT
expect_match() {
    [[ "$1" =~ $2 ]] || fail "$3: '$1' does not match /$2/"
}

# wait_for SECONDS CMD...: true once CMD succeeds, polling every 0.1 s.
wait_for() {
    local deadline=$((SECONDS + $1)); shift
    while ! "$@" >/dev/null 2>&1; do
        [ $SECONDS -lt $deadline ] || return 1
        sleep 0.1
    done
}

# log CMD...: runs CMD (eng and erun have their own timeout) with its output captured: OUT (stdout, trailing CRs dropped), ERR, RC.
# Everything is echoed into the check's log (stderr).
log() {
    echo "+ $*" >&2
    OUT=$("$@" 2>"$T/err" </dev/null)
    RC=$?
    OUT=${OUT//$'\r'/}
    ERR=$(cat "$T/err")
    echo "  rc=$RC out=$OUT" >&2
    [ -z "$ERR" ] || echo "  err=$ERR" >&2
    return 0
}

# expect_ok CMD...: log CMD and fail unless it exits 0.
expect_ok() {
    log "$@"
    [ "$RC" -eq 0 ] || fail "$* exited $RC: $ERR"
}

# cgroup_file PID CONTROLLER FILE: the path of FILE in PID's cgroup of CONTROLLER (v1 hierarchy).
cgroup_file() {
    local path
    path=$(awk -F: -v c="$2" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' "/proc/$1/cgroup")
    [ -n "$path" ] || return 1
    local mnt
    for mnt in /sys/fs/cgroup/"$2" /sys/fs/cgroup/*"$2"*; do
        [ -e "$mnt$path/$3" ] && { printf '%s\n' "$mnt$path/$3"; return 0; }
    done
    return 1
}

# nothing_left ID: fails if the runtime, the cgroups, the mount table or the process table still
# show the container ID (after the engine removed it).
nothing_left() {
    local id=$1
    [ -z "$RT_ROOT" ] || [ ! -e "$RT_ROOT/$id" ] || fail "runtime state $RT_ROOT/$id left behind"
    local left
    left=$(find /sys/fs/cgroup/ -maxdepth 4 -type d -name "*$id*" 2>/dev/null | head -n 3)
    [ -z "$left" ] || fail "cgroups left behind: $left"
    left=$(grep -F "$id" /proc/self/mountinfo | head -n 3)
    [ -z "$left" ] || fail "mounts left behind: $left"
    # the engine's own clean-up process (podman container cleanup ID) may still be finishing
    wait_for 10 _no_process_with "$id" || fail "processes left behind: $(_processes_with "$id")"
}

# _processes_with ID: command lines that mention ID (the pattern `a[b]cd...` never matches the
# grep that searches for it).
_processes_with() {
    local f
    for f in $(grep -lE "${1:0:1}[${1:1:1}]${1:2}" /proc/[0-9]*/cmdline 2>/dev/null); do
        tr '\0' ' ' < "$f" 2>/dev/null && echo
    done
}
_no_process_with() { [ -z "$(_processes_with "$1")" ]; }
