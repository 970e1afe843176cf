# Issue 17: the spec behaviours runc 1.1.5 got right where swiftlet did not (rootfs
# propagation shared/rshared, a config without a mount namespace, a seccomp profile that
# denies getcwd), and the runtime-spec 1.3 features: id-mapped mounts, linux.netDevices,
# linux.memoryPolicy, linux.intelRdt, process.execCPUAffinity.
#
# runc 1.1.5 (Debian 12) predates most of the 1.3 features: the checks for them fail there
# (it ignores the fields), each says so above it.

# ---------------------------------------------------------------------------------------
# Helpers

# _s13_host_mounts_under DIR: mount points of the host's mount namespace at or below DIR.
_s13_host_mounts_under() {
    awk -v p="$1" '$5 == p || index($5, p "/") == 1 { print $5 }' /proc/self/mountinfo
}

# _s13_root_propagation TEXT: the optional fields (shared:N, master:N, unbindable) of the
# line of TEXT (a mountinfo) whose mount point is /, or "private" when it has none.
_s13_root_propagation() {
    awk '$5 == "/" { o = ""; for (i = 7; $i != "-"; i++) o = o (o == "" ? "" : " ") $i; print (o == "" ? "private" : o); exit }' <<< "$1"
}

# ---------------------------------------------------------------------------------------
# features

