#!/usr/bin/env bash
# The whole test suite (what .ci/run calls), as root:
#   1. unit and integration tests (swift test)
#   2. the runtime-agnostic conformance suite against swiftlet, then against runc
#   3. end-to-end checks under podman, containerd and Docker, with swiftlet and with runc
# Prints each tally as `N passed, M failed`; exits non-zero if swiftlet fails anything.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH=/opt/swift/usr/bin:$PATH
[ -x .build/release/swiftlet ] || scripts/setup.sh
status=0

echo "== swift test"
SWIFTLET=$PWD/.build/release/swiftlet swift test 2>&1 | tee /tmp/swiftlet-swift-test.log | grep -vE '^\[[0-9]+/[0-9]+\]|warning: .*(mktemp|tmpnam)' | tail -n 40
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

echo "== conformance: runc (reference)"
RUNTIME=$(command -v runc) conformance/run || true

echo "== conformance: swiftlet"
RUNTIME=$PWD/.build/release/swiftlet conformance/run || status=1

echo "== engines"
# runc's tally is the reference; the exit status is swiftlet's (and leftovers')
SWIFTLET=$PWD/.build/release/swiftlet tests/engines/run || status=1

exit $status
