#!/usr/bin/env bash
# The whole test suite (what .ci/run calls), as root:
#   1. unit and integration tests (swift test)
#   2. the runtime-agnostic conformance suite against swiftlet, then against runc
#   3. the cgroup v2 + AppArmor batch in a VM (conformance/vm/run), swiftlet and runc
#   4. end-to-end checks under podman, containerd and Docker, with swiftlet and with runc, and
#      their self-test with another engine's state in place (tests/engines/selftest-preexisting.sh)
#   4b. Kubernetes pods through containerd's CRI plugin, swiftlet and runc handlers (tests/kubernetes)
#   5. the Debian package: built, installed with apt, the engines (run_echo, pid1, exec) against
#      the installed swiftlet found by name on PATH, removed with dpkg -r, nothing left; and
#      scripts/install.sh into a scratch --destdir and back out (tests/package/run, about 35 s)
#   6. a bounded libFuzzer run over config decoding (scripts/fuzz.sh, FUZZ_SECONDS=60)
#   7. the leak check of the host (scripts/leaks.sh), last
# Prints each tally as `N passed, M failed`; exits non-zero if swiftlet fails anything.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH=/opt/swift/usr/bin:$PATH
[ -x .build/release/swiftlet ] || scripts/setup.sh
status=0
passed=0
failed=0
summary=()
skips=()
# record NAME RC: one stage's outcome, for the summary at the end.
# stage NAME: the stage's header; how long each stage took is printed in the summary (CI
# must stay under 45 minutes on a 2-core machine).
STAGE= STAGE_T0=$SECONDS
times=()
stage() {
    [ -n "$STAGE" ] && times+=("$STAGE: $((SECONDS - STAGE_T0))s")
    STAGE=$1 STAGE_T0=$SECONDS
    echo "== $1"
}
record() {
    if [ "$2" -eq 0 ]; then passed=$((passed + 1)); summary+=("ok   $1"); else failed=$((failed + 1)); summary+=("FAIL $1"); status=1; fi
}
# collect_skips STAGE LOG: every check a stage skipped, with its reason, for the summary
# (conformance and engines print `skip NAME: why`, the VM `vm-R: skipped NAME: why`, Swift
# Testing `Suite/Test ... skipped: "why"`, or `Test ... was cancelled after ...: "why"` for a test
# that checked what it could and then skipped the rest). A skip is never a pass: it says what
# this host lacks.
# An optional third argument replaces the pattern (the VM's log has each runtime's own `skip`
# lines too; its `vm-R: skipped` lines name the runtime).
collect_skips() {
    local line pattern=${3:-'^(skip |vm-[a-z]+: skipped )|(Test|Suite) .* (skipped|was cancelled after [^:]*): "'}
    while IFS= read -r line; do
        skips+=("$1: $line")
    done < <(grep -E "$pattern" "$2" 2> /dev/null | sed -E 's/^[^A-Za-z]*//' | sort -u)
}
LOGS=$(mktemp -d /tmp/swiftlet-test-logs.XXXXXX)
# logged LOG COMMAND...: COMMAND with its output into LOG, shown as it comes; COMMAND's
# status. A file, not a pipe: a daemon an engine check starts (conmon, a shim) may keep
# inherited descriptors open, and a reader of a pipe would then wait for it forever.
logged() {
    local log=$1 pid
    shift
    # The log exists before tail looks for it: the background command's redirection may come
    # later, and a tail that finds no file gives up (the stage's output was then not shown).
    : > "$log"
    "$@" > "$log" 2>&1 < /dev/null &
    pid=$!
    tail -n +1 -f --pid="$pid" "$log"
    wait "$pid"
}

# What this machine is, first: a failure on another machine can then be read at once.
scripts/host-facts.sh
# What swiftlet already has on this host (a user's containers): the final leak check
# reports only what the run added, and no stage touches what was there.
scripts/leaks.sh --snapshot "$LOGS/before-leaks"