# features-linux.md: `features` reports the 1.3 fields this file checks as implemented:
# mountExtensions.idmap, netDevices, intelRdt (schemata, monitoring) enabled, every memory
# policy mode and flag, and the idmap/ridmap mount options. (Implemented, not "usable on
# this host": intelRdt still needs resctrl, see intel_rdt_unavailable.)
# runc 1.1.5 FAILS this: its `features` predates these fields.
spec13_features() {
    expect_exit 0 rt features
    local got
    got=$(jq -c '[.linux.mountExtensions.idmap.enabled, .linux.netDevices.enabled, .linux.intelRdt.enabled,
        .linux.intelRdt.schemata, .linux.intelRdt.monitoring, (.linux.memoryPolicy.modes // [] | sort),
        (.linux.memoryPolicy.flags // [] | sort), ((.mountOptions // []) | map(select(. == "idmap" or . == "ridmap")) | sort)]' <<< "$OUT") ||
        fail "features output is not JSON: $OUT"
    expect_eq "$got" '[true,true,true,true,true,["MPOL_BIND","MPOL_DEFAULT","MPOL_INTERLEAVE","MPOL_LOCAL","MPOL_PREFERRED","MPOL_PREFERRED_MANY","MPOL_WEIGHTED_INTERLEAVE"],["MPOL_F_NUMA_BALANCING","MPOL_F_RELATIVE_NODES","MPOL_F_STATIC_NODES"],["idmap","ridmap"]]' \
        "idmap, netDevices, intelRdt (enabled, schemata, monitoring), memory policy modes and flags, idmap options"
}
check features spec13_features

# ---------------------------------------------------------------------------------------
# Seccomp and the working directory

# config-linux.md#seccomp with runtime.md's CVE-2024-21626 protection: the runtime checks
# that the process's cwd is inside the container, and a profile that denies getcwd(2)
# must not make that check fail. Without noNewPrivileges the filter is loaded while the
# process is still privileged (before the uid switch), so the check has to run before the
# filter goes in; with noNewPrivileges it is loaded last. Both, for root and uid 1000,
# for `run` and for `exec` (which applies the same filter to the new process).
# runc 1.1.5 FAILS this: "failed to verify if current working directory is safe: operation
# not permitted" (its check runs under the filter, without noNewPrivileges).
spec13_seccomp_denies_getcwd() {
    need_seccomp errno
    local nnp user
    for nnp in false true; do
        for user in 0 1000; do
            bundle_new "c$nnp$user"
            bundle_set --argjson nnp "$nnp" --argjson u "$user" \
                '.process.noNewPrivileges = $nnp | .process.user = {uid: $u, gid: $u} | .process.cwd = "/tmp"
                 | .linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
                     syscalls: [{names: ["getcwd"], action: "SCMP_ACT_ERRNO", errnoRet: 1}]}'
            # (the shell's $PWD would need getcwd: the inode of . tells the cwd instead)
            inside '[ "$(stat -c %i .)" = "$(stat -c %i /tmp)" ] && echo "ran in /tmp"; grep ^Seccomp: /proc/self/status'
            expect_eq "$OUT" $'ran in /tmp\nSeccomp:\t2' "output (noNewPrivileges $nnp, uid $user)"
        done
    done
    bundle_new exec
    bundle_set '.process.noNewPrivileges = false | .process.cwd = "/tmp"
        | .linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
            syscalls: [{names: ["getcwd"], action: "SCMP_ACT_ERRNO", errnoRet: 1}]}'
    bundle_args sleep 60
    ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    ctr_start || fail "start failed: $ERR"
    expect_exit 0 rt exec "$ID" sh -c '[ "$(stat -c %i .)" = "$(stat -c %i /tmp)" ] && echo "exec ran in /tmp"'
    expect_eq "$OUT" "exec ran in /tmp" "exec's output"
}
check seccomp_denies_getcwd spec13_seccomp_denies_getcwd

# ---------------------------------------------------------------------------------------
# Rootfs mount propagation

# _s13_shared_dir DIR: DIR (under $T) made a shared mount of its own (a bind onto itself,
# then --make-shared), unmounted with everything below it when the check ends.
_s13_shared_dir() {
    mkdir -p "$1" || fail "mkdir $1"
    mount --bind "$1" "$1" || fail "cannot bind $1 onto itself"
    defer "umount -R -l '$1'"
    mount --make-shared "$1" || fail "cannot make $1 shared"
}

# config-linux.md#rootfs-mount-propagation "shared" and "rshared" (containerd's CRI plugin
# sets rshared for every pod with a Bidirectional mount, CSI drivers and storage daemons).
# The rootfs lies in a shared mount of the host and a shared host directory is bound at
# /vol. Then: create works (it used to end in "pivot_root: Invalid argument"), the
# container's / is shared, a mount the host makes under the directory appears in the
# container, one the container makes there appears on the host and goes away on the host
# when the container unmounts it; no mount of the container (its rootfs bind, /proc, /dev)
# ever appears in the host's mount table, and after delete the host's mount table is what it
# was before create.
# runc 1.1.5 FAILS this: it creates the container, but its / stays private (runc 1.1 never
# applies the propagation to the new root after pivot_root).
spec13_rootfs_shared() {
    local prop before during after
    _s13_shared_dir "$T/vol"
    _s13_shared_dir "$T/images"
    cp -a "$ROOTFS" "$T/images/rootfs" || fail "cannot copy the rootfs"
    for prop in rshared shared; do
        bundle_new "c-$prop"
        bundle_set --arg p "$prop" --arg r "$T/images/rootfs" '.linux.rootfsPropagation = $p | .root.path = $r'
        bundle_mount /vol bind "$T/vol" rbind
        bundle_add_caps CAP_SYS_ADMIN
        bundle_args sleep 60
        before=$(_s13_host_mounts_under "$T" | sort)
        ctr_create || fail "create with rootfsPropagation $prop failed: $(cat "$T/$ID.err")"
        ctr_start || fail "start failed: $ERR"
        expect_exit 0 rt exec "$ID" cat /proc/self/mountinfo
        expect_match "$(_s13_root_propagation "$OUT")" '(^| )shared:[0-9]+' "propagation of the container's / ($prop)"
        # the host's mount appears in the container
        mkdir -p "$T/vol/from-host-$prop" && mount -t tmpfs "host-$prop" "$T/vol/from-host-$prop" ||
            fail "cannot mount a tmpfs at $T/vol/from-host-$prop"
        echo "host $prop" > "$T/vol/from-host-$prop/f"
        expect_exit 0 rt exec "$ID" cat "/vol/from-host-$prop/f"
        expect_eq "$OUT" "host $prop" "a host mount under the shared bind, read in the container ($prop)"
        # the container's mount appears on the host, and its unmount too
        expect_exit 0 rt exec "$ID" sh -c "mkdir -p /vol/from-ctr && mount -t tmpfs ctr-$prop /vol/from-ctr && echo 'ctr $prop' > /vol/from-ctr/f"
        wait_for 2 test -s "$T/vol/from-ctr/f" || fail "the container's mount at /vol/from-ctr is not seen on the host ($prop)"
        expect_eq "$(cat "$T/vol/from-ctr/f")" "ctr $prop" "the container's mount, read on the host ($prop)"
        during=$(_s13_host_mounts_under "$T" | sort)
        expect_eq "$(comm -13 <(echo "$before") <(echo "$during"))" \
            "$(printf '%s\n' "$T/vol/from-ctr" "$T/vol/from-host-$prop" | sort)" \
            "mounts under the check directory added while the container runs ($prop): only the two under the shared directory"
        expect_exit 0 rt exec "$ID" umount /vol/from-ctr
        wait_for 2 _s13_not_mounted "$T/vol/from-ctr" || fail "the container's unmount of /vol/from-ctr did not reach the host ($prop)"
        umount "$T/vol/from-host-$prop" || fail "cannot unmount $T/vol/from-host-$prop"
        expect_exit 0 rt delete --force "$ID"
        after=$(_s13_host_mounts_under "$T" | sort)
        expect_eq "$after" "$before" "mount points under the check directory after delete ($prop)"
    done
}
check rootfs_shared spec13_rootfs_shared

# _s13_not_mounted DIR: DIR is no mount point of the host's mount namespace.
_s13_not_mounted() {
    ! awk -v p="$1" '$5 == p { found = 1 } END { exit !found }' /proc/self/mountinfo
}

# config-linux.md#rootfs-mount-propagation: every value runc accepts works, and the
# container's / ends with it: shared for shared/rshared, unbindable for unbindable and
# runbindable, private for private/rprivate, never shared for slave/rslave (a slave of the
# host's / where that is shared, else private). The rootfs lies in a shared mount of the
# host, as on systemd hosts.
# runc 1.1.5 FAILS this: / stays private for shared, rshared and unbindable, and runbindable
# ends in "invalid argument" (its bind of the rootfs from an unbindable mount).
spec13_rootfs_propagation_values() {
    local prop want got
    _s13_shared_dir "$T/images"
    cp -a "$ROOTFS" "$T/images/rootfs" || fail "cannot copy the rootfs"
    for prop in shared rshared slave rslave private rprivate unbindable runbindable; do
        bundle_new "c-$prop"
        bundle_set --arg p "$prop" --arg r "$T/images/rootfs" '.linux.rootfsPropagation = $p | .root.path = $r'
        inside 'cat /proc/self/mountinfo'
        got=$(_s13_root_propagation "$OUT")
        case $prop in
            *shared) expect_match "$got" '(^| )shared:[0-9]+' "propagation of / ($prop)" ;;
            *unbindable) expect_match "$got" '(^| )unbindable' "propagation of / ($prop)" ;;
            *private) expect_eq "$got" private "propagation of / ($prop)" ;;
            *slave) expect_not_contains "$got" shared "propagation of / ($prop)" ;;
        esac
    done
}
check rootfs_propagation_values spec13_rootfs_propagation_values

