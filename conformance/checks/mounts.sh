# config.md "Root", "Mounts"; config-linux.md "Default Filesystems", "Masked Paths",
# "Readonly Paths"; the rootfs jail (pivot_root).

# _mount_line MOUNTINFO DEST: "<fstype> <mount options> <super options>" of the last
# mount at DEST in a mountinfo text.
_mount_line() {
    awk -v d="$2" '$5 == d { for (i = 7; i <= NF; i++) if ($i == "-") { l = $(i + 1) " " $6 " " $(i + 3) } }
        END { print l }' <<< "$1"
}

# config.md#mounts: a tmpfs with size and mode options, on a destination the runtime
# creates (a private rootfs, so no earlier check has created it already).
mounts_tmpfs_options() {
    bundle_new
    bundle_private_rootfs
    bundle_mount /mnt/t tmpfs tmpfs size=1m mode=750 nosuid nodev
    inside 'stat -c %a /mnt/t; cat /proc/self/mountinfo'
    expect_eq "$(head -n 1 <<< "$OUT")" 750 "mode of the tmpfs root"
    local line
    line=$(_mount_line "$OUT" /mnt/t)
    expect_match "$line" '^tmpfs ' "fstype at /mnt/t"
    expect_match "$line" '(^|,| )size=1024k(,|$)' "size option at /mnt/t"
    expect_match "$line" ' ([^ ]*,)?nosuid(,| )' "nosuid at /mnt/t"
    expect_match "$line" ' ([^ ]*,)?nodev(,| )' "nodev at /mnt/t"
}
check tmpfs_options mounts_tmpfs_options

# The same on a destination directory that exists (mode 755): the mode option still
# decides the mode of the tmpfs.
# runc 1.1.5 FAILS this: when the destination exists it chmods the new tmpfs to the
# directory's mode (a docker-volume convenience), overriding mode=750.
mounts_tmpfs_mode_existing_dir() {
    bundle_new
    bundle_private_rootfs
    mkdir -m 755 "$BUNDLE/rootfs/mnt/t"
    bundle_mount /mnt/t tmpfs tmpfs size=1m mode=750
    inside 'stat -c %a /mnt/t'
    expect_eq "$OUT" 750 "mode of the tmpfs root"
}
check tmpfs_mode_existing_dir mounts_tmpfs_mode_existing_dir

# config.md#mounts: a bind mount of a host directory shows its files; rw by default,
# writes reach the host.
mounts_bind_rw() {
    mkdir -p "$T/data"
    echo from-host > "$T/data/file"
    bundle_new
    bundle_mount /mnt/data bind "$T/data" rbind
    inside 'cat /mnt/data/file; echo from-container > /mnt/data/new'
    expect_eq "$OUT" from-host "file of the bind-mounted directory"
    expect_eq "$(cat "$T/data/new" 2> /dev/null)" from-container "file written through the bind mount, on the host"
}
check bind_rw mounts_bind_rw

# A read-only bind mount is readable and refuses writes with EROFS.
mounts_bind_ro() {
    mkdir -p "$T/data"
    echo from-host > "$T/data/file"
    bundle_new
    bundle_mount /mnt/ro bind "$T/data" rbind ro
    inside_any 'cat /mnt/ro/file; echo x > /mnt/ro/new'
    expect_rc nonzero "write to a read-only bind mount"
    expect_eq "$OUT" from-host "file of the read-only bind mount"
    expect_contains "$ERR" "Read-only file system" "error of the write"
    [ ! -e "$T/data/new" ] || fail "the write went through to the host"
}
check bind_ro mounts_bind_ro

# A bind mount of a single file.
mounts_bind_file() {
    echo single-file > "$T/file.txt"
    bundle_new
    bundle_mount /mnt/file.txt bind "$T/file.txt" bind
    inside 'cat /mnt/file.txt; [ -f /mnt/file.txt ] && echo is-a-file'
    expect_eq "$OUT" $'single-file\nis-a-file' "the bind-mounted file"
}
check bind_file mounts_bind_file

