#!/usr/bin/env bash
# What the host held before the run, and what the run added to it. A machine that runs these
# checks may use podman, containerd or Docker itself: a `libpod_parent` or `docker` cgroup, a
# containerd's /run/containerd (its IO fifos, its shims' sockets in /run/containerd/s), their
# mounts and processes. The run must leave all that alone.
#
# `snapshot_take` records, before anything starts, one sorted file per kind in
# $WORK/snapshot:
#   cgroups     every directory of the engines' parent cgroups (podman's libpod_parent,
#               dockerd's docker, the ctr namespace $CTR_NS), in every hierarchy
#   containerd  every path under /run/containerd, the directory itself included
#   podmancache /var/lib/containers, its cache/ and the files there: `podman import` writes
#               containers/image's blob info cache there whatever the storage configuration
#   mounts      "ID MOUNTPOINT" of every line of /proc/self/mountinfo
#   procs       "PID STARTTIME" of every process (a pid reused during the run is new)
# `snapshot_new KIND` lists what is there now and was not then. Only that is the run's to
# report and remove, and of that only what is provably the run's (`snapshot_leftovers`):
# another user may start a container while the run goes on. Without a snapshot nothing
# counts as new: nothing is removed.

# _snap_dir: where the snapshot lives.
_snap_dir() { echo "$WORK/snapshot"; }

# _snap_cgroups: every directory below (and including) the engines' parent cgroups, in every
# hierarchy (/sys/fs/cgroup/NAME on cgroup v2, /sys/fs/cgroup/CONTROLLER/NAME on v1).
_snap_cgroups() {
    local name
    for name in libpod_parent docker "${CTR_NS:?}"; do
        find /sys/fs/cgroup/"$name" /sys/fs/cgroup/*/"$name" -type d 2>/dev/null
    done | LC_ALL=C sort -u
}

# _snap_containerd: every path under /run/containerd, not descending into other file systems
# (a running container's rootfs mount of a containerd that is not the run's).
_snap_containerd() { find /run/containerd -xdev 2>/dev/null | LC_ALL=C sort; }

# _snap_podmancache: /var/lib/containers and its cache/ directory with the files in it.
_snap_podmancache() { ls -d /var/lib/containers /var/lib/containers/cache /var/lib/containers/cache/* 2>/dev/null | LC_ALL=C sort; }

# _snap_mounts: "ID MOUNTPOINT" for each mount (a mount ID is not reused while it is mounted).
_snap_mounts() { awk '{ print $1, $5 }' /proc/self/mountinfo | LC_ALL=C sort; }

# _snap_procs: "PID STARTTIME" for each process; the start time is field 22 of /proc/PID/stat,
# the 21st once "(comm) " (which may hold spaces and parentheses) is cut out.
_snap_procs() {
    cat /proc/[0-9]*/stat 2>/dev/null | sed -E 's/^([0-9]+) \(.*\) /\1 /' | awk '{ print $1, $21 }' | LC_ALL=C sort
}

# snapshot_take: records the host's state in $WORK/snapshot, before the run starts anything.
snapshot_take() {
    local dir kind
    dir=$(_snap_dir)
    mkdir -p "$dir" || return 1
    for kind in cgroups containerd podmancache mounts procs; do
        "_snap_$kind" > "$dir/$kind" || return 1
    done
}

# snapshot_new KIND: the lines of KIND (cgroups, containerd, podmancache, mounts, procs) there now and not
# in the snapshot; paths deepest first. Nothing without a snapshot.
snapshot_new() {
    local before
    before=$(_snap_dir)/$1
    [ -f "$before" ] || return 0
    LC_ALL=C comm -13 "$before" <("_snap_$1") | LC_ALL=C sort -r
}

# snapshot_had KIND LINE: true if LINE was in the snapshot of KIND, or if there is no
# snapshot (then everything counts as the host's).
snapshot_had() {
    local before
    before=$(_snap_dir)/$1
    [ -f "$before" ] || return 0
    grep -qxF -- "$2" "$before"
}

# snapshot_proc_is_new PID: true if process PID was started after the snapshot.
snapshot_proc_is_new() {
    local start
    start=$(sed -E 's/^[0-9]+ \(.*\) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $20 }')
    [ -n "$start" ] && ! snapshot_had procs "$1 $start"
}

# snapshot_our_procs: the pids of the new processes that are the run's: their command line
# names $WORK (daemons, conmon, shims, podman's clean-up), or they live in another mount
# namespace whose mounts name $WORK (a container's processes: their root is an overlay of the
# run's storage). A process that was there before is never listed.
snapshot_our_procs() {
    local new pid start selfns
    selfns=$(readlink /proc/self/ns/mnt)
    # the whole list first: the commands that compute it (their arguments name $WORK) are gone
    new=$(snapshot_new procs)
    while read -r pid start; do
        [ -n "$pid" ] && [ "$pid" != $$ ] && [ "$pid" != "$BASHPID" ] || continue
        if grep -qF -- "$WORK" "/proc/$pid/cmdline" 2>/dev/null; then
            echo "$pid"
        elif [ "$(readlink "/proc/$pid/ns/mnt" 2>/dev/null)" != "$selfns" ] &&
            grep -qF -- "$WORK" "/proc/$pid/mountinfo" 2>/dev/null; then
            echo "$pid"
        fi
    done <<< "$new"
}

# snapshot_path_in_use PATH: true if a live process holds PATH: a unix socket bound to it, or
# an open descriptor on it (a fifo).
snapshot_path_in_use() {
    ss -xaH 2>/dev/null | awk '{ print $5 }' | grep -qxF -- "$1" && return 0
    find /proc/[0-9]*/fd -lname "$1" 2>/dev/null | grep -q .
}