# ---------------------------------------------------------------------------------------
# No mount namespace

# _s13_runtime_in_private_mntns: from here on the check's runtime runs in a mount namespace
# of its own (a recursively private copy of the host's, kept by a bind of its ns file under
# $T): a runtime that mounts in "the host's" namespace because the config has no mount
# namespace, or changes its propagation, does so in that copy, never in the host's, on any
# host (on systemd hosts / is shared). _s13_ns_mounts_under DIR lists the mount points under
# DIR in that namespace. Containers of the check are deleted before the namespace goes.
_s13_runtime_in_private_mntns() {
    mkdir -p "$T/ns" && touch "$T/ns/mnt" || fail "mkdir $T/ns"
    mount --bind "$T/ns" "$T/ns" && mount --make-private "$T/ns" || fail "cannot make $T/ns a private mount"
    defer "umount -l '$T/ns'"
    unshare --mount="$T/ns/mnt" --propagation private true || fail "cannot make a mount namespace (unshare --mount=FILE)"
    defer "umount -l '$T/ns/mnt'"
    printf '#!/bin/sh\nexec nsenter --mount=%s -- %s "$@"\n' "$T/ns/mnt" "$RUNTIME" > "$T/ns-runtime"
    chmod +x "$T/ns-runtime"
    S13_REAL_RUNTIME=$RUNTIME
    RUNTIME=$T/ns-runtime
    defer '_s13_delete_all'
}

_s13_delete_all() {
    local id
    for id in "${CHECK_IDS[@]}"; do rt delete --force "$id" > /dev/null 2>&1; done
    return 0
}

_s13_ns_mounts_under() {
    nsenter --mount="$T/ns/mnt" -- awk -v p="$1" '$5 == p || index($5, p "/") == 1 { print $5 }' /proc/self/mountinfo | sort
}

# config-linux.md#namespaces: "If a namespace type is not specified in the namespaces array,
# the container MUST inherit the runtime namespace of that type." Without a mount namespace
# the container runs in the runtime's (here a private copy of the host's, see above): the
# config's mounts are made there, below the rootfs, the container sees them from its chroot
# (a tmpfs at /data, its own /proc), `exec` enters the same root, and delete removes every
# one of them: the namespace's mount table is what it was before create.
# The bundle has no maskedPaths and readonlyPaths, which runc refuses without a mount
# namespace (no_mount_namespace_masked has them).
# runc 1.1.5 FAILS this: `runc exec` does not enter the container's chroot (the exec'd
# process sees the runtime's / and /proc), and delete leaves the rootfs bind and every mount
# of the config (proc, /dev, /sys, /data, ...) in the runtime's mount namespace.
spec13_no_mount_namespace() {
    local before during pid
    _s13_runtime_in_private_mntns
    bundle_new
    bundle_private_rootfs
    bundle_ns_remove mount
    bundle_set '.linux.maskedPaths = [] | .linux.readonlyPaths = []'
    bundle_mount /data tmpfs tmpfs size=1m
    bundle_args sleep 60
    before=$(_s13_ns_mounts_under "$T")
    ctr_create || fail "create without a mount namespace failed: $(cat "$T/$ID.err")"
    ctr_start || fail "start failed: $ERR"
    pid=$(state_field pid) || fail "state failed"
    expect_eq "$(readlink "/proc/$pid/ns/mnt")" "$(nsenter --mount="$T/ns/mnt" readlink /proc/self/ns/mnt)" \
        "the container's mount namespace is the runtime's"
    expect_exit 0 rt exec "$ID" sh -c 'test -x /bin/busybox && echo root-ok; ls -d /proc/[0-9]* | wc -l; awk "\$2 == \"/data\" { print \$3 }" /proc/self/mounts'
    expect_eq "$(sed -n 1p <<< "$OUT")" root-ok "the exec'd process's root"
    [ "$(sed -n 2p <<< "$OUT")" -le 6 ] || fail "the container's /proc shows $(sed -n 2p <<< "$OUT") processes: not its own pid namespace's"
    expect_eq "$(sed -n 3p <<< "$OUT")" tmpfs "the filesystem at /data"
    during=$(_s13_ns_mounts_under "$T")
    expect_contains "$during" "$BUNDLE/rootfs/data" "the runtime's mount table while the container runs"
    expect_contains "$during" "$BUNDLE/rootfs/proc" "the runtime's mount table while the container runs"
    expect_exit 0 rt delete --force "$ID"
    expect_eq "$(_s13_ns_mounts_under "$T")" "$before" "mount points under the check directory after delete"
}
check no_mount_namespace spec13_no_mount_namespace

