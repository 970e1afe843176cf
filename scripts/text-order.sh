#!/usr/bin/env bash
# Regenerates bench/text-order.txt: the functions the hot commands execute and the data they
# touch, which the release link places first in their sections (lld --symbol-ordering-file,
# see Package.swift) so that they share as few pages as possible: the runtime's peak RSS is
# mostly pages of the binary it touched (docs/performance.md "Peak RSS", "Round 2, third
# pass"). Run as root after a release build, then relink (rm .build/release/swiftlet;
# scripts/build-release.sh); needs valgrind, perf and cc; about five minutes.
# The list only steers the layout: a stale or missing entry costs locality, never correctness.
# BIN (default .build/release/swiftlet) and OUT (default bench/text-order.txt) override the paths.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release/swiftlet}
OUT=${OUT:-bench/text-order.txt}
[ -x "$BIN" ] || { echo "text-order.sh: build first: scripts/build-release.sh" >&2; exit 1; }
work=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
busybox=${BUSYBOX:-/bin/busybox}
conformance/lib/rootfs.sh "$work/rootfs" >/dev/null
for name in true sleep; do
    mkdir -p "$work/$name"
    # Long enough for exec's runtime process single-stepped below (minutes): a container
    # that exits first makes exec fail early and its code go unrecorded.
    args='["/bin/true"]'; [ $name = sleep ] && args='["/bin/sleep","3600"]'
    python3 - "$work" "$name" "$args" <<'PY'
