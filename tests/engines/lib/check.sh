#!/usr/bin/env bash
# Assertions and helpers for one engine check. A check runs in its own bash process
# (lib/runcheck.sh) with a timeout; `fail` prints the reason and ends it, `skip` ends it
# without a verdict when the host lacks what the check needs (the `host_*` probes below).
#
# Environment of a check: ENGINE (podman, docker, containerd, podman-rootless), RT (swiftlet or runc: the
# runtime's name as the engine knows it), RT_BIN (its path), RT_ROOT (the state root the engine
# makes the runtime use), WORK (the run's scratch directory), T (this check's directory),
# IMAGE (the local image's name), ENGINE_TIMEOUT (seconds one engine command may take).

fail() {
    echo "$*" > "$T/reason"
    echo "FAIL: $*" >&2
    exit 1
}

# skip REASON...: ends the check neither passed nor failed: this host lacks what it needs. The
# run prints `skip RUNTIME ENGINE/NAME: REASON` and counts it apart. A check probes the host
# before it starts anything, so that it never passes where it could not look. Exit status 77
# (automake's "skipped") tells the run, with the reason in $T/skip.
skip() {
    printf '%s\n' "$*" | tr '\n' ' ' | sed 's/ *$//' > "$T/skip"
    echo "SKIP: $*" >&2
    exit 77
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

# _pid1_comm PROGRAM: the command name of PID 1 in a container of the runtime under test that
# runs PROGRAM: swiftlet-init with swiftlet (docs/architecture.md), PROGRAM itself with runc.
_pid1_comm() {
    case $RT in swiftlet) echo swiftlet-init ;; *) echo "$1" ;; esac
}

# ---- host probes: each prints what it found, or fails (status 1) and the check skips ---------

# host_cgroup_version: 2 if /sys/fs/cgroup is the cgroup v2 root (the engines then use v2 for
# every controller), 1 otherwise (v1 or hybrid: the controllers' v1 hierarchies).
host_cgroup_version() {
    [ "$(stat -fc %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ] && echo 2 || echo 1
}

# _v1_mount CONTROLLER: the mount point of the cgroup v1 hierarchy that has CONTROLLER.
_v1_mount() {
    awk -v c="$1" '{ p = $5; sub(/.* - /, "") }
        $1 == "cgroup" { n = split($3, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) { print p; exit } }' \
        /proc/self/mountinfo | grep .
}

# host_cgroup CONTROLLER: true if the engines can give a container's CONTROLLER its own cgroup
# here: a v1 hierarchy with it (v1, hybrid), or the v2 root offering it. The freezer is no v2
# controller: there every cgroup but the root has cgroup.freeze (Linux 5.2).
host_cgroup() {
    if [ "$(host_cgroup_version)" = 1 ]; then
        _v1_mount "$1" >/dev/null
    elif [ "$1" = freezer ]; then
        compgen -G '/sys/fs/cgroup/*/cgroup.freeze' >/dev/null
    else
        grep -qw "$1" /sys/fs/cgroup/cgroup.controllers 2>/dev/null
    fi
}

# rootless_cgroups_or_skip: rootless podman's containers get cgroups only on a cgroup v2 host
# with a subtree delegated to the user (docs/rootless.md "Cgroups"); on v1 or hybrid podman
# gives them none and refuses limits and pause itself.
rootless_cgroups_or_skip() {
    [ "$ENGINE" != podman-rootless ] || [ "$(host_cgroup_version)" = 2 ] ||
        skip "rootless podman on a cgroup v1 or hybrid host: the user may not create cgroups, so its containers get no limits and no freezer"
}

# host_cfs_bandwidth: true if the cpu controller has CFS bandwidth control (CONFIG_CFS_BANDWIDTH),
# which `--cpus` needs: cpu.cfs_quota_us (v1) or cpu.max (v2, in any cgroup but the root).
host_cfs_bandwidth() {
    local m
    if [ "$(host_cgroup_version)" = 1 ]; then
        m=$(_v1_mount cpu) && [ -e "$m/cpu.cfs_quota_us" ]
    else
        compgen -G '/sys/fs/cgroup/*/cpu.max' >/dev/null
    fi
}

# host_cap NUMBER: true if capability NUMBER is in this host's (root's) bounding set.
host_cap() {
    local bnd
    bnd=$(awk '/^CapBnd:/ { print $2 }' /proc/self/status)
    [ $(( 0x$bnd >> $1 & 1 )) -eq 1 ]
}

# image_has PROGRAM: true if the image (busybox-static from this host, conformance/lib/rootfs.sh)
# has the applet PROGRAM.
image_has() { [ -e "$WORK/rootfs/bin/$1" ]; }

# cgroup_limit_file PID CONTROLLER V1FILE V2FILE: the path of the container's file of
# CONTROLLER, V1FILE in its v1 hierarchy or V2FILE in its v2 cgroup, per the host's version.
cgroup_limit_file() {
    if [ "$(host_cgroup_version)" = 1 ]; then
        cgroup_file "$1" "$2" "$3"
    else
        cgroup2_file "$1" "$4"
    fi
}

# cgroup2_file PID FILE: the path of FILE in PID's cgroup v2 cgroup (a cgroup v2 host).
cgroup2_file() {
    local path
    path=$(awk -F: '$1 == "0" { print $3 }' "/proc/$1/cgroup")
    [ -n "$path" ] && [ -e "/sys/fs/cgroup$path/$2" ] || return 1
    printf '%s\n' "/sys/fs/cgroup$path/$2"
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