# The same with the base config's maskedPaths, readonlyPaths and a read-only root (which
# runc refuses without a mount namespace): the masked files read empty, /proc/sys is
# read-only, and delete removes everything.
# runc 1.1.5 FAILS this: "unable to restrict sys entries without a private MNT namespace".
spec13_no_mount_namespace_masked() {
    local before
    _s13_runtime_in_private_mntns
    bundle_new
    bundle_private_rootfs
    bundle_ns_remove mount
    bundle_set '.root.readonly = true'
    before=$(_s13_ns_mounts_under "$T")
    inside 'wc -c < /proc/timer_list; echo 1 > /proc/sys/kernel/printk_ratelimit_burst 2>/dev/null && echo wrote || echo refused; touch /x 2>/dev/null && echo wrote || echo refused'
    expect_eq "$OUT" $'0\nrefused\nrefused' "masked /proc/timer_list, read-only /proc/sys, read-only /"
    expect_eq "$(_s13_ns_mounts_under "$T")" "$before" "mount points under the check directory after run"
}
check no_mount_namespace_masked spec13_no_mount_namespace_masked

# What cannot work in the runtime's mount namespace is refused with the field and nothing
# left: a rootfsPropagation (it would change the propagation of the runtime's, i.e. the
# host's, mounts) and a user namespace (whose root cannot mount in a namespace the host's
# user namespace owns).
# (Both bundles leave out maskedPaths and readonlyPaths, which runc refuses without a mount
# namespace.)
# runc 1.1.5 FAILS this: it applies rootfsPropagation to the runtime's / (here the private
# copy; on a real host, the host's) and creates the container.
spec13_no_mount_namespace_refusals() {
    _s13_runtime_in_private_mntns
    bundle_new prop
    bundle_ns_remove mount
    bundle_set '.linux.rootfsPropagation = "rprivate" | .linux.maskedPaths = [] | .linux.readonlyPaths = []'
    ctr_create
    expect_rc nonzero "create with rootfsPropagation and no mount namespace"
    expect_contains "$(cat "$T/$ID.err")" "rootfsPropagation" "the error"
    expect_nothing_left
    need_ns user
    bundle_new userns
    bundle_ns_remove mount
    bundle_ns_add user
    bundle_set '.linux.maskedPaths = [] | .linux.readonlyPaths = []
        | .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
        | .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]'
    ctr_create
    expect_rc nonzero "create with a user namespace and no mount namespace"
    expect_match "$(cat "$T/$ID.err")" 'linux\.namespaces|mount' "the error"
    expect_nothing_left
}
check no_mount_namespace_refusals spec13_no_mount_namespace_refusals

# ---------------------------------------------------------------------------------------
# Memory policy, personality and CPU affinity of exec'd processes

# _s13_need_numa_maps: the kernel shows memory policies (CONFIG_NUMA: /proc/PID/numa_maps).
_s13_need_numa_maps() {
    [ -r /proc/self/numa_maps ] ||
        skip "host kernel has no NUMA memory policies (no /proc/self/numa_maps: CONFIG_NUMA off)"
}

# config-linux.md#memory-policy: the process runs under the policy (the policy column of
# /proc/self/numa_maps shows the task's policy for mappings without one of their own): bind,
# interleave, preferred with MPOL_F_STATIC_NODES, local; an exec'd process gets it too. The
# node is the last one this runner may use. A node the host does not have is refused with
# the field, nothing left.
# runc 1.1.5 FAILS this: it ignores linux.memoryPolicy (runc 1.3 implements it).
spec13_memory_policy() {
    local node mode want
    _s13_need_numa_maps
    node=$(host_mems | tail -n 1)
    for mode in MPOL_BIND MPOL_INTERLEAVE MPOL_PREFERRED MPOL_LOCAL; do
        bundle_new "c-$mode"
        case $mode in
            MPOL_BIND) want="bind:$node"; bundle_set --arg n "$node" '.linux.memoryPolicy = {mode: "MPOL_BIND", nodes: $n}' ;;
            MPOL_INTERLEAVE) want="interleave:$node"; bundle_set --arg n "$node" '.linux.memoryPolicy = {mode: "MPOL_INTERLEAVE", nodes: $n}' ;;
            MPOL_PREFERRED) want="prefer=static:$node"
                bundle_set --arg n "$node" '.linux.memoryPolicy = {mode: "MPOL_PREFERRED", nodes: $n, flags: ["MPOL_F_STATIC_NODES"]}' ;;
            MPOL_LOCAL) want=local; bundle_set '.linux.memoryPolicy = {mode: "MPOL_LOCAL"}' ;;
        esac
        inside 'head -n 1 /proc/self/numa_maps | cut -d " " -f 2'
        expect_eq "$OUT" "$want" "the process's memory policy ($mode)"
    done
    bundle_new bad
    bundle_set '.linux.memoryPolicy = {mode: "MPOL_BIND", nodes: "1000"}'
    ctr_create
    expect_rc nonzero "create with a node the host does not have"
    expect_contains "$(cat "$T/$ID.err")" "linux.memoryPolicy" "the error"
    expect_nothing_left
    bundle_new exec
    bundle_set --arg n "$node" '.linux.memoryPolicy = {mode: "MPOL_INTERLEAVE", nodes: $n}'
    bundle_args sleep 60
    ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    ctr_start || fail "start failed: $ERR"
    expect_exit 0 rt exec "$ID" sh -c 'head -n 1 /proc/self/numa_maps | cut -d " " -f 2'
    expect_eq "$OUT" "interleave:$node" "the exec'd process's memory policy"
}
check memory_policy spec13_memory_policy

