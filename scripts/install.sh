#!/usr/bin/env bash
# Installs the release build (scripts/build-release.sh) the way runc and crun are installed:
#
#   scripts/install.sh [--prefix DIR] [--destdir DIR] [--no-strip] [--no-manifest]
#   scripts/install.sh --uninstall [--prefix DIR] [--destdir DIR]
#
#   --prefix DIR   where it goes (default /usr/local)
#   --destdir DIR  a staging root prepended to every path (packaging); the installed files
#                  still belong at PREFIX
#   --no-strip     keep the symbol table of swiftlet (34 MB rather than 17)
#   --no-manifest  write no install manifest (a package manager keeps the list)
#   --uninstall    remove what an earlier install under the same PREFIX and DESTDIR put there
#
# It installs
#   PREFIX/bin/swiftlet
#   PREFIX/libexec/swiftlet/swiftlet-init      (swiftlet finds it there: docs/architecture.md)
#   PREFIX/share/man/man8/swiftlet.8, swiftlet-COMMAND.8      (scripts/gen-docs.sh)
#   PREFIX/share/bash-completion/completions/swiftlet
#   PREFIX/share/zsh/site-functions/_swiftlet   (PREFIX /usr: share/zsh/vendor-completions)
#   PREFIX/share/fish/vendor_completions.d/swiftlet.fish
#   PREFIX/share/doc/swiftlet/README.md, docs/*.md, LICENSE
#   PREFIX/share/swiftlet/install-manifest     every file, and every directory it had to make
#
# Each file is copied to a temporary name in its directory and renamed over the old one, so an
# engine that runs swiftlet during an upgrade runs the old or the new binary, never half of
# one; swiftlet-init goes first. --uninstall removes the files the manifest lists and the
# directories it made once they are empty; an install over an older one removes the files the
# new one no longer has. Nothing else under PREFIX is touched.
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "install.sh: $*" >&2; exit 1; }
usage() { sed -n '4,13p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

prefix=/usr/local destdir="" strip=1 manifest=1 uninstall=0
while [ $# -gt 0 ]; do
    case $1 in
        --prefix) [ $# -ge 2 ] || usage; prefix=$2; shift 2 ;;
        --prefix=*) prefix=${1#*=}; shift ;;
        --destdir) [ $# -ge 2 ] || usage; destdir=$2; shift 2 ;;
        --destdir=*) destdir=${1#*=}; shift ;;
        --no-strip) strip=0; shift ;;
        --no-manifest) manifest=0; shift ;;
        --uninstall) uninstall=1; shift ;;
        -h|--help) usage ;;
        *) echo "install.sh: unknown argument '$1'" >&2; usage ;;
    esac
