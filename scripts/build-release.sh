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

# The Swift libraries whose objects have one .text section each get a section per function
# (scripts/stdlib-split.py): copies of their archives in .build/stdlib-split, which
# Package.swift puts on the release link ahead of the toolchain's, so the toolchain's are
# never taken. Made once per toolchain and version of the script. A member the script cannot
# split goes in as it is (it says which and why): only its functions keep their order.
# The list must match Package.swift's splitArchives.
split_dir=.build/stdlib-split
toolchain_libs=$(dirname "$(command -v swiftc)")/../lib/swift_static/linux
split_libs="libswiftCore libFoundationEssentials libswift_StringProcessing libswift_RegexParser"
stamp=$(for lib in $split_libs; do sha256sum "$toolchain_libs/$lib.a"; done | cat - scripts/stdlib-split.py | sha256sum | cut -d' ' -f1)
if [ "$(cat "$split_dir/stamp" 2>/dev/null)" != "$stamp" ]; then
    rm -rf "$split_dir" && mkdir -p "$split_dir"
    for lib in $split_libs; do
        python3 scripts/stdlib-split.py split-archive "$toolchain_libs/$lib.a" "$split_dir/$lib.a" "$split_dir/$lib"
    done
    rm -f .build/release/swiftlet   # SwiftPM does not know that the link reads them
    echo "$stamp" > "$split_dir/stamp"
fi

swift build -c release --static-swift-stdlib -Xcc -DSWIFTLET_BUILDINFO \
    -Xswiftc -Xfrontend -Xswiftc -function-sections \
    -Xswiftc -Xfrontend -Xswiftc -disable-concrete-type-metadata-mangled-name-accessors \
    "$@" 2>&1 | grep -vE 'warning: .*(mktemp|tmpnam)' | tail -n 3

# The proof that the split objects were linked right, whatever order the link chose: every
# reference between their functions and every jump-table entry holds the same target in the
# binary as in the toolchain's objects (the link map says where each piece went). A binary
# already proven (the same bytes and map, as after a build that linked nothing) is not
# checked again.
linked=$(cat .build/release/swiftlet .build/release-link.map | sha256sum | cut -d' ' -f1)
if [ "$(cat "$split_dir/checked" 2>/dev/null)" != "$linked" ]; then
    if ! python3 scripts/stdlib-split.py check .build/release/swiftlet .build/release-link.map "$split_dir"; then
        mv .build/release/swiftlet .build/release/swiftlet.rejected
        echo "build-release.sh: the release binary failed the check of its split standard libraries (moved to .build/release/swiftlet.rejected)" >&2
        exit 1
    fi
    echo "$linked" > "$split_dir/checked"
fi