# config-linux.md#personality for an exec'd process: it runs in the container's execution
# domain too (runc 1.2 applies it in both of its inits).
# runc 1.1.5 FAILS this: it ignores linux.personality.
spec13_exec_personality() {
    [ "$(uname -m)" = x86_64 ] || [ "$(uname -m)" = aarch64 ] || skip "LINUX32 is tested on x86_64 and aarch64 only, this is $(uname -m)"
    bundle_new
    bundle_set '.linux.personality = {domain: "LINUX32"}'
    bundle_args sleep 60
    ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    ctr_start || fail "start failed: $ERR"
    expect_exit 0 rt exec "$ID" uname -m
    expect_match "$OUT" '^(i686|armv)' "uname -m of the exec'd process under LINUX32"
}
check exec_personality spec13_exec_personality

# config.md#linux-process execCPUAffinity, for `exec` (it does not apply to the container's
# process): `final` is the exec'd process's affinity; with `initial` too, final wins once the
# process is in the cgroup; without execCPUAffinity the process does not inherit the CPUs the
# runtime was started on (here `taskset` pins the runtime to the first allowed CPU). Needs
# two CPUs this runner may use.
# runc 1.1.5 FAILS this: it has no execCPUAffinity (runc 1.2 does).
spec13_exec_cpu_affinity() {
    local cpus first last all
    cpus=$(host_cpus)
    [ "$(wc -l <<< "$cpus")" -ge 2 ] || skip "only CPU $cpus is allowed here: an affinity proves nothing with one CPU"
    first=$(head -n 1 <<< "$cpus")
    last=$(tail -n 1 <<< "$cpus")
    all=$(awk '$1 == "Cpus_allowed_list:" { print $2 }' /proc/self/status)
    bundle_new
    bundle_args sleep 60
    ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    ctr_start || fail "start failed: $ERR"
    local aff='grep ^Cpus_allowed_list: /proc/self/status | cut -f 2'
    jq --arg a "$aff" --arg l "$last" '.process | .args = ["sh", "-c", $a] | .execCPUAffinity = {final: $l}' \
        "$CONFIG" > "$T/final.json" || fail "jq"
    jq --arg a "$aff" --arg f "$first" --arg l "$last" '.process | .args = ["sh", "-c", $a] | .execCPUAffinity = {initial: $f, final: $l}' \
        "$CONFIG" > "$T/both.json" || fail "jq"
    expect_exit 0 rt exec --process "$T/final.json" "$ID"
    expect_eq "$OUT" "$last" "the exec'd process's CPUs with final $last"
    expect_exit 0 rt exec --process "$T/both.json" "$ID"
    expect_eq "$OUT" "$last" "the exec'd process's CPUs with initial $first, final $last"
    _capture taskset -c "$first" "$RUNTIME" --root "$STATE" exec "$ID" sh -c "$aff"
    expect_rc 0 "exec pinned to CPU $first"
    expect_eq "$OUT" "$all" "the exec'd process's CPUs without execCPUAffinity, exec started on CPU $first"
}
check exec_cpu_affinity spec13_exec_cpu_affinity

# ---------------------------------------------------------------------------------------
# Id-mapped mounts

# _s13_need_idmap DIR: the kernel and DIR's filesystem can id-map a bind of DIR (Linux 5.12,
# a filesystem with FS_ALLOW_IDMAP): probed with util-linux's X-mount.idmap.
_s13_need_idmap() {
    mkdir -p "$T/.idmap-probe"
    if ! mount --bind -o X-mount.idmap=0:5000:1 "$1" "$T/.idmap-probe" 2> "$T/.idmap-probe.err"; then
        skip "host cannot id-map a bind of $1 (Linux >= 5.12 and a filesystem that supports it): $(cat "$T/.idmap-probe.err")"
    fi
    umount "$T/.idmap-probe"
}

# _s13_idmap_source: $T/src with f0 (0:0), f1000 (1000:1000) and, when SUB is given, a tmpfs
# at sub/ holding s0 (0:0).
_s13_idmap_source() {
    mkdir -p "$T/src" && touch "$T/src/f0" "$T/src/f1000" && chown 1000:1000 "$T/src/f1000" || fail "cannot make $T/src"
    if [ "${1:-}" = sub ]; then
        mkdir -p "$T/src/sub" && mount -t tmpfs sub "$T/src/sub" && touch "$T/src/sub/s0" || fail "cannot mount $T/src/sub"
        defer "umount -l '$T/src/sub'"
    fi
}