stage "swift test"
# The release binary has no SWIFTLET_FAULT (Package.swift: only builds defining SWIFTLET_FAULTS);
# FaultTests' killed-at-each-step cases run the debug swiftlet that `swift test` builds, and
# skip with the reason if it lacks fault injection.
SWIFTLET=$PWD/.build/release/swiftlet SWIFTLET_FAULTS_BINARY=$PWD/.build/debug/swiftlet swift test 2>&1 | tee "$LOGS/swift-test.log" | grep -vE '^\[[0-9]+/[0-9]+\]|warning: .*(mktemp|tmpnam)' | tail -n 40
record "swift test" "${PIPESTATUS[0]}"
collect_skips "swift test" "$LOGS/swift-test.log"
# The integration tests' containers sit under one parent cgroup per hierarchy; once they are
# deleted the empty parents go too (rmdir refuses a parent that still has a child, which the
# leak check at the end then reports).
for d in /sys/fs/cgroup/swiftlet-itest /sys/fs/cgroup/*/swiftlet-itest; do
    if [ -d "$d" ]; then rmdir "$d" 2>/dev/null || true; fi
done

stage "conformance: runc (reference)"
RUNTIME=$(command -v runc) logged "$LOGS/conformance-runc.log" conformance/run

stage "conformance: swiftlet"
RUNTIME=$PWD/.build/release/swiftlet logged "$LOGS/conformance-swiftlet.log" conformance/run
record "conformance (swiftlet)" $?
collect_skips "conformance (swiftlet)" "$LOGS/conformance-swiftlet.log"
collect_skips "conformance (runc)" "$LOGS/conformance-runc.log"

# cgroup v2 + AppArmor checks in one boot of an emulated VM (conformance/vm/README.md):
# swiftlet's failures fail the run, runc's tally is for reference; 125 = `VM: SKIPPED
# (reason)`, a machine that cannot run the VM at all (not a failure).
stage "vm: cgroup v2 + AppArmor"
SWIFTLET=$PWD/.build/release/swiftlet logged "$LOGS/vm.log" conformance/vm/run
rc=$?
if [ $rc -eq 125 ]; then
    summary+=("SKIP vm: cgroup v2 + AppArmor")
    skips+=("vm: $(grep -m1 '^VM: SKIPPED' "$LOGS/vm.log")")
else
    record "vm: cgroup v2 + AppArmor (swiftlet)" $rc
    collect_skips "vm" "$LOGS/vm.log" '^vm-[a-z]+: skipped '
fi

stage "engines"
# runc's tally is the reference; the exit status is swiftlet's (and leftovers')
SWIFTLET=$PWD/.build/release/swiftlet logged "$LOGS/engines.log" tests/engines/run
record "engines (swiftlet)" $?
collect_skips "engines" "$LOGS/engines.log"
# The engine suite leaves the host's own podman/containerd/Docker state alone: run with such
# state made up in place, it must pass and leave that state as it was (about 25 s).
SWIFTLET=$PWD/.build/release/swiftlet logged "$LOGS/engines-selftest.log" tests/engines/selftest-preexisting.sh
record "engines: host state left alone" $?

stage "kubernetes"
# containerd's CRI plugin with a swiftlet and a runc RuntimeClass handler, a kubelet-like client
# (tests/kubernetes/README.md); runc's tally is the reference, the exit status swiftlet's
SWIFTLET=$PWD/.build/release/swiftlet logged "$LOGS/kubernetes.log" tests/kubernetes/run
record "kubernetes (swiftlet)" $?
collect_skips "kubernetes" "$LOGS/kubernetes.log"

# The package as a user installs it. 125: `PACKAGE: SKIPPED (why)`, a host that already has a
# swiftlet of its own (never replaced) or no apt: not a failure.
stage "package: build, apt install, engines by name, dpkg -r"
logged "$LOGS/package.log" tests/package/run -v
rc=$?
if [ $rc -eq 125 ]; then
    summary+=("SKIP package")
    skips+=("package: $(grep -m1 '^PACKAGE: SKIPPED' "$LOGS/package.log")")
else
    record "package: build, install, engines by name, remove" $rc
    collect_skips "package" "$LOGS/package.log"
fi

stage "fuzz: config decoding and validation (${FUZZ_SECONDS:-60}s)"
scripts/fuzz.sh "${FUZZ_SECONDS:-60}"
record "fuzz" $?

stage "leaks: no swiftlet mount, cgroup or process left on the host"
scripts/leaks.sh --baseline "$LOGS/before-leaks"
record "leaks" $?

stage "summary"
scripts/host-facts.sh
printf '%s\n' "${summary[@]}"
if [ ${#skips[@]} -gt 0 ]; then
    echo "skipped on this host (${#skips[@]}), with the reason:"
    printf '  %s\n' "${skips[@]}"
fi
rm -rf "$LOGS"
echo "time per stage (${SECONDS}s in all):"
printf '  %s\n' "${times[@]}"
echo "stages: $passed passed, $failed failed"
exit $status
