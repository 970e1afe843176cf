#!/usr/bin/env bash
# Builds the Debian package of this tree with dpkg-deb:
#
#   scripts/package-deb.sh [--output DIR]      (default .build/deb)
#
# prints the path of DIR/swiftlet_VERSION_ARCH.deb. Install it with
# `apt install ./swiftlet_VERSION_ARCH.deb` (or `dpkg -i`), remove it with `dpkg -r swiftlet`.
#
# The files are scripts/install.sh's with PREFIX /usr: /usr/bin/swiftlet,
# /usr/libexec/swiftlet/swiftlet-init, the man pages (gzipped, as Debian policy asks), the
# bash/zsh/fish completions in the directories Debian's shells read, and /usr/share/doc/swiftlet
# with the README and docs (copyright instead of LICENSE: Apache-2.0, as Debian writes it).
#
# The control file:
#  - Version: swiftlet's (the built binary's `--version`, Sources/SwiftletCore/BuildInfo.swift)
#    when HEAD is exactly the tag vVERSION and the tree is clean; otherwise a snapshot that
#    sorts after that release and by commit time, VERSION+gitYYYYMMDDHHMMSS.COMMIT[.dirty], so
#    that `apt install` of a newer build replaces an older one;
#  - Depends: the shared libraries the two binaries load, by the packages that ship them
#    (`dpkg -S`): none, as both are static (swiftlet links libseccomp and Swift's runtime
#    statically, swiftlet-init musl); Built-Using names the Debian sources of what is linked in
#    (libseccomp, musl), as policy asks of static links;
#  - Provides: oci-runtime, the virtual package Fedora's runc and crun provide. Not `runc`:
#    engines run `runc` by that name, and swiftlet ships no /usr/bin/runc, so apt must not
#    take it for runc when an engine depends on runc;
#  - Suggests: podman | containerd | docker.io (the engines that run it), procps (`swiftlet ps`
#    in table format runs ps(1)).
# No maintainer scripts and no conffiles: `dpkg -r` removes every file and the directories that
# become empty, and leaves no config-files state behind. Maintainer: $DEBFULLNAME <$DEBEMAIL>
# if set. Timestamps come from the last commit ($SOURCE_DATE_EPOCH), so a rebuild of the same
# tree gives the same package.
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "package-deb.sh: $*" >&2; exit 1; }
out=.build/deb
while [ $# -gt 0 ]; do
    case $1 in
        --output) [ $# -ge 2 ] || die "--output needs a directory"; out=$2; shift 2 ;;
        --output=*) out=${1#*=}; shift ;;
        -h|--help) sed -n '4,7p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
        *) die "unknown argument '$1' (usage: scripts/package-deb.sh [--output DIR])" ;;
    esac
done
for tool in dpkg-deb dpkg-query gzip readelf strip; do
    command -v "$tool" > /dev/null || die "$tool is missing (apt-get install dpkg-dev binutils gzip)"
done

export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
scripts/build-release.sh >&2
bin=.build/release/swiftlet
version=$("$bin" --version | awk 'NR == 1 { print $3 }')
commit=$("$bin" --version | sed -n 's/^commit: //p')
arch=$(dpkg --print-architecture)
[ -n "$version" ] && [ -n "$commit" ] || die "$bin --version names no version or commit"

# Debian version: the release itself, or a snapshot after it.
if [[ "$commit" == "v$version-0-g"* && "$commit" != *-dirty ]]; then
    debversion=$version
else
    stamp=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y%m%d%H%M%S)
    hash=$(sed -E 's/-dirty$//; s/.*-g([0-9a-f]+)$/\1/' <<< "$commit")
    debversion=$version+git$stamp.$hash
    [[ "$commit" != *-dirty ]] || debversion=$debversion.dirty
fi
[[ "$debversion" =~ ^[0-9][A-Za-z0-9.+~-]*$ ]] || die "'$debversion' is not a Debian version"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
chmod 0755 "$stage"
scripts/install.sh --prefix /usr --destdir "$stage" --no-manifest > /dev/null
doc=$stage/usr/share/doc/swiftlet
rm -f "$doc/LICENSE"
find "$stage/usr/share/man" -name '*.8' -exec gzip -9n {} +
# policy 12.3: documentation over 4 KB compressed (not copyright)
find "$doc" -type f -name '*.md' -size +4k -exec gzip -9n {} +

