#!/usr/bin/env bash
# Builds the release binaries, .build/release/swiftlet and .build/release/swiftlet-init: the
# one command line that setup.sh, the benchmark and scripts/text-order.sh expect.
#
# Package.swift gives swiftlet's own modules function sections and metadata accessors
# (instead of mangled-name instantiation); SwiftPM cannot set flags on a dependency, so they
# are passed here for swift-argument-parser too. Its objects come first on the link line,
# so the copies of shared generic specializations (String.split, Dictionary resizing, ...)
# the linker keeps are its copies: without function sections they sit inside whole-file
# sections the text order cannot move, and by mangled name they look conformances up (a scan
# of every record in the binary). Peak RSS of `run`: 6.3 -> 4.6-4.8 MiB with these and the
# text layout (docs/performance.md item 19).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/opt/swift/usr/bin:$PATH
swift build -c release --static-swift-stdlib \
    -Xswiftc -Xfrontend -Xswiftc -function-sections \
    -Xswiftc -Xfrontend -Xswiftc -disable-concrete-type-metadata-mangled-name-accessors \
    "$@" 2>&1 | grep -vE 'warning: .*(mktemp|tmpnam)' | tail -n 3