# snapshot_rmdir_new DIR...: removes each DIR that is empty and was not in the snapshot of
# /run/containerd (the directories containerd and ctr make there); children first.
snapshot_rmdir_new() {
    local d
    for d in "$@"; do
        [ -d "$d" ] && ! snapshot_had containerd "$d" && rmdir "$d" 2>/dev/null
    done
    return 0
}

# _snap_alive PID: true if process PID exists and is not a zombie.
_snap_alive() {
    local state
    state=$(sed -E 's/^[0-9]+ \(.*\) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $1 }')
    [ -n "$state" ] && [ "$state" != Z ]
}

# _snap_list WHAT LINES: "WHAT: first three (N in all)" on one line.
_snap_list() {
    local n
    n=$(grep -c . <<< "$2")
    printf '%s: %s' "$1" "$(head -n 3 <<< "$2" | tr '\n' ' ' | sed 's/ $//')"
    [ "$n" -le 3 ] || printf ' (%d in all)' "$n"
    echo
}

# snapshot_leftovers: once every engine is down, prints `FAIL leftovers: KIND: ...` for what
# the run added and left, and removes exactly that:
#   processes   snapshot_our_procs, killed (KILL)
#   mounts      new mounts whose mount point, source or options name $WORK (lazy unmount,
#               deepest first)
#   cgroups     new directories of the engines' parent cgroups without a live process after
#               that (rmdir, children first)
#   containerd  new sockets, fifos and directories in /run/containerd/s and
#               /run/containerd/fifo that no live process holds (removed); the directories
#               /run/containerd{,/s,/fifo} themselves, when new and empty, go silently
# What appeared meanwhile but is not the run's (a mount that does not name $WORK, a cgroup
# with another's process, a socket or fifo still held, anything else under /run/containerd)
# is named in an `engines: note:` line and left alone. Status 1 iff something was left.
snapshot_leftovers() {
    local status=0 pids pid d line point cmd left foreign i alive
    [ -d "$(_snap_dir)" ] || return 0

    pids=$(snapshot_our_procs)
    if [ -n "$pids" ]; then
        left=$(for pid in $pids; do cmd=$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null); cmd=${cmd% }; echo "$pid ${cmd:0:160}"; done)
        echo "FAIL leftovers: $(_snap_list processes "$left")"
        status=1
        for pid in $pids; do kill -KILL "$pid" 2>/dev/null; done
        # gone (or a zombie) before their cgroups and mounts are looked at
        for i in $(seq 50); do
            alive=0
            for pid in $pids; do _snap_alive "$pid" && alive=1; done
            [ $alive -eq 1 ] || break
            sleep 0.1
        done
    fi

    left= foreign=
    while read -r line; do
        [ -n "$line" ] || continue
        point=$(printf '%b' "$(awk '{ print $5 }' <<< "$line")")
        if [[ "$point" == "$WORK"/* || "$line" == *"$WORK"* ]]; then
            left+="$point"$'\n'
        else
            foreign+="$point"$'\n'
        fi
    done < <(_snapshot_new_mountinfo)
    if [ -n "$left" ]; then
        echo "FAIL leftovers: $(_snap_list mounts "$left")"
        status=1
        while read -r point; do [ -z "$point" ] || umount -l "$point" 2>/dev/null; done <<< "$left"
    fi
    [ -z "$foreign" ] || echo "engines: note: not the run's, left alone: $(_snap_list mounts "$foreign")"

    left= foreign=
    for d in $(snapshot_new cgroups); do
        [ -d "$d" ] || continue
        if [ -n "$(find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null)" ]; then
            foreign+="$d"$'\n'
        else
            left+="$d"$'\n'
            rmdir "$d" 2>/dev/null
        fi
    done
    [ -z "$left" ] || { echo "FAIL leftovers: $(_snap_list cgroups "$left")"; status=1; }
    [ -z "$foreign" ] || echo "engines: note: not the run's (a process of another is in them), left alone: $(_snap_list cgroups "$foreign")"

    left= foreign=
    for d in $(snapshot_new containerd); do
        case $d in
            /run/containerd | /run/containerd/s | /run/containerd/fifo)
                rmdir "$d" 2>/dev/null ;;
            /run/containerd/s/* | /run/containerd/fifo/*)
                if [ -d "$d" ] && [ ! -L "$d" ]; then
                    rmdir "$d" 2>/dev/null && left+="$d"$'\n'
                elif snapshot_path_in_use "$d"; then
                    foreign+="$d"$'\n'
                else
                    rm -f "$d" && left+="$d"$'\n'
                fi ;;
            *)
                [ ! -e "$d" ] || foreign+="$d"$'\n' ;;
        esac
    done
    [ -z "$left" ] || { echo "FAIL leftovers: $(_snap_list /run/containerd "$left")"; status=1; }
    [ -z "$foreign" ] || echo "engines: note: not the run's, left alone: $(_snap_list /run/containerd "$foreign")"
    return $status
}

# _snapshot_new_mountinfo: the lines of /proc/self/mountinfo whose "ID MOUNTPOINT" is not in the
# snapshot, deepest mount point first.
_snapshot_new_mountinfo() {
    local before
    before=$(_snap_dir)/mounts
    [ -f "$before" ] || return 0
    awk 'NR == FNR { had[$0] = 1; next } !(($1 " " $5) in had)' "$before" /proc/self/mountinfo |
        awk '{ print length($5), $0 }' | LC_ALL=C sort -rn | cut -d' ' -f2-
}
