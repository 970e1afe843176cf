#!/usr/bin/env bash
# Man pages and shell completions of a swiftlet binary, generated from its own command
# definitions (the ones `--help` prints), so they cannot drift from what it accepts:
#
#   scripts/gen-docs.sh [BINARY] OUTDIR
#
#   BINARY  the swiftlet to describe (default .build/release/swiftlet)
#   OUTDIR  receives man8/swiftlet.8 and man8/swiftlet-COMMAND.8 (one per command, as runc's
#           runc-create.8), and completions/swiftlet.bash, completions/_swiftlet (zsh),
#           completions/swiftlet.fish
#
# Man pages: swift-argument-parser's generate-manual (its GenerateManual plugin's tool, built
# here as a product of the dependency: `swift package generate-manual` would rebuild the
# release binary without scripts/build-release.sh's flags), run on BINARY, which describes
# itself with --experimental-dump-help; then renamed swiftlet.create.8 -> swiftlet-create.8.
# Dated $SOURCE_DATE_EPOCH, else the last commit's date, so that a rebuild gives the same
# pages. Completions: BINARY --generate-completion-script bash|zsh|fish.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/opt/swift/usr/bin:$PATH

usage() { sed -n '5,10p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
case $# in
    1) bin=.build/release/swiftlet out=$1 ;;
    2) bin=$1 out=$2 ;;
    *) usage ;;
esac
[ -x "$bin" ] || { echo "gen-docs.sh: $bin is not an executable (build it with scripts/build-release.sh)" >&2; exit 1; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
mkdir -p "$out/man8" "$out/completions"

# generate-manual, built once (debug: a few seconds, in the scratch directory swift test uses)
swift build -c debug --product generate-manual 2>&1 | grep -E 'error|warning: .*generate' >&2 || true
tool=$(swift build -c debug --show-bin-path)/generate-manual
[ -x "$tool" ] || { echo "gen-docs.sh: could not build swift-argument-parser's generate-manual" >&2; exit 1; }

if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
    date=$(date -u -d "@$SOURCE_DATE_EPOCH" +%F)
else
    date=$(git log -1 --format=%cs 2>/dev/null || date -u +%F)
fi
version=$("$bin" --version | awk 'NR == 1 { print $3 }')

gen=$(mktemp -d)
trap 'rm -rf "$gen"' EXIT
"$tool" "$bin" --multi-page --section 8 --date "$date" --output-directory "$gen"

# swiftlet.create.8 -> swiftlet-create.8, with the title and cross-references to match, and
# the footer naming swiftlet and its version (mdoc's .Os) instead of the host's system.
commands=$("$bin" --experimental-dump-help | jq -r '.command.subcommands[].commandName')
for page in "$gen"/*.8; do
    name=$(basename "$page" .8)
    new=${name/swiftlet./swiftlet-}
    sed -e 's/^\.Dt SWIFTLET\.\([A-Z-]*\) 8$/.Dt SWIFTLET-\1 8/' \
        -e 's/^\.Xr swiftlet\.\([a-z-]*\) 8/.Xr swiftlet-\1 8/' \
        -e "s/^\.Os\$/.Os swiftlet $version/" "$page" > "$out/man8/$new.8"
done
# one page per command, and the top page
for c in "" $commands; do
    [ -s "$out/man8/swiftlet${c:+-$c}.8" ] || { echo "gen-docs.sh: no man page for '${c:-swiftlet}'" >&2; exit 1; }
done

"$bin" --generate-completion-script bash > "$out/completions/swiftlet.bash"
"$bin" --generate-completion-script zsh > "$out/completions/_swiftlet"
"$bin" --generate-completion-script fish > "$out/completions/swiftlet.fish"