# config.md#mounts uidMappings/gidMappings with "idmap": files on the id-mapped bind show
# the mapped owners in the container (on-disk 0 and 1000 as 5000 and 6000 with containerID 0
# -> hostID 5000), a file uid 5000 creates there is owned by 0 on the host, and root (id 0,
# outside the mapping) cannot create one (EOVERFLOW); on the host nothing changed owner. With
# "rbind" and "ridmap" a submount is mapped too, with "rbind" and "idmap" only the top.
# idmap on a tmpfs, and idmap without mappings in a container without a user namespace, are
# refused with the field, nothing left.
# runc 1.1.5 FAILS this: it has no id-mapped mounts (runc 1.2 does).
spec13_idmapped_mount() {
    _s13_idmap_source sub
    _s13_need_idmap "$T/src"
    local map='[{"containerID": 0, "hostID": 5000, "size": 2000}]'
    bundle_new user
    bundle_set --arg s "$T/src" --argjson m "$map" '.process.user = {uid: 5000, gid: 5000}
        | .mounts += [{destination: "/data", type: "bind", source: $s, options: ["bind", "idmap"], uidMappings: $m, gidMappings: $m}]'
    inside 'stat -c "%u:%g" /data/f0 /data/f1000; touch /data/by-5000 && echo created'
    expect_eq "$OUT" $'5000:5000\n6000:6000\ncreated' "owners on the id-mapped bind, and a file made by uid 5000"
    expect_eq "$(stat -c %u:%g "$T/src/f0" "$T/src/f1000" "$T/src/by-5000" | tr '\n' ' ')" "0:0 1000:1000 0:0 " \
        "the same files' owners on the host"
    bundle_new root
    bundle_set --arg s "$T/src" --argjson m "$map" \
        '.mounts += [{destination: "/data", type: "bind", source: $s, options: ["bind", "idmap"], uidMappings: $m, gidMappings: $m}]'
    inside_any 'touch /data/by-root'
    expect_rc nonzero "root (unmapped on the bind) creating a file"
    expect_contains "$ERR" "Value too large" "root's error (EOVERFLOW)"
    local opt want
    for opt in ridmap idmap; do
        bundle_new "rec-$opt"
        bundle_set --arg s "$T/src" --argjson m "$map" --arg o "$opt" \
            '.mounts += [{destination: "/data", type: "bind", source: $s, options: ["rbind", $o], uidMappings: $m, gidMappings: $m}]'
        inside 'stat -c "%u" /data/f0 /data/sub/s0'
        if [ "$opt" = ridmap ]; then want=$'5000\n5000'; else want=$'5000\n0'; fi
        expect_eq "$OUT" "$want" "owners of /data/f0 and the submount's /data/sub/s0 with rbind and $opt"
    done
    # What cannot be id-mapped is refused with the field, nothing left: idmap on a tmpfs (only
    # binds can be), idmap without mappings in a container without a user namespace.
    bundle_new tmpfs
    bundle_set '.mounts += [{destination: "/data", type: "tmpfs", source: "tmpfs", options: ["idmap"],
        uidMappings: [{containerID: 0, hostID: 5000, size: 1}], gidMappings: [{containerID: 0, hostID: 5000, size: 1}]}]'
    ctr_create
    expect_rc nonzero "create with an id-mapped tmpfs"
    expect_match "$(cat "$T/$ID.err")" 'mounts\[[0-9]+\]' "the error names the mount"
    expect_nothing_left
    bundle_new nomap
    bundle_set --arg s "$T/src" '.mounts += [{destination: "/data", type: "bind", source: $s, options: ["bind", "idmap"]}]'
    ctr_create
    expect_rc nonzero "create with idmap, no mappings and no user namespace"
    expect_match "$(cat "$T/$ID.err")" 'mounts\[[0-9]+\]' "the error names the mount"
    expect_nothing_left
}
check idmapped_mount spec13_idmapped_mount

# config.md#mounts "idmap" without mappings in a container with a user namespace (what
# Kubernetes' hostUsers: false does): the container's mapping is used, so files the host's
# root owns are root's in the container (0:0, and 1000 stays 1000), where a plain bind shows
# them as the overflow id; root in the container creates a file the host sees owned by 0.
# runc 1.1.5 FAILS this: it has no id-mapped mounts.
spec13_idmapped_mount_userns() {
    need_ns user
    _s13_idmap_source
    _s13_need_idmap "$T/src"
    bundle_new
    bundle_private_rootfs
    chown -R 100000:100000 "$BUNDLE/rootfs" || fail "cannot chown the rootfs"
    bundle_ns_add user
    bundle_set --arg s "$T/src" '.linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
        | .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
        | .mounts += [{destination: "/data", type: "bind", source: $s, options: ["bind", "idmap"]},
                      {destination: "/plain", type: "bind", source: $s, options: ["bind"]}]'
    inside 'stat -c "%u:%g" /data/f0 /data/f1000 /plain/f0; touch /data/by-root && echo created'
    expect_eq "$OUT" "0:0"$'\n'"1000:1000"$'\n'"$(cat /proc/sys/kernel/overflowuid):$(cat /proc/sys/kernel/overflowgid)"$'\n'created \
        "owners on the id-mapped bind, on a plain bind, and a file made by root"
    expect_eq "$(stat -c %u:%g "$T/src/f0" "$T/src/by-root" | tr '\n' ' ')" "0:0 0:0 " "the owners on the host"
}
check idmapped_mount_userns spec13_idmapped_mount_userns