import json, sys
work, name, args = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
config = json.load(open("bench/base-config.json"))
config["root"] = {"path": work + "/rootfs", "readonly": True}
config["process"]["args"] = args
config["process"]["terminal"] = False
config["linux"]["cgroupsPath"] = "/swiftlet-text-order/" + name
json.dump(config, open("%s/%s/config.json" % (work, name), "w"))
PY
done
# Valgrind cannot run the child (no clone3) and does not see the init's side: callgrind covers
# the runtime's own path of each command, perf samples cover the child's.
strip --strip-debug -o "$work/swiftlet" "$BIN"
cp "$(dirname "$BIN")/swiftlet-init" "$work/"
S="$work/swiftlet --root $work/state"
V="valgrind --tool=callgrind --demangle=no"
L="valgrind --tool=lackey --trace-mem=yes"
T="$work/step-trace"
cc -O2 -o "$work/step-trace" bench/step-trace.c
unshare -m sh -c "
mount --make-rprivate /
umount /sys/fs/cgroup/unified 2>/dev/null || true
cd $work
$V --callgrind-out-file=cg.create $S create --bundle true a >/dev/null 2>&1 || true
$S delete -f a 2>/dev/null || true
$S create --bundle sleep b >/dev/null 2>&1
$V --callgrind-out-file=cg.state $S state b >/dev/null 2>&1 || true
$V --callgrind-out-file=cg.list $S list >/dev/null 2>&1 || true
$V --callgrind-out-file=cg.start $S start b >/dev/null 2>&1 || true
$S start b 2>/dev/null || true
$V --callgrind-out-file=cg.exec $S exec b /bin/true >/dev/null 2>&1 || true
$V --callgrind-out-file=cg.kill $S kill b KILL >/dev/null 2>&1 || true
sleep 0.3
$V --callgrind-out-file=cg.delete $S delete b >/dev/null 2>&1 || true
$S delete -f b 2>/dev/null || true
$V --callgrind-out-file=cg.run $S run --bundle true c >/dev/null 2>&1 || true
$S delete -f c 2>/dev/null || true
# The same commands under lackey, for the data they read and write (below).
$L --log-file=lk.create $S create --bundle true a >/dev/null 2>&1 || true
$S delete -f a 2>/dev/null || true
$S create --bundle sleep b >/dev/null 2>&1
$L --log-file=lk.state $S state b >/dev/null 2>&1 || true
$L --log-file=lk.list $S list >/dev/null 2>&1 || true
$L --log-file=lk.start $S start b >/dev/null 2>&1 || true
$S start b 2>/dev/null || true
$L --log-file=lk.exec $S exec b /bin/true >/dev/null 2>&1 || true
$L --log-file=lk.kill $S kill b KILL >/dev/null 2>&1 || true
sleep 0.3
$L --log-file=lk.delete $S delete b >/dev/null 2>&1 || true
$S delete -f b 2>/dev/null || true
$L --log-file=lk.run $S run --bundle true c >/dev/null 2>&1 || true
$S delete -f c 2>/dev/null || true
# Single-stepped (bench/step-trace.c): run's two processes until the child executes the init,
# and exec's runtime process, exactly (minutes: the slowest part of this script).
$T st.run.parent st.run.child $S run --bundle true d >/dev/null 2>&1 || true
$S delete -f d 2>/dev/null || true
$S run -d --bundle sleep e >/dev/null 2>&1 || true
$T st.exec.parent st.exec.child $S exec e /bin/true >/dev/null 2>&1 || true
$S delete -f e 2>/dev/null || true
perf record -q -g -F 20000 -o perf.run -- sh -c 'for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do $S run --bundle true r\$i; done' >/dev/null 2>&1
perf record -q -g -F 20000 -o perf.other -- sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do $S run -d --bundle sleep s\$i; $S exec s\$i /bin/true; $S state s\$i; $S list; $S delete -f s\$i; done' >/dev/null 2>&1
"
for dir in /sys/fs/cgroup/*/swiftlet-text-order; do [ -d "$dir" ] && rmdir "$dir"/* "$dir" 2>/dev/null || true; done
# Functions of `run` (create, start, delete) first, then those only other commands execute:
# the layout follows this order, so the commands engines call most share the fewest pages.
executed() {  # callgrind outputs..., then perf data files, each prefixed by @
    for f in "$@"; do
        case $f in
            @*) perf script -i "$work/${f#@}" -F ip,sym --no-demangle 2>/dev/null | awk '{print $2}' ;;
            *) grep -ohE '^c?fn=\([0-9]+\) .*' "$work/$f" | sed -E 's/^c?fn=\([0-9]+\) //; s/'"'"'[0-9]+$//' ;;
        esac
    done | LC_ALL=C sort -u
}
executed cg.run cg.create cg.start cg.delete @perf.run > "$work/first"
executed cg.state cg.list cg.kill cg.exec @perf.other | LC_ALL=C comm -23 - "$work/first" > "$work/second"
# Type i: glibc's ifunc resolvers (memcpy, strcmp, ...), which every start-up runs before main;
# left out they sat in five otherwise cold 64 KiB windows at the end of .text.
nm "$BIN" | awk '$2 ~ /^[tTwWi]$/ {print $3}' | LC_ALL=C sort -u > "$work/defined"
# Data symbols (Swift metadata and its caches, witness tables, descriptors, C tables) the same
# commands read or write, from lackey's memory trace: lld orders data sections by the same
# list, so the touched ones share pages instead of pulling in a 64 KiB fault-around window of
# .rodata/.data.rel.ro each, and the written ones (.data, .bss) dirty fewer private pages
# (docs/performance.md, "Round 2, third pass"). Our modules have a section per data symbol;
# the rest (libraries' objects) keep their place.
touched_data() {  # lackey logs...: data symbols in first-touch order
    python3 - "$BIN" "$@" <<'PY'
import bisect, subprocess, sys
syms = []
for line in subprocess.run(["nm", "-nS", "--no-demangle", sys.argv[1]], capture_output=True, text=True).stdout.splitlines():
    f = line.split()
    if len(f) == 4 and f[2] in "dDbBrRvV":
        syms.append((int(f[0], 16), max(int(f[1], 16), 1), f[3]))
starts = [s[0] for s in syms]
seen = set()
for log in sys.argv[2:]:
    with open(log, errors="replace") as f:
        for line in f:
            if len(line) < 4 or line[0] != " " or line[1] not in "LSM":
                continue
            address = int(line[3:line.index(",")], 16)
            i = bisect.bisect_right(starts, address) - 1
            if i >= 0 and address < syms[i][0] + syms[i][1] and syms[i][2] not in seen:
                seen.add(syms[i][2])
                print(syms[i][2])
PY
}
touched_data "$work"/lk.{run,create,start,delete,exec,state,list,kill} > "$work/data"
# Before those lists, the functions single-stepped above, grouped so that each process's code
# is one stretch: C (run's child, until it executes the init), P (run's runtime process), E
# (exec's runtime process), laid out as C&E-P, C-P-E, C&P-E, C&P&E, P&E-C, E-P-C, P-C-E. The child
# is cloned from the runtime and reaped by it, so its peak RSS is `run`'s peak unless its code
# is as compact as the parent's (run 6.1 -> 4.6 MiB with these groups; docs/performance.md).
functions_of() {  # step-trace outputs...: the functions holding those addresses, sorted
    python3 - "$BIN" "$@" <<'PY'
import bisect, subprocess, sys
syms = []
for line in subprocess.run(["nm", "-n", "--no-demangle", sys.argv[1]], capture_output=True, text=True).stdout.splitlines():
    f = line.split()
    if len(f) == 3 and f[1] in "tTwWi":
        syms.append((int(f[0], 16), f[2]))
starts = [s[0] for s in syms]
names = set()
for path in sys.argv[2:]:
    with open(path) as f:
        for line in f:
            i = bisect.bisect_right(starts, int(line, 16)) - 1
            if i >= 0:
                names.add(syms[i][1])
print("\n".join(sorted(names)))
PY
}
functions_of "$work/st.run.child" | LC_ALL=C sort > "$work/C"
functions_of "$work/st.run.parent" | LC_ALL=C sort > "$work/P"
functions_of "$work/st.exec.parent" | LC_ALL=C sort > "$work/E"
only() { LC_ALL=C comm -23 "$1" "$2"; }
both() { LC_ALL=C comm -12 "$1" "$2"; }
{
    both "$work/C" "$work/E" | only - "$work/P"
    only "$work/C" "$work/P" | only - "$work/E"
    both "$work/C" "$work/P" | only - "$work/E"
    both "$work/C" "$work/P" | both - "$work/E"
    both "$work/P" "$work/E" | only - "$work/C"
    only "$work/E" "$work/P" | only - "$work/C"
    only "$work/P" "$work/E" | only - "$work/C"
} > "$work/stepped"
{ cat "$work/stepped"; LC_ALL=C comm -12 "$work/first" "$work/defined"; LC_ALL=C comm -12 "$work/second" "$work/defined"; cat "$work/data"; } |
    awk '!seen[$0]++' > "$OUT"
echo "$OUT: $(wc -l < "$OUT") symbols ($(wc -l < "$work/stepped") functions single-stepped, $(wc -l < "$work/data") data)"
