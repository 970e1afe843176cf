#!/usr/bin/env bash
# The engine checks leave the host's own engine state alone (about 25 s here, as root):
#
#   tests/engines/selftest-preexisting.sh
#
# First it makes state as another podman, Docker or containerd would have it: directories in
# the parent cgroups libpod_parent, docker and swiftlet-engines, /run/containerd/fifo/keepme
# with a fifo, a stale socket and one a live process listens on in /run/containerd/s, and a
# process whose command line names the scratch directory. Then:
#   1. lib/snapshot.sh alone: after `snapshot_take`, new things of each kind appear, some the
#      run's (a cgroup, a socket, a fifo directory, a mount under $WORK, a process naming
#      $WORK), some another's (a cgroup with its process, a mount elsewhere, a process).
#      `snapshot_leftovers` must report and remove exactly the run's, note the others and
#      touch nothing that was there before.
#   2. `tests/engines/run -k run_echo` (every engine, both runtimes) with that state in place:
#      it must pass and report no leftovers, and the state must be intact afterwards.
# Prints `ok   selftest/NAME` or `FAIL selftest/NAME: why`, then `selftest: N passed, M failed`;
# exit status 0 iff nothing failed. Everything it made is removed at the end, and nothing else.
set -u

ENGINES_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ "$(id -u)" -eq 0 ] || { echo "selftest-preexisting: needs root" >&2; exit 2; }

MADE=()        # directories this script created, in creation order (removed in reverse)
PIDS=()        # processes it started
MOUNTS=()      # mounts it made outside a scratch directory
PASSED=0 FAILED=0

# made_dir PATH: creates PATH and each missing parent, recording the ones created.
made_dir() {
    local p=$1 missing=()
    while [ ! -e "$p" ]; do missing=("$p" "${missing[@]}"); p=$(dirname "$p"); done
    for p in "${missing[@]}"; do mkdir "$p" && MADE+=("$p") || return 1; done
}

# bind_socket PATH [listen]: a unix socket file at PATH; with `listen`, a process keeps
# listening on it (its pid added to PIDS), else the socket is left stale.
bind_socket() {
    if [ "${2:-}" = listen ]; then
        setsid python3 -c 'import socket, sys, time; s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(); print("up", flush=True); time.sleep(3600)' "$1" > "$SCRATCH/listener.out" 2>&1 < /dev/null &
        PIDS+=($!)
        disown
        local i
        for i in $(seq 50); do [ -S "$1" ] && grep -q up "$SCRATCH/listener.out" && return 0; sleep 0.1; done
        return 1
    fi
    python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$1"
}

# result NAME PROBLEMS: `ok` if PROBLEMS is empty, else `FAIL` with them on one line.
result() {
    if [ -z "$2" ]; then
        echo "ok   selftest/$1"
        PASSED=$((PASSED + 1))
    else
        echo "FAIL selftest/$1: $(tr '\n' ';' <<< "$2" | sed 's/;$//; s/;/; /g')"
        FAILED=$((FAILED + 1))
    fi
}

# missing PATH...: a line for each PATH (file, directory, socket) that is not there.
missing() {
    local p
    for p in "$@"; do [ -e "$p" ] || [ -S "$p" ] || echo "$p is gone"; done
}