done
[[ "$prefix" == /* ]] || die "--prefix '$prefix': must be an absolute path"
[[ "$prefix" != *[[:space:]]* && "$destdir" != *[[:space:]]* ]] || die "--prefix and --destdir may not contain white space"
[ -z "$destdir" ] || [[ "$destdir" == /* ]] || destdir=$PWD/$destdir
prefix=${prefix%/}
root=$destdir$prefix
list=$prefix/share/swiftlet/install-manifest

# ---- uninstall -------------------------------------------------------------------------------

# remove_listed MANIFEST KEEP: removes the files MANIFEST lists that are not in KEEP (a
# newline-separated list; empty: all), then the directories it lists, deepest first, if empty.
remove_listed() {
    local kind path
    while read -r kind path; do
        [ "$kind" = f ] || continue
        grep -qxF -- "$path" <<< "$2" && continue
        if [ -f "$destdir$path" ] || [ -L "$destdir$path" ]; then rm -f -- "$destdir$path"; fi
    done < "$1"
    [ -z "$2" ] || return 0
    while read -r kind path; do
        [ "$kind" = d ] || continue
        rmdir -- "$destdir$path" 2>/dev/null || true
    done < <(tac "$1")
}

if [ $uninstall -eq 1 ]; then
    [ -f "$destdir$list" ] || die "no install manifest at $destdir$list: nothing was installed under $prefix${destdir:+ (destdir $destdir)} by scripts/install.sh"
    cp "$destdir$list" "${tmp_list:=$(mktemp)}"
    rm -f -- "$destdir$list"
    remove_listed "$tmp_list" ""
    rm -f "$tmp_list"
    echo "uninstalled swiftlet from $prefix${destdir:+ (destdir $destdir)}"
    exit 0
fi

# ---- install ---------------------------------------------------------------------------------

bin=.build/release/swiftlet init=.build/release/swiftlet-init
[ -x "$bin" ] && [ -x "$init" ] || die "$bin and $init are not built: run scripts/build-release.sh first"
version=$("$bin" --version | awk 'NR == 1 { print $3 }')
[ -n "$version" ] || die "$bin --version printed no version"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
scripts/gen-docs.sh "$bin" "$work/docs"

if [ "$prefix" = /usr ]; then zsh_dir=share/zsh/vendor-completions; else zsh_dir=share/zsh/site-functions; fi

# What goes where: "SOURCE DESTINATION MODE", DESTINATION relative to PREFIX.
plan=("$init libexec/swiftlet/swiftlet-init 0755" "$bin bin/swiftlet 0755")
for page in "$work"/docs/man8/*.8; do plan+=("$page share/man/man8/${page##*/} 0644"); done
plan+=("$work/docs/completions/swiftlet.bash share/bash-completion/completions/swiftlet 0644"
       "$work/docs/completions/_swiftlet $zsh_dir/_swiftlet 0644"
       "$work/docs/completions/swiftlet.fish share/fish/vendor_completions.d/swiftlet.fish 0644"
       "README.md share/doc/swiftlet/README.md 0644"
       "LICENSE share/doc/swiftlet/LICENSE 0644")
for doc in docs/*.md; do plan+=("$doc share/doc/swiftlet/$doc 0644"); done

[ -z "$destdir" ] || mkdir -p -- "$destdir"
# The directories made by this install (and by an earlier one, from its manifest), parents first.
made_dirs=()
[ ! -f "$destdir$list" ] || mapfile -t made_dirs < <(awk '$1 == "d" { print $2 }' "$destdir$list")
# ensure_dir DIR (a path under PREFIX, without DESTDIR): makes it and its missing parents.
ensure_dir() {
    local d=$1 missing=()
    while [ ! -d "$destdir$d" ]; do
        missing=("$d" "${missing[@]}")
        d=$(dirname "$d")
    done
    for d in "${missing[@]}"; do
        mkdir -m 0755 -- "$destdir$d"
        made_dirs+=("$d")
    done
}

files=()
for entry in "${plan[@]}"; do
    read -r src dst mode <<< "$entry"
    dst=$prefix/$dst
    ensure_dir "$(dirname "$dst")"
    tmp=$(dirname "$destdir$dst")/.$(basename "$dst").install-$$
    install -m "$mode" -- "$src" "$tmp"
    if [ $strip -eq 1 ] && [ "$dst" = "$prefix/bin/swiftlet" ]; then strip --strip-all -- "$tmp"; fi
    mv -f -- "$tmp" "$destdir$dst"
    files+=("$dst")
done

if [ $manifest -eq 1 ]; then
    ensure_dir "$(dirname "$list")"
    new=$(printf '%s\n' "${files[@]}")
    # files of an earlier install that this one no longer has
    [ ! -f "$destdir$list" ] || remove_listed "$destdir$list" "$new"$'\n'"$list"
    {
        printf 'd %s\n' "${made_dirs[@]}" | awk '!seen[$0]++' | grep -v '^d $' || true
        printf 'f %s\n' "${files[@]}" "$list"
    } > "$destdir$list.tmp"
    mv -f -- "$destdir$list.tmp" "$destdir$list"
fi
echo "installed swiftlet $version in $prefix${destdir:+ (destdir $destdir)}: ${#files[@]} files"
