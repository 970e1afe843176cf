#!/usr/bin/env bash
# Leak check after the whole test suite (issue 8), as root: the host must hold no swiftlet
# mount, no container cgroup below a swiftlet-* cgroup in any hierarchy, and no swiftlet,
# swiftlet-init or marked container process (SWIFTLET_ITEST= / SWIFTLET_CONFORMANCE= in the
# environment, as the integration tests and the conformance suite mark them) that the run made.
#
#   scripts/leaks.sh --snapshot FILE   record what is there now (before the run), print nothing
#   scripts/leaks.sh [--baseline FILE] report what is there and was not in FILE
#
# What existed before the run (a user's own swiftlet containers, their cgroups and mounts) is
# never reported: the tests touch only what they made. Prints each leftover and `leaks: N`;
# exits 1 when N > 0.
set -uo pipefail
mode=report
baseline=/dev/null
case ${1:-} in
--snapshot) mode=snapshot; out=${2:?usage: leaks.sh --snapshot FILE} ;;
--baseline) baseline=${2:?usage: leaks.sh --baseline FILE} ;;
"") ;;
*) echo "usage: leaks.sh [--snapshot FILE | --baseline FILE]" >&2; exit 2 ;;
esac

# items: one line per swiftlet thing on the host, stable across the run ("mount PATH",
# "cgroup PATH", "process PID START (comm)" with the start time, so a reused pid is new).
items() {
    awk '{print $5}' /proc/self/mountinfo | grep -E 'swiftlet' | sed 's/^/mount /'
    local parent dir proc pid comm state start
    for parent in /sys/fs/cgroup/swiftlet-* /sys/fs/cgroup/*/swiftlet-*; do
        [ -d "$parent" ] || continue
        for dir in "$parent"/*/; do
            [ -d "$dir" ] && echo "cgroup ${dir%/}"
        done
    done
    for proc in /proc/[0-9]*; do
        pid=${proc#/proc/}
        [ "$pid" = "$$" ] && continue
        comm=$(cat "$proc/comm" 2>/dev/null) || continue
        read -r state start < <(awk '{print $3, $22}' "$proc/stat" 2>/dev/null) || continue
        [ "$state" = Z ] && continue
        case "$comm" in
        swiftlet|swiftlet-init*) echo "process $pid $start ($comm)"; continue ;;
        esac
        if { tr "\0" "\n" < "$proc/environ"; } 2>/dev/null | grep -qE '^SWIFTLET_(ITEST|CONFORMANCE)='; then
            echo "process $pid $start ($comm) with a container marker"
        fi
    done
}

if [ "$mode" = snapshot ]; then
    items | sort > "$out"
    exit 0
fi
found=0
while IFS= read -r item; do
    echo "leak: $item"
    found=$((found + 1))
done < <(comm -13 <(sort "$baseline") <(items | sort))
if [ "$baseline" != /dev/null ] && [ -s "$baseline" ]; then
    echo "leaks: not counted, there before the run: $(wc -l < "$baseline")"
fi
echo "leaks: $found"
[ "$found" -eq 0 ]