# cleanup: stops the processes, unmounts the mounts and removes the directories this script
# made (a directory is removed only if this script created it), and its scratch directory.
cleanup() {
    local i p
    for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
    for p in "${MOUNTS[@]}"; do umount "$p" 2>/dev/null; rmdir "$p" 2>/dev/null; done
    rm -f /run/containerd/s/selftest-stale /run/containerd/s/selftest-live /run/containerd/fifo/keepme/ctr-stdout
    for ((i = ${#MADE[@]} - 1; i >= 0; i--)); do
        [ -e "${MADE[$i]}" ] || continue
        rmdir "${MADE[$i]}" 2>/dev/null || echo "selftest-preexisting: could not remove ${MADE[$i]}" >&2
    done
    rm -rf "$SCRATCH"
}
SCRATCH=$(mktemp -d /tmp/swiftlet-selftest.XXXXXX) || exit 2
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the host's state, as another engine's ----------------------------------------------------
KEEP=()
for d in /sys/fs/cgroup/{cpu,memory,pids}/libpod_parent/keepme /sys/fs/cgroup/pids/docker/keepme \
    /sys/fs/cgroup/memory/swiftlet-engines/keepme /run/containerd/fifo/keepme /run/containerd/s; do
    made_dir "$d" || { echo "selftest-preexisting: cannot make $d" >&2; exit 2; }
    KEEP+=("$d")
done
mkfifo /run/containerd/fifo/keepme/ctr-stdout && KEEP+=(/run/containerd/fifo/keepme/ctr-stdout)
bind_socket /run/containerd/s/selftest-stale && KEEP+=(/run/containerd/s/selftest-stale)
bind_socket /run/containerd/s/selftest-live listen && KEEP+=(/run/containerd/s/selftest-live)
[ ${#KEEP[@]} -eq 10 ] || { echo "selftest-preexisting: could not make the host's state" >&2; exit 2; }
LISTENER=${PIDS[0]}

# ---- 1. lib/snapshot.sh on its own ------------------------------------------------------------
(
    set -u
    WORK=$(mktemp -d /tmp/swiftlet-engines.XXXXXX) || exit 1
    CTR_NS=swiftlet-engines
    . "$ENGINES_DIR/lib/snapshot.sh"
    problems=
    # a process from before that names $WORK (it could be the host's): never killed
    setsid python3 -c 'import time; time.sleep(300)' "$WORK-old" < /dev/null > /dev/null 2>&1 &
    old=$!
    disown
    sleep 0.2
    snapshot_take || exit 1

    # the run's: a cgroup, a stale socket, a fifo directory, a mount under $WORK, a process
    mkdir /sys/fs/cgroup/pids/libpod_parent/run-new /run/containerd/fifo/run-new
    mkfifo /run/containerd/fifo/run-new/x-stdout
    bind_socket /run/containerd/s/run-new
    mkdir "$WORK/mnt" && mount -t tmpfs selftest "$WORK/mnt"
    setsid python3 -c 'import time; time.sleep(300)' "$WORK" < /dev/null > /dev/null 2>&1 &
    ours=$!
    disown
    # another's: a cgroup with its process, a mount elsewhere, a process
    mkdir /sys/fs/cgroup/pids/libpod_parent/other-new
    setsid sleep 300 < /dev/null > /dev/null 2>&1 &
    other=$!
    disown
    echo "$other" > /sys/fs/cgroup/pids/libpod_parent/other-new/cgroup.procs
    mkdir "$SCRATCH/other-mnt" && mount -t tmpfs selftest-other "$SCRATCH/other-mnt"
    sleep 0.2

    out=$(snapshot_leftovers); rc=$?
    echo "$out" > "$SCRATCH/leftovers.out"
    [ $rc -eq 1 ] || problems+="snapshot_leftovers exited $rc, not 1"$'\n'
    for want in "FAIL leftovers: processes: $ours " "FAIL leftovers: mounts: $WORK/mnt" \
        "FAIL leftovers: cgroups: /sys/fs/cgroup/pids/libpod_parent/run-new" \
        "/run/containerd/s/run-new" "/run/containerd/fifo/run-new/x-stdout" "/run/containerd/fifo/run-new" \
        "note: not the run's, left alone: mounts: $SCRATCH/other-mnt" \
        "left alone: cgroups: /sys/fs/cgroup/pids/libpod_parent/other-new"; do
        [[ "$out" == *"$want"* ]] || problems+="not reported: $want"$'\n'
    done
    [[ "$out" != *keepme* && "$out" != *selftest-* && "$out" != *"$old"* ]] || problems+="reported what was there before: $out"$'\n'
    sleep 0.2
    [ "$(awk '{ print $3 }' "/proc/$ours/stat" 2>/dev/null)" = Z ] || [ ! -e "/proc/$ours" ] || problems+="the run's process $ours lives"$'\n'
    kill -0 "$old" 2>/dev/null || problems+="the process from before ($old, naming \$WORK) was killed"$'\n'
    kill -0 "$other" 2>/dev/null || problems+="another's process $other was killed"$'\n'
    for p in /sys/fs/cgroup/pids/libpod_parent/run-new /run/containerd/s/run-new /run/containerd/fifo/run-new; do
        [ ! -e "$p" ] || problems+="$p not removed"$'\n'
    done
    grep -q " $WORK/mnt " /proc/self/mountinfo && problems+="$WORK/mnt still mounted"$'\n'
    grep -q " $SCRATCH/other-mnt " /proc/self/mountinfo || problems+="another's mount $SCRATCH/other-mnt unmounted"$'\n'
    [ -d /sys/fs/cgroup/pids/libpod_parent/other-new ] || problems+="another's cgroup removed"$'\n'
    problems+=$(missing "${KEEP[@]}")
    kill -0 "$LISTENER" 2>/dev/null || problems+="the listener on selftest-live was killed"$'\n'

    # this part's own things
    kill -KILL "$old" "$other" 2>/dev/null
    for i in $(seq 50); do rmdir /sys/fs/cgroup/pids/libpod_parent/other-new 2>/dev/null && break; sleep 0.1; done
    umount "$SCRATCH/other-mnt"
    umount "$WORK/mnt" 2>/dev/null
    rm -rf "$WORK"
    printf '%s' "$problems" > "$SCRATCH/snapshot.problems"
)
result snapshot "$(cat "$SCRATCH/snapshot.problems" 2>/dev/null || echo "the snapshot part did not finish")"
[ ! -s "$SCRATCH/snapshot.problems" ] || sed 's/^/    | /' "$SCRATCH/leftovers.out"

# ---- 2. a real run with that state in place ---------------------------------------------------
problems=
"$ENGINES_DIR/run" -k run_echo > "$SCRATCH/run.out" 2>&1 < /dev/null
rc=$?
[ $rc -eq 0 ] || problems+="tests/engines/run exited $rc: $(grep -E '^(FAIL|engines-)' "$SCRATCH/run.out" | tr '\n' ' ')"$'\n'
grep -q '^FAIL leftovers' "$SCRATCH/run.out" && problems+="$(grep '^FAIL leftovers' "$SCRATCH/run.out" | head -n 3)"$'\n'
grep -q 'keepme\|selftest-' "$SCRATCH/run.out" && problems+="the run named the host's state: $(grep 'keepme\|selftest-' "$SCRATCH/run.out" | head -n 1)"$'\n'
problems+=$(missing "${KEEP[@]}")
kill -0 "$LISTENER" 2>/dev/null || problems+="the listener on selftest-live was killed"$'\n'
result run "$problems"

echo "selftest: $PASSED passed, $FAILED failed"
[ $FAILED -eq 0 ]