# "rbind" brings the submounts of the source along, "bind" does not.
mounts_bind_recursive() {
    mkdir -p "$T/data/sub"
    mount -t tmpfs -o size=1m swc-sub "$T/data/sub" || fail "cannot mount a tmpfs on the host"
    defer "umount -l '$T/data/sub'"
    echo in-submount > "$T/data/sub/file"
    bundle_new
    bundle_mount /mnt/r bind "$T/data" rbind
    bundle_mount /mnt/nr bind "$T/data" bind
    inside 'cat /mnt/r/sub/file; ls /mnt/nr/sub | wc -l'
    expect_eq "$OUT" $'in-submount\n0' "submount through rbind, and through bind"
}
check bind_recursive mounts_bind_recursive

# config.md#mounts: "The runtime MUST mount entries in the listed order": a bind mount
# listed after a tmpfs lands on the tmpfs.
mounts_order() {
    mkdir -p "$T/data"
    echo second > "$T/data/file"
    bundle_new
    bundle_mount /mnt/o tmpfs tmpfs size=1m
    bundle_mount /mnt/o/sub bind "$T/data" rbind
    inside 'cat /mnt/o/sub/file'
    expect_eq "$OUT" second "file of the bind mount nested in the tmpfs"
}
check order mounts_order

# Mount flags: noexec refuses to run programs, nosuid is set.
mounts_noexec() {
    bundle_new
    bundle_mount /mnt/x tmpfs tmpfs size=4m noexec mode=755
    bundle_add_caps CAP_DAC_OVERRIDE
    inside_any 'cp /bin/busybox /mnt/x/bb && /mnt/x/bb true && echo executed'
    expect_rc nonzero "running a program from a noexec tmpfs"
    expect_not_contains "$OUT" executed "output"
    expect_contains "$ERR" "Permission denied" "error"
}
check noexec mounts_noexec

