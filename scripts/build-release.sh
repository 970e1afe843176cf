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
#
# What `swiftlet --version` reports besides the version (Sources/SwiftletCore/BuildInfo.swift)
# is written here into Sources/CSwiftlet/generated/buildinfo.h, which the build reads because
# of -DSWIFTLET_BUILDINFO (a constant flag: only buildinfo.c recompiles when the commit
# changes): the commit, `git describe` of this tree with -dirty for uncommitted changes
# ($SWIFTLET_COMMIT instead, for a build from a tarball), and the compiler's version.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/opt/swift/usr/bin:$PATH

commit=${SWIFTLET_COMMIT:-$(git describe --tags --long --always --dirty --abbrev=12 2>/dev/null || echo unknown)}
compiler=$(swift --version 2>/dev/null | sed -n 's/.*Swift version \([^ ]*\).*/\1/p' | head -n 1)
for v in "$commit" "${compiler:=unknown}"; do
    [[ "$v" =~ ^[A-Za-z0-9._+~-]+$ ]] || { echo "build-release.sh: '$v' is not a plain version or commit string (letters, digits, . _ + ~ -)" >&2; exit 1; }
done
mkdir -p Sources/CSwiftlet/generated
header=$(printf '/* Written by scripts/build-release.sh; not in git. */\n#define SWIFTLET_BUILD_COMMIT "%s"\n#define SWIFTLET_BUILD_COMPILER "%s"\n' "$commit" "$compiler")
# rewritten only when it changes: an unchanged header costs no recompile and no relink
[ "$(cat Sources/CSwiftlet/generated/buildinfo.h 2>/dev/null)" = "$header" ] ||
    printf '%s\n' "$header" > Sources/CSwiftlet/generated/buildinfo.h

swift build -c release --static-swift-stdlib -Xcc -DSWIFTLET_BUILDINFO \
    -Xswiftc -Xfrontend -Xswiftc -function-sections \
    -Xswiftc -Xfrontend -Xswiftc -disable-concrete-type-metadata-mangled-name-accessors \
    "$@" 2>&1 | grep -vE 'warning: .*(mktemp|tmpnam)' | tail -n 3
