#!/usr/bin/env bash
# Builds a minimal busybox-static root filesystem.
#
# As a command:   conformance/lib/rootfs.sh DEST
# As a library:   . conformance/lib/rootfs.sh; rootfs_build DEST; rootfs_cached DIR
#
# The tree: bin/busybox plus a symlink in bin/ for every applet `busybox --list`
# reports, /etc/passwd (root, and `user` uid 1000 gid 1000), /etc/group, and empty
# /proc /sys /dev /tmp /root /mnt. BUSYBOX selects the binary (default /bin/busybox);
# it must be statically linked, since the rootfs has no libc.

# rootfs_build DEST: builds the tree at DEST (which must not exist yet). It builds in
# a sibling temporary directory and renames it into place, so a concurrent reader
# never sees a half-built rootfs.
rootfs_build() {
    local dest=${1:?usage: rootfs_build DEST}
    local bb=${BUSYBOX:-/bin/busybox}
    if [ -e "$dest" ]; then
        echo "rootfs_build: $dest already exists" >&2
        return 1
    fi
    if [ ! -x "$bb" ]; then
        echo "rootfs_build: $bb is not an executable busybox (install busybox-static)" >&2
        return 1
    fi
    if LC_ALL=C ldd "$bb" >/dev/null 2>&1; then
        echo "rootfs_build: $bb is dynamically linked; a static busybox is needed" >&2
        return 1
    fi
    local tmp
    tmp=$(mktemp -d "$dest.tmp.XXXXXX") || return 1
    (
        set -e
        cd "$tmp"
        mkdir -p bin etc proc sys dev tmp root mnt
        chmod 1777 tmp
        chmod 700 root
        cp "$bb" bin/busybox
        chmod 755 bin/busybox
        # One process for the ~400 links where perl is there (always on Debian): a fork per
        # link costs ~20 s in the emulated VM of conformance/vm.
        local applet
        if command -v perl > /dev/null; then
            "$bb" --list | perl -ne 'chomp; next if $_ eq "busybox"; unlink "bin/$_"; symlink("busybox", "bin/$_") or die "bin/$_: $!\n"'
        else
            for applet in $("$bb" --list); do
                [ "$applet" = busybox ] || ln -sf busybox "bin/$applet"
            done
        fi
        cat > etc/passwd <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
user:x:1000:1000:user:/tmp:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
        cat > etc/group <<'GROUP'
root:x:0:
user:x:1000:
nogroup:x:65534:
GROUP
        chmod 755 .
    ) || { rm -rf "$tmp"; return 1; }
    mv -T "$tmp" "$dest" || { rm -rf "$tmp"; return 1; }
}

# rootfs_cached DIR: builds DIR/rootfs once and prints its path. Later calls reuse it.
rootfs_cached() {
    local dir=${1:?usage: rootfs_cached DIR}
    if [ ! -x "$dir/rootfs/bin/busybox" ]; then
        mkdir -p "$dir" && rootfs_build "$dir/rootfs" || return 1
    fi
    printf '%s\n' "$dir/rootfs"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -u
    if [ $# -ne 1 ]; then
        echo "usage: $0 DEST" >&2
        exit 2
    fi
    rootfs_build "$1"
fi
