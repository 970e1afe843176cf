#!/usr/bin/env bash
# The whole test suite (what .ci/run calls), as root:
#   1. unit and integration tests (swift test)
#   2. the runtime-agnostic conformance suite against swiftlet, then against runc
#   3. the cgroup v2 + AppArmor batch in a VM (conformance/vm/run), swiftlet and runc
#   4. end-to-end checks under podman, containerd and Docker, with swiftlet and with runc
#   5. a bounded libFuzzer run over config decoding (scripts/fuzz.sh, FUZZ_SECONDS=60)
#   6. the leak check of the host (scripts/leaks.sh), last
# Prints each tally as `N passed, M failed`; exits non-zero if swiftlet fails anything.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH=/opt/swift/usr/bin:$PATH
[ -x .build/release/swiftlet ] || scripts/setup.sh
status=0
passed=0
failed=0
summary=()
# record NAME RC: one stage's outcome, for the summary at the end.
record() {
    if [ "$2" -eq 0 ]; then passed=$((passed + 1)); summary+=("ok   $1"); else failed=$((failed + 1)); summary+=("FAIL $1"); status=1; fi
}

echo "== swift test"
SWIFTLET=$PWD/.build/release/swiftlet swift test 2>&1 | tee /tmp/swiftlet-swift-test.log | grep -vE '^\[[0-9]+/[0-9]+\]|warning: .*(mktemp|tmpnam)' | tail -n 40
record "swift test" "${PIPESTATUS[0]}"
# The integration tests' containers sit under one parent cgroup per hierarchy; once they are
# deleted the empty parents go too (rmdir refuses a parent that still has a child, which the
# leak check at the end then reports).
for d in /sys/fs/cgroup/swiftlet-itest /sys/fs/cgroup/*/swiftlet-itest; do
    if [ -d "$d" ]; then rmdir "$d" 2>/dev/null || true; fi
done

echo "== conformance: runc (reference)"
RUNTIME=$(command -v runc) conformance/run || true

echo "== conformance: swiftlet"
RUNTIME=$PWD/.build/release/swiftlet conformance/run
record "conformance (swiftlet)" $?

# cgroup v2 + AppArmor checks in one boot of an emulated VM (conformance/vm/README.md):
# swiftlet's failures fail the run, runc's tally is for reference; 125 = `VM: SKIPPED
# (reason)`, a machine that cannot run the VM at all (not a failure).
echo "== vm: cgroup v2 + AppArmor"
SWIFTLET=$PWD/.build/release/swiftlet conformance/vm/run
rc=$?
if [ $rc -eq 125 ]; then summary+=("SKIP vm: cgroup v2 + AppArmor (the machine cannot run the VM)"); else record "vm: cgroup v2 + AppArmor (swiftlet)" $rc; fi

echo "== engines"
# runc's tally is the reference; the exit status is swiftlet's (and leftovers')
SWIFTLET=$PWD/.build/release/swiftlet tests/engines/run
record "engines (swiftlet)" $?

echo "== fuzz: config decoding and validation (${FUZZ_SECONDS:-60}s)"
scripts/fuzz.sh "${FUZZ_SECONDS:-60}"
record "fuzz" $?

echo "== leaks: no swiftlet mount, cgroup or process left on the host"
scripts/leaks.sh
record "leaks" $?

echo "== summary"
printf '%s\n' "${summary[@]}"
echo "stages: $passed passed, $failed failed"
exit $status
