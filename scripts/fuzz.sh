#!/usr/bin/env bash
# libFuzzer run over config decoding and validation (Sources/OCI), issue 8.
#   scripts/fuzz.sh [SECONDS]   (default 60)
# Builds fuzz/ConfigFuzzer.swift + Sources/OCI/*.swift into one module with
# `swiftc -sanitize=fuzzer,address` (never part of `swift build`), seeds it with real configs
# (fuzz/corpus: the conformance base config, `runc spec`, `swiftlet spec`, the runtime-spec
# example, every crash found so far), runs for a bounded time and prints the executions count.
# A crash leaves crash-* in fuzz/out/ and exits non-zero; add the input to fuzz/corpus/ once fixed.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH=/opt/swift/usr/bin:$PATH
seconds=${1:-60}
out=.build/fuzz
mkdir -p "$out/work" fuzz/out
swiftc -sanitize=fuzzer,address -parse-as-library -O -g -module-name OCI \
    Sources/OCI/*.swift fuzz/ConfigFuzzer.swift -o "$out/config-fuzzer" >"$out/build.log" 2>&1 \
    || { grep -v 'Cannot export local symbol' "$out/build.log"; exit 1; }
# Seeds generated on this machine join the checked-in corpus in a scratch directory.
rm -rf "$out/work"/*
cp fuzz/corpus/* "$out/work/"
cp conformance/lib/base-config.json "$out/work/seed-base-config.json"
if command -v runc >/dev/null; then
    (cd "$out" && rm -f config.json && runc spec && mv config.json work/seed-runc-spec.json; runc spec --rootless && mv config.json work/seed-runc-rootless.json) 2>/dev/null
fi
if [ -x .build/release/swiftlet ]; then
    (cd "$out" && rm -f config.json && ../release/swiftlet spec && mv config.json work/seed-swiftlet-spec.json) 2>/dev/null
fi
"$out/config-fuzzer" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -dict=fuzz/json.dict -artifact_prefix=fuzz/out/ -print_final_stats=1 "$out/work" 2>&1 | tee "$out/fuzz.log" \
    | grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)|^stat::number_of_executed_units|ERROR|SUMMARY|crash-|Test unit written'
rc=${PIPESTATUS[0]}
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/fuzz.log")
echo "fuzz: ${runs:-0} executions in ${seconds}s, exit $rc"
exit "$rc"