{
    echo "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"
    echo "Upstream-Name: swiftlet"
    echo
    echo "Files: *"
    echo "Copyright: the swiftlet authors (git log)"
    echo "License: Apache-2.0"
    echo
    echo "License: Apache-2.0"
    echo " On Debian systems, the full text of the Apache License, Version 2.0 is in"
    echo " /usr/share/common-licenses/Apache-2.0."
    echo " ."
    echo " swiftlet links statically: the Swift runtime and Foundation (Apache-2.0 with"
    echo " Runtime Library Exception), libseccomp (LGPL-2.1, Built-Using) and, in"
    echo " swiftlet-init, musl (MIT, Built-Using)."
} > "$doc/copyright"
maintainer="${DEBFULLNAME:-swiftlet developers} <${DEBEMAIL:-dev@swiftlet.invalid}>"
{
    echo "swiftlet ($debversion) unstable; urgency=medium"
    echo
    echo "  * Built by scripts/package-deb.sh from commit $commit."
    echo
    echo " -- $maintainer  $(date -u -R -d "@$SOURCE_DATE_EPOCH")"
} | gzip -9n > "$doc/changelog.Debian.gz"

# Depends: the package of every shared library either binary loads (none while both are static).
depends=()
for f in "$stage/usr/bin/swiftlet" "$stage/usr/libexec/swiftlet/swiftlet-init"; do
    for lib in $(readelf -d "$f" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
        path=$(ldconfig -p | awk -v l="$lib" '$1 == l { print $NF; exit }')
        pkg=$(dpkg -S "$path" 2>/dev/null | head -n 1 | cut -d: -f1)
        [ -n "$pkg" ] || die "$f needs $lib, which no installed package ships"
        depends+=("$pkg")
    done
done
depends_line=$(printf '%s\n' "${depends[@]}" | sort -u | paste -sd, | sed 's/,/, /g')
built_using=$(dpkg-query -W -f='${source:Package} (= ${source:Version})\n' libseccomp-dev musl-dev | paste -sd, | sed 's/,/, /g')

mkdir -m 0755 "$stage/DEBIAN"
(cd "$stage" && find usr -type f -print0 | sort -z | xargs -0 md5sum) > "$stage/DEBIAN/md5sums"
{
    echo "Package: swiftlet"
    echo "Version: $debversion"
    echo "Architecture: $arch"
    echo "Maintainer: $maintainer"
    echo "Installed-Size: $(du -sk --apparent-size "$stage/usr" | cut -f1)"
    [ -z "$depends_line" ] || echo "Depends: $depends_line"
    echo "Suggests: podman | containerd | docker.io, procps"
    echo "Provides: oci-runtime"
    echo "Built-Using: $built_using"
    echo "Section: admin"
    echo "Priority: optional"
    echo "Description: OCI container runtime with runc's command line, written in Swift"
    echo " swiftlet turns an OCI bundle (a config.json and a root filesystem) into an"
    echo " isolated Linux process. Its command line is runc's (create, start, state, kill,"
    echo " delete, run, exec, list, ps, pause, resume, update, events, spec, features), so"
    echo " podman (--runtime swiftlet), containerd's runc shim (BinaryName swiftlet) and"
    echo " Docker (--add-runtime) run containers with it in place of runc."
    echo " ."
    echo " Each container's PID 1 is swiftlet-init, a small static program in"
    echo " /usr/libexec/swiftlet that forwards signals, reaps zombies and exits with the"
    echo " process's status."
} > "$stage/DEBIAN/control"
find "$stage" -type d -exec chmod 0755 {} +

mkdir -p "$out"
# the default directory is ours: older builds go, so that ./.build/deb/swiftlet_*.deb is one file
[ "$out" != .build/deb ] || rm -f .build/deb/swiftlet_*.deb
deb=$out/swiftlet_${debversion}_$arch.deb
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" > /dev/null
echo "$deb"