# ---------------------------------------------------------------------------------------
# Network devices

# _s13_runtime_in_private_netns: from here on the check's runtime runs in a network namespace
# of its own (kept by a bind of its ns file under $T), the "host" whose interfaces the checks
# make and move: the host's own interfaces are never touched. _s13_net CMD... runs CMD there.
# Containers of the check are deleted before the namespace goes. Skips where the kernel
# cannot make veth pairs.
_s13_runtime_in_private_netns() {
    mkdir -p "$T/netns" && touch "$T/netns/net" || fail "mkdir $T/netns"
    mount --bind "$T/netns" "$T/netns" && mount --make-private "$T/netns" || fail "cannot make $T/netns a private mount"
    defer "umount -l '$T/netns'"
    unshare --net="$T/netns/net" true || fail "cannot make a network namespace (unshare --net=FILE)"
    defer "umount -l '$T/netns/net'"
    _s13_net ip link add swprobe0 type veth peer name swprobe1 2> "$T/.veth.err" ||
        skip "host kernel cannot make veth pairs (CONFIG_VETH): $(cat "$T/.veth.err")"
    _s13_net ip link del swprobe0
    printf '#!/bin/sh\nexec nsenter --net=%s -- %s "$@"\n' "$T/netns/net" "$RUNTIME" > "$T/netns-runtime"
    chmod +x "$T/netns-runtime"
    RUNTIME=$T/netns-runtime
    defer '_s13_delete_all'
}

_s13_net() {
    nsenter --net="$T/netns/net" -- "$@"
}

# config-linux.md#network-devices: two veth ends of the runtime's namespace are moved into the
# container's: swv0 renamed eth1, with its permanent global addresses (an IPv4 and an IPv6
# one) and not the others (a dynamic one with a lifetime, a link-scope one), set up; swt0
# under the template name ctr%d (the kernel picks ctr0). Both are gone from the runtime's
# namespace, their peers stay. After delete the kernel destroyed the moved virtual devices
# with the namespace (and so their peers): the runtime does not move them back, as the spec
# says it MUST NOT.
# runc 1.1.5 FAILS this: it ignores linux.netDevices (runc 1.3 implements it).
spec13_net_devices() {
    _s13_runtime_in_private_netns
    _s13_net ip link add swv0 type veth peer name swv1 || fail "ip link add swv0"
    _s13_net ip link add swt0 type veth peer name swt1 || fail "ip link add swt0"
    _s13_net ip addr add 192.0.2.10/24 dev swv0 || fail "ip addr add"
    _s13_net ip addr add 2001:db8::10/64 dev swv0 nodad || fail "ip -6 addr add"
    _s13_net ip addr add 192.0.2.20/24 dev swv0 valid_lft 300 preferred_lft 300 || fail "ip addr add (dynamic)"
    _s13_net ip addr add 169.254.7.7/16 dev swv0 scope link || fail "ip addr add (link scope)"
    bundle_new
    bundle_set '.linux.netDevices = {swv0: {name: "eth1"}, swt0: {name: "ctr%d"}}'
    bundle_args sleep 60
    ctr_create || fail "create with netDevices failed: $(cat "$T/$ID.err")"
    ctr_start || fail "start failed: $ERR"
    expect_exit 0 rt exec "$ID" sh -c 'ip -o link show eth1; ip -o addr show dev eth1; ip -o link show | grep -c ": ctr0[:@]"'
    expect_match "$(sed -n 1p <<< "$OUT")" '<[^>]*UP[^>]*>' "eth1 is up in the container"
    expect_contains "$OUT" "inet 192.0.2.10/24" "the permanent IPv4 address, carried over"
    expect_contains "$OUT" "inet6 2001:db8::10/64" "the permanent IPv6 address, carried over"
    expect_not_contains "$OUT" "192.0.2.20" "the dynamic address"
    expect_not_contains "$OUT" "169.254.7.7" "the link-scope address"
    expect_eq "$(tail -n 1 <<< "$OUT")" 1 "interfaces named ctr0 (from the template ctr%d)"
    _s13_net ip link show swv0 > /dev/null 2>&1 && fail "swv0 is still in the runtime's namespace"
    _s13_net ip link show swt0 > /dev/null 2>&1 && fail "swt0 is still in the runtime's namespace"
    _s13_net ip link show swv1 > /dev/null 2>&1 || fail "the peer swv1 is gone from the runtime's namespace"
    expect_exit 0 rt delete --force "$ID"
    wait_for 5 _s13_no_link swv1 || fail "swv1 still exists after delete: the moved veth was not destroyed with the namespace"
    _s13_net ip -o link show > "$T/links-after"
    expect_not_contains "$(cat "$T/links-after")" "eth1" "the runtime's namespace after delete"
    expect_not_contains "$(cat "$T/links-after")" "swv0" "the runtime's namespace after delete"
}
check net_devices spec13_net_devices