# config-linux.md#default-filesystems (and the base config's mounts): /proc is procfs,
# /sys sysfs (read-only), /dev tmpfs, /dev/pts devpts, /dev/shm tmpfs, /dev/mqueue mqueue.
mounts_default_filesystems() {
    bundle_new
    inside 'stat -f -c %T /proc; cat /proc/self/mountinfo'
    expect_eq "$(head -n 1 <<< "$OUT")" proc "filesystem type of /proc (statfs)"
    local dest want line
    for dest in /proc:proc /sys:sysfs /dev:tmpfs /dev/pts:devpts /dev/shm:tmpfs /dev/mqueue:mqueue; do
        [ "$dest" = /dev/mqueue:mqueue ] && "$BUNDLE_NO_MQUEUE" && continue
        want=${dest#*:}
        dest=${dest%%:*}
        line=$(_mount_line "$OUT" "$dest")
        expect_eq "${line%% *}" "$want" "filesystem type at $dest"
    done
    line=$(_mount_line "$OUT" /sys)
    expect_match "$line" '^sysfs ro,' "/sys mount options"
    line=$(_mount_line "$OUT" /sys/fs/cgroup)
    [ -n "$line" ] || fail "nothing mounted at /sys/fs/cgroup"
    "$BUNDLE_NO_MQUEUE" && skip "host kernel has no mqueue filesystem (CONFIG_POSIX_MQUEUE off): the bundles leave /dev/mqueue out; the others were checked"
    return 0
}
check default_filesystems mounts_default_filesystems

# config-linux.md "Control groups" with the base config's `cgroup` mount (nosuid, noexec,
# nodev, relatime, ro): the container sees its cgroup read-only. On cgroup v2 that is one
# cgroup2 mount at /sys/fs/cgroup; on v1 and hybrid hosts a tmpfs there holds one bind per
# hierarchy, each rooted at the container's own cgroup (/swiftlet-conformance/ID), none
# above it. Every mount below /sys/fs/cgroup (and the cgroup2 mount itself) must be ro,
# nosuid, nodev, noexec, and no cgroup can be made in any of them. (CI's hosts are hybrid:
# the VM's v2/cgroupns_root checks the same on cgroup v2.)
mounts_cgroup_readonly() {
    bundle_new
    inside 'cat /proc/self/mountinfo; echo ---
        if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then set -- /sys/fs/cgroup; else set -- /sys/fs/cgroup/*/; fi
        for d in "$@"; do mkdir "$d/conformance-x" 2> /dev/null && echo "made a cgroup in $d" && rmdir "$d/conformance-x"; done; true'
    local info=${OUT%%---*} made=${OUT#*---}
    expect_not_contains "$made" "made a cgroup" "mkdir in the container's cgroup mounts"
    local n=0 root dest opts type
    while read -r root dest opts type; do
        n=$((n + 1))
        expect_match ",$opts," ',ro,' "per-mount options of $dest"
        expect_match ",$opts," ',nosuid,' "per-mount options of $dest"
        expect_match ",$opts," ',nodev,' "per-mount options of $dest"
        expect_match ",$opts," ',noexec,' "per-mount options of $dest"
        if [ "$type" = cgroup ]; then
            expect_eq "$root" "/swiftlet-conformance/$ID" "root of the $dest bind (the container's own cgroup)"
        fi
    done < <(awk '{ for (i = 7; i <= NF; i++) if ($i == "-") t = $(i + 1) }
        ($5 ~ "^/sys/fs/cgroup/" || ($5 == "/sys/fs/cgroup" && t == "cgroup2")) { print $4, $5, $6, t }' <<< "$info")
    [ "$n" -gt 0 ] || fail "no cgroup mount below /sys/fs/cgroup: $(grep ' /sys/fs/cgroup' <<< "$info")"
}
check cgroup_readonly mounts_cgroup_readonly

# /dev/shm (tmpfs, mode 1777) is writable for everyone.
mounts_dev_shm_writable() {
    bundle_new
    bundle_set '.process.user = {uid: 1000, gid: 1000}'
    inside 'stat -c %a /dev/shm; echo x > /dev/shm/f && cat /dev/shm/f'
    expect_eq "$OUT" $'1777\nx' "mode of /dev/shm and a write by uid 1000"
}
check dev_shm_writable mounts_dev_shm_writable

# config-linux.md#masked-paths: a masked file reads empty, a masked directory is empty.
mounts_masked_paths() {
    mkdir -p "$T/secret"
    echo TOPSECRET > "$T/secret/file"
    bundle_new
    bundle_mount /mnt/secret bind "$T/secret" rbind
    bundle_set '.linux.maskedPaths += ["/mnt/secret", "/etc/passwd"]'
    inside 'wc -c < /etc/passwd; ls -A /mnt/secret | wc -l; cat /mnt/secret/file 2>&1 || true'
    expect_eq "$(head -n 2 <<< "$OUT")" $'0\n0' "bytes in masked /etc/passwd, entries in masked /mnt/secret"
    expect_not_contains "$OUT" TOPSECRET "output"
    # The rootfs itself is untouched.
    [ -s "$ROOTFS/etc/passwd" ] || fail "the rootfs's /etc/passwd was emptied"
}
check masked_paths mounts_masked_paths

# The base config's masked /proc paths that exist here are masked.
mounts_masked_proc() {
    bundle_new
    local p present=()
    for p in /proc/keys /proc/timer_list /proc/sched_debug /proc/kcore /proc/latency_stats; do
        [ -f "$p" ] && present+=("$p")
    done
    [ ${#present[@]} -gt 0 ] ||
        skip "host kernel has none of the masked /proc files (/proc/keys, timer_list, sched_debug, kcore, latency_stats)"
    inside "for p in ${present[*]}; do echo \$p \$(wc -c < \$p); done"
    local expected=''
    for p in "${present[@]}"; do expected+="$p 0"$'\n'; done
    expect_eq "$OUT" "${expected%$'\n'}" "bytes read from masked /proc files"
}
check masked_proc mounts_masked_proc

# config-linux.md#readonly-paths: writes fail with EROFS.
mounts_readonly_paths() {
    host_has_sysctl kernel.domainname || skip "$HOST_LACKS"
    mkdir -p "$T/rw"
    bundle_new
    bundle_mount /mnt/rw bind "$T/rw" rbind
    bundle_set '.linux.readonlyPaths += ["/mnt/rw"]'
    bundle_add_caps CAP_SYS_ADMIN
    inside_any 'echo x > /mnt/rw/f; echo x > /proc/sys/kernel/domainname; echo done'
    expect_eq "$OUT" "done" "output"
    expect_eq "$(grep -c 'Read-only file system' <<< "$ERR")" 2 "EROFS errors (/mnt/rw, /proc/sys)"
    [ ! -e "$T/rw/f" ] || fail "the write to a readonly path reached the host"
}
check readonly_paths mounts_readonly_paths

# config.md#root: readonly true makes / read-only.
mounts_root_readonly() {
    bundle_new
    bundle_set '.root.readonly = true'
    inside_any 'touch /newfile'
    expect_rc nonzero "touch /newfile with root.readonly"
    expect_contains "$ERR" "Read-only file system" "error"
}
check root_readonly mounts_root_readonly

# config.md#root: readonly false: / is writable (a private copy of the rootfs).
mounts_root_writable() {
    bundle_new
    bundle_private_rootfs
    bundle_set '.root.readonly = false'
    inside 'echo written > /newfile && cat /newfile'
    expect_eq "$OUT" written "file written to /"
    expect_eq "$(cat "$BUNDLE/rootfs/newfile" 2> /dev/null)" written "the file in the bundle's rootfs on the host"
}
check root_writable mounts_root_writable

# config.md#root: a relative root.path is relative to the bundle.
mounts_root_relative() {
    bundle_new
    bundle_private_rootfs
    echo relative > "$BUNDLE/rootfs/etc/marker"
    inside 'cat /etc/marker'
    expect_eq "$OUT" relative "file of the bundle's rootfs"
}
check root_relative mounts_root_relative

# The host's root is out of reach after pivot_root: marker files on the host (in / and
# in the bundle's parent directory) are nowhere in the container's tree, no mount point
# is a host path, and the old root is not mounted anywhere.
mounts_no_host_root() {
    local marker="swc-marker-$RUN_ID-$CHECK_NO"
    touch "/$marker" "$T/$marker" || fail "cannot create marker files"
    defer "rm -f '/$marker'"
    bundle_new
    inside "find / -path /proc -prune -o -path /sys -prune -o -name '$marker' -print; echo ---; cat /proc/1/mountinfo"
    expect_eq "${OUT%%---*}" "" "marker files found in the container"
    local info=${OUT#*---$'\n'}
    # Mount points (field 5) must be the root, a config destination, a masked or
    # readonly path, or below /dev, /proc, /sys.
    local allowed mp bad=()
    allowed=$(jq -r '.mounts[].destination, .linux.maskedPaths[], .linux.readonlyPaths[]' "$CONFIG")
    while read -r mp; do
        [ "$mp" = / ] && continue
        case $mp in /dev/* | /proc/* | /sys/*) continue ;; esac
        grep -qxF -- "$mp" <<< "$allowed" || bad+=("$mp")
    done < <(awk '{ print $5 }' <<< "$info")
    expect_eq "${bad[*]}" "" "unexpected mount points (an old root still mounted?)"
    expect_not_contains "$(awk '{ print $5 }' <<< "$info")" "$WORK" "mount points"
    expect_eq "$(awk '$5 == "/"' <<< "$info" | wc -l)" 1 "mounts at /"
}
check no_host_root mounts_no_host_root

# Mounts made in the container do not show up on the host (a private mount namespace),
# and nothing of the container stays mounted on the host afterwards.
mounts_no_host_propagation() {
    bundle_new
    bundle_add_caps CAP_SYS_ADMIN
    bundle_mount /mnt/m tmpfs tmpfs size=1m
    bundle_sh 'mount -t tmpfs swc-inner-mount /mnt/m && echo mounted; sleep 30'
    ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    ctr_start || fail "start failed: $ERR"
    wait_file "$T/$ID.out" mounted || fail "mount in the container failed: $(cat "$T/$ID.err")"
    expect_not_contains "$(cat /proc/self/mountinfo)" swc-inner-mount "host mountinfo"
    expect_not_contains "$(cat /proc/self/mountinfo)" "$BUNDLE" "host mountinfo while the container runs"
    expect_not_contains "$(cat /proc/self/mountinfo)" "$ROOTFS" "host mountinfo while the container runs"
}
check no_host_propagation mounts_no_host_propagation

# config-linux.md#rootfs-mount-propagation: rootfsPropagation "rshared" (what containerd asks
# for when a Kubernetes pod has a Bidirectional volume) with a bind of a shared host
# directory: the container is created, and a mount it makes below the bind appears on the
# host. pivot_root(2) refuses a new root whose parent mount is shared, so the runtime must
# keep the rootfs's own mount private while everything else is rshared.
mounts_rootfs_propagation_rshared() {
    bundle_new
    local shared="$T/shared"
    mkdir -p "$shared"
    mount --bind "$shared" "$shared" || fail "cannot bind $shared on itself"
    defer "umount -R -l '$shared'"
    mount --make-shared "$shared" || fail "cannot make $shared shared"
    bundle_set '.linux.rootfsPropagation = "rshared"'
    bundle_add_caps CAP_SYS_ADMIN
    bundle_mount /mnt/shared bind "$shared" rbind rshared
    inside 'mkdir -p /mnt/shared/sub && mount -t tmpfs swc-rshared /mnt/shared/sub && echo mounted'
    expect_eq "$OUT" mounted "the mount in the container"
    expect_contains "$(awk '{ print $5 }' /proc/self/mountinfo)" "$shared/sub" "the host's mounts after the container mounted below the shared bind"
}
check rootfs_propagation_rshared mounts_rootfs_propagation_rshared

# `tmpcopyup` (runc's mount option; podman adds it to every --tmpfs): the tmpfs starts with a
# copy of the directory it covers (files, modes, owners, symlinks, subdirectories), and writes
# stay in the tmpfs.
mounts_tmpcopyup() {
    bundle_new
    bundle_private_rootfs
    mkdir -p "$BUNDLE/rootfs/data/sub"
    echo hello > "$BUNDLE/rootfs/data/file"
    chmod 640 "$BUNDLE/rootfs/data/file"
    chown 1000:1000 "$BUNDLE/rootfs/data/sub"
    ln -s file "$BUNDLE/rootfs/data/link"
    bundle_mount /data tmpfs tmpfs tmpcopyup nosuid
    bundle_sh 'grep " /data " /proc/mounts | cut -d" " -f3; cat /data/file /data/link; stat -c "%a %u" /data/file /data/sub; readlink /data/link; echo new > /data/file'
    ctr_run || fail "run failed: $ERR"
    expect_eq "$OUT" $'tmpfs\nhello\nhello\n640 0\n755 1000\nfile' "the tmpfs holds a copy of /data"
    expect_eq "$(cat "$BUNDLE/rootfs/data/file")" hello "the image's /data/file after a write in the tmpfs"
}
check tmpcopyup mounts_tmpcopyup

# tmpcopyup of a directory holding a fifo: the fifo is recreated with its mode.
# runc 1.1.5 FAILS this: its copy skips the fifo and then fails to lchown it ("lchown
# .../fifo: no such file or directory"), so the container does not start.
mounts_tmpcopyup_fifo() {
    bundle_new
    bundle_private_rootfs
    mkdir -p "$BUNDLE/rootfs/data"
    mkfifo -m 666 "$BUNDLE/rootfs/data/fifo"
    bundle_mount /data tmpfs tmpfs tmpcopyup
    bundle_sh 'test -p /data/fifo && stat -c "%a" /data/fifo'
    ctr_run || fail "run failed: $ERR"
    expect_eq "$OUT" 666 "the fifo in the tmpfs"
}
check tmpcopyup_fifo mounts_tmpcopyup_fifo

# The directories the runtime makes in the rootfs for a mount (the destination and those
# above it) are 0755 whatever its caller's umask, as systemd makes the parents of a
# service's mounts: under an engine's umask 077 (or a hardened host's 027) a parent made
# 0700 keeps a non-root process out of the mount below it. The process still gets its own
# umask (process.user.umask, 0022 when absent).
# runc 1.1.5 FAILS this (and crun 1.8 too): the directories take the caller's umask, 0700,
# and uid 1000 cannot reach the tmpfs.
mounts_parents_ignore_umask() {
    bundle_new
    bundle_private_rootfs
    bundle_mount /swc-new/sub/t tmpfs tmpfs mode=1777
    bundle_set '.process.user.uid = 1000 | .process.user.gid = 1000'
    bundle_sh 'stat -c %a /swc-new /swc-new/sub; touch /swc-new/sub/t/file && echo reached; umask'
    cgroup_parent_ready
    local saved
    saved=$(umask)
    umask 077
    ctr_run
    umask "$saved"
    expect_eq "$OUT" $'755\n755\nreached\n0022' "modes of the new directories, a write below them as uid 1000, the process's umask (exit status $RC: $ERR)"
    expect_eq "$(stat -c %a "$BUNDLE/rootfs/swc-new" "$BUNDLE/rootfs/swc-new/sub" | tr '\n' ' ')" "755 755 " "modes seen from the host"
}
check parents_ignore_umask mounts_parents_ignore_umask
