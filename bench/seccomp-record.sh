#!/usr/bin/env bash
# Overhead of the seccomp recorder (docs/hardening.md "Overhead"): wall time of `swiftlet run`
# of a workload with and without --seccomp-record, interleaved, N runs each, medians.
# Usage: bench/seccomp-record.sh [N]   (as root; builds a busybox rootfs in a temp dir)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
swiftlet=${SWIFTLET:-$here/.build/release/swiftlet}
n=${1:-20}
work=$(mktemp -d /tmp/swiftlet-recbench.XXXXXX)
trap 'rm -rf "$work"' EXIT
"$here/conformance/lib/rootfs.sh" "$work/rootfs" >/dev/null
root="$work/state"

median() { sort -n | awk '{a[NR]=$1} END {printf "%d\n", (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
ms() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null 2>&1; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000 )); }

bench() {  # NAME SCRIPT
    local name=$1 script=$2 plain=() rec=()
    jq --arg r "$work/rootfs" --arg s "$script" '.root.path = $r | .process.args = ["sh", "-c", $s]' \
        "$here/conformance/lib/base-config.json" > "$work/config.json"
    for i in $(seq "$n"); do
        plain+=("$(ms "$swiftlet" --root "$root" run --bundle "$work" "b$$-$i")")
        rec+=("$(ms "$swiftlet" --root "$root" run --seccomp-record "$work/p.json" --bundle "$work" "r$$-$i")")
    done
    local p r calls
    p=$(printf '%s\n' "${plain[@]}" | median)
    r=$(printf '%s\n' "${rec[@]}" | median)
    calls=$(jq '.syscalls[0].names | length' "$work/p.json")
    printf '%-28s plain %8.1f ms   recorded %8.1f ms   ratio %.2f   (%s distinct syscalls)\n' \
        "$name" "$(echo "$p/1000" | bc -l)" "$(echo "$r/1000" | bc -l)" "$(echo "$r/$p" | bc -l)" "$calls"
}

bench "ls + cat (small)" 'ls /; cat /etc/passwd'
bench "dd 100k syscalls" 'dd if=/dev/zero of=/dev/null bs=1 count=50000 2>/dev/null'
bench "20 fork+exec" 'i=0; while [ $i -lt 20 ]; do /bin/true; i=$((i+1)); done'
