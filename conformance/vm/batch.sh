#!/usr/bin/env bash
# The VM test batch: runs INSIDE the guest that conformance/vm/run boots (as root, in the
# root cgroup 0::/ of a cgroup-v2-only kernel with AppArmor), never on a host.
#
#   batch.sh RESULTS -- RUNTIME...      (conformance/vm/run writes this line for you)
#
# For each RUNTIME (a path; its basename names the tally) it runs conformance/run (the
# suite's runner, lib/ and assertions) over the VM's own sections: every
# conformance/vm/checks-<section>.sh, as section <section> (checks-v2.sh is `v2`,
# checks-apparmor.sh is `apparmor`; a new checks-*.sh file is picked up without touching
# this file). The host suite (conformance/checks/) is not run here: it runs on the host,
# and under emulation it would cost many minutes. Then it prints
# `vm-<name>: N passed, M failed, K skipped`. Skipped checks are ones that could not run
# because the guest (or the runtime) lacks what they need (they name it); counted apart from the
# passed ones. RESULTS (a directory the host can read) gets:
#   booted                the guest reached the batch (the host's boot watchdog waits for it)
#   <name>.out            the conformance output of that runtime
#   <name>.skipped        one line per skipped check
#   tallies               the vm-<name> lines
# Environment from the host: VM_FILTERS (newline-separated -k filters), VM_VERBOSE=1 (-v).
set -uo pipefail

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CONF=$(cd "$VM_DIR/.." && pwd)
RESULTS=${1:?usage: batch.sh RESULTS -- RUNTIME...}
shift
[ "${1:-}" = -- ] && shift
[ $# -gt 0 ] || { echo "batch: no runtime given" >&2; exit 2; }

echo "booted $(cut -d' ' -f1 /proc/uptime)" > "$RESULTS/booted"
say() {
    echo "batch: $*" >&2
}
die() {
    echo "batch: $*" >&2
    echo "VM: BROKEN ($*)" >> "$RESULTS/tallies"
    exit 3
}

# --- The guest, checked: what the batch exists for must really be there.
[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] || die "/sys/fs/cgroup is not cgroup v2"
[ "$(cat /proc/self/cgroup)" = "0::/" ] || die "the batch is not in the root cgroup: $(cat /proc/self/cgroup)"
# Children of the root get every controller the kernel offers (the guest has no systemd to
# do it). The runtimes enable them further down their own cgroupsPath.
controllers=$(cat /sys/fs/cgroup/cgroup.controllers)
for c in $controllers; do
    echo "+$c" > /sys/fs/cgroup/cgroup.subtree_control || die "cannot enable the $c controller"
done
say "cgroup v2 controllers: $(cat /sys/fs/cgroup/cgroup.subtree_control)"
if [ ! -d /sys/kernel/security/apparmor ]; then
    mount -t securityfs securityfs /sys/kernel/security 2> /dev/null
fi
if [ "$(cat /sys/module/apparmor/parameters/enabled 2> /dev/null)" = Y ]; then
    say "AppArmor enabled ($(cat /sys/kernel/security/lsm 2> /dev/null))"
else
    say "AppArmor is NOT enabled: the apparmor checks will fail"
fi
# null_blk gives the io checks a block device (the guest root is 9p, without any disk).
modprobe null_blk nr_devices=2 2> /dev/null || say "no null_blk: the io and device checks will fail (VM_REQUIRE=1)"

# --- Scratch space. The 9p root is read-only and the guest's /tmp is itself an overlay, on
# which overlayfs (and some runtimes' rootfs handling) fails: a fresh tmpfs holds the state
# roots, the rootfs and the bundles.
WORK=/tmp/swiftlet-vm-batch
mkdir -p "$WORK" && mount -t tmpfs -o mode=755 swiftlet-vm "$WORK" || die "cannot mount a tmpfs on $WORK"

# A conformance tree with the repository's runner and lib/, and the VM sections as its
# checks/: conformance/run finds lib/ and checks/ beside itself and sources every
# checks/*.sh, so links suffice and nothing in the repository changes.
tree="$WORK/conformance"
mkdir -p "$tree/checks"
ln -s "$CONF/run" "$tree/run"
ln -s "$CONF/lib" "$tree/lib"
ln -s "$VM_DIR" "$tree/vm"
sections=()
for f in "$VM_DIR"/checks-*.sh; do
    [ -f "$f" ] || continue
    s=$(basename "$f" .sh)
    s=${s#checks-}
    ln -s "$f" "$tree/checks/$s.sh"
    sections+=("$s")
done
[ ${#sections[@]} -gt 0 ] || die "no conformance/vm/checks-*.sh file"
say "sections: ${sections[*]}"

args=()
while IFS= read -r f; do
    [ -n "$f" ] && args+=(-k "$f")
done <<< "${VM_FILTERS:-}"
[ "${VM_VERBOSE:-0}" = 1 ] && args+=(-v)

# run_one RUNTIME: the sections against RUNTIME, into $RESULTS/<name>.{out,skipped,tally}.
# The runtime runs from a copy on the tmpfs (swiftlet with its swiftlet-init beside it):
# every exec of a 10-30 MB binary through the guest's 9p root costs a second or more.
run_one() {
    local runtime=$1 name bin t0 line passed failed skipped
    name=$(basename "$runtime")
    : > "$RESULTS/$name.skipped"
    if [ ! -x "$runtime" ]; then
        echo "vm-$name: not run ($runtime is not an executable)" > "$RESULTS/$name.tally"
        return 1
    fi
    bin="$WORK/bin/$name"
    mkdir -p "$bin" && cp "$runtime" "$bin/" || { echo "vm-$name: not run (cannot copy $runtime)" > "$RESULTS/$name.tally"; return 1; }
    [ -x "$(dirname "$runtime")/swiftlet-init" ] && cp "$(dirname "$runtime")/swiftlet-init" "$bin/"
    say "conformance against $runtime ($("$bin/$name" --version 2> /dev/null | head -n 1))"
    t0=$SECONDS
    # Longer per-invocation bound than on a host: everything here is 20-35x slower.
    # VM_REQUIRE=1: a check that finds the guest without what it needs fails (lib-vm.sh).
    # VM_TIMES: checks that measure something (checks-criu.sh's podman commands) append to it.
    : > "$RESULTS/$name.times"
    # RESUME: the results of a first boot that timed out (conformance/vm/run keeps them as
    # <name>.done): those checks are counted as they were and not run again.
    RUNTIME=$bin/$name TMPDIR=$WORK RT_TIMEOUT=${RT_TIMEOUT:-60} SKIP_LOG="$RESULTS/$name.skipped" VM_REQUIRE=1 \
        VM_TIMES="$RESULTS/$name.times" RESUME="$RESULTS/$name.done" \
        "$tree/run" "${args[@]}" > "$RESULTS/$name.out" 2>&1
    line=$(grep -E "^$name: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$" "$RESULTS/$name.out" | tail -n 1)
    if [ -z "$line" ]; then
        echo "vm-$name: no tally (conformance/run broke off)" > "$RESULTS/$name.tally"
        return 1
    fi
    passed=$(awk '{ print $2 }' <<< "$line")
    failed=$(awk '{ print $4 }' <<< "$line")
    skipped=$(awk '{ print $6 }' <<< "$line")
    {
        sed "s/^/vm-$name: skipped /" "$RESULTS/$name.skipped"
        sed "s/^/vm-$name: time /" "$RESULTS/$name.times"
        echo "vm-$name: $passed passed, $failed failed, $skipped skipped ($((SECONDS - t0))s)"
    } > "$RESULTS/$name.tally"
    [ "$failed" -eq 0 ]
}

# The runtimes run side by side (VM_PARALLEL=1, the default): a run is one process after
# another, so the second vCPU is otherwise idle. Runs are independent (conformance/run keys
# everything by its run id), and the outputs are printed one after the other.
status=0
: > "$RESULTS/tallies"
pids=()
for runtime in "$@"; do
    if [ "${VM_PARALLEL:-1}" = 1 ]; then
        run_one "$runtime" &
        pids+=($!)
    else
        run_one "$runtime" || status=1
    fi
done
for p in "${pids[@]}"; do
    wait "$p" || status=1
done
for runtime in "$@"; do
    name=$(basename "$runtime")
    [ -f "$RESULTS/$name.out" ] && cat "$RESULTS/$name.out"
done
for runtime in "$@"; do
    name=$(basename "$runtime")
    tee -a "$RESULTS/tallies" < "$RESULTS/$name.tally"
done

umount -l "$WORK" 2> /dev/null
exit "$status"