_s13_no_link() {
    ! _s13_net ip link show "$1" > /dev/null 2>&1
}

# config-linux.md#network-devices: refused with the field and nothing left: a device the
# runtime's namespace does not have, a name that exists in the container's namespace already
# (lo: the device is not touched, it stays up in the runtime's namespace), no network
# namespace, a network namespace joined by path (not the container's to fill).
# runc 1.1.5 FAILS this: it ignores linux.netDevices and creates the containers.
spec13_net_devices_refusals() {
    _s13_runtime_in_private_netns
    _s13_net ip link add swc0 type veth peer name swc1 && _s13_net ip link set swc0 up || fail "ip link add swc0"
    bundle_new missing
    bundle_set '.linux.netDevices = {swnone: {}}'
    ctr_create
    expect_rc nonzero "create with a device the runtime's namespace lacks"
    expect_contains "$(cat "$T/$ID.err")" "linux.netDevices" "the error"
    expect_nothing_left
    bundle_new clash
    bundle_set '.linux.netDevices = {swc0: {name: "lo"}}'
    ctr_create
    expect_rc nonzero "create with a name the container's namespace has"
    expect_contains "$(cat "$T/$ID.err")" "linux.netDevices" "the error"
    expect_nothing_left
    expect_match "$(_s13_net ip -o link show swc0)" '<[^>]*UP[^>]*>' "swc0, refused, still up in the runtime's namespace"
    bundle_new nonet
    bundle_ns_remove network
    bundle_set '.linux.netDevices = {swc0: {}}'
    ctr_create
    expect_rc nonzero "create with netDevices and no network namespace"
    expect_nothing_left
    touch "$T/netns/other"
    unshare --net="$T/netns/other" true || fail "cannot make a second network namespace"
    defer "umount -l '$T/netns/other'"
    bundle_new joined
    bundle_ns_add network "$T/netns/other"
    bundle_set '.linux.netDevices = {swc0: {}}'
    ctr_create
    expect_rc nonzero "create with netDevices and a network namespace joined by path"
    expect_contains "$(cat "$T/$ID.err")" "linux.netDevices" "the error"
    expect_nothing_left
    _s13_net ip link show swc0 > /dev/null 2>&1 || fail "swc0 left the runtime's namespace"
}
check net_devices_refusals spec13_net_devices_refusals

# ---------------------------------------------------------------------------------------
# Intel RDT

# _s13_resctrl: the resctrl mount point of the runner's mount namespace, or nothing.
_s13_resctrl() {
    awk '{ for (i = 7; $i != "-"; i++); if ($(i + 1) == "resctrl") { print $5; exit } }' /proc/self/mountinfo
}

# config-linux.md#intelrdt: "If no mounted resctrl pseudo-filesystem is available in the
# runtime mount namespace, the runtime MUST generate an error": create fails naming the
# field, nothing left. (Where resctrl is mounted, intel_rdt checks the group instead.)
spec13_intel_rdt_unavailable() {
    [ -z "$(_s13_resctrl)" ] || skip "host has resctrl mounted at $(_s13_resctrl): no refusal to see (spec13/intel_rdt uses it)"
    bundle_new
    bundle_set '.linux.intelRdt = {closID: "swc-gold", l3CacheSchema: "L3:0=f"}'
    ctr_create
    expect_rc nonzero "create with intelRdt on a host without resctrl"
    expect_contains "$(cat "$T/$ID.err")" "intelRdt" "the error"
    expect_nothing_left
}
check intel_rdt_unavailable spec13_intel_rdt_unavailable

# config-linux.md#intelrdt on a host with resctrl: without closID the container gets the
# group <container-id>, its process is in that group's tasks (an exec'd one too), a
# monitoring group mon_groups/<container-id> where the host monitors (info/L3_MON), and
# delete removes both.
spec13_intel_rdt() {
    local root pid
    root=$(_s13_resctrl)
    [ -n "$root" ] || skip "host has no resctrl filesystem mounted (Intel RDT / AMD PQoS); the refusal is checked by spec13/intel_rdt_unavailable"
    local monitoring=false
    [ -d "$root/info/L3_MON" ] && monitoring=true
    bundle_new
    bundle_set --argjson m "$monitoring" '.linux.intelRdt = {enableMonitoring: $m}'
    bundle_args sleep 60
    ctr_create || fail "create with intelRdt failed: $(cat "$T/$ID.err")"
    ctr_start || fail "start failed: $ERR"
    pid=$(state_field pid) || fail "state failed"
    local tasks="$root/$ID/tasks"
    [ "$monitoring" = true ] && tasks="$root/$ID/mon_groups/$ID/tasks"
    grep -qx "$pid" "$tasks" || fail "the container's init $pid is not in $tasks"
    expect_exit 0 rt exec --detach "$ID" sleep 30
    wait_for 2 _s13_lines_at_least 2 "$tasks" || fail "the exec'd process is not in $tasks ($(wc -l < "$tasks") tasks)"
    expect_exit 0 rt delete --force "$ID"
    [ -e "$root/$ID" ] && fail "$root/$ID is left after delete"
    return 0
}
check intel_rdt spec13_intel_rdt

_s13_lines_at_least() {
    [ "$(wc -l < "$2")" -ge "$1" ]
}
