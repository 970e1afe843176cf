# config-linux.md "Devices", "Default Devices", "Allowed Device list";
# runtime-linux.md "Dev symbolic links".

# config-linux.md#default-devices: null, zero, full, random, urandom, tty are character
# devices with their standard numbers (busybox stat prints them in hex), mode 0666 and owned
# by root, whatever the umask of the runtime's caller (077 here, which a mknod would apply).
devices_default_nodes() {
    bundle_new
    cgroup_parent_ready
    local saved
    saved=$(umask)
    umask 077
    inside 'for d in null zero full random urandom tty; do stat -c "%n %F %t:%T %a %u %g" /dev/$d; done'
    umask "$saved"
    expect_eq "$OUT" "/dev/null character special file 1:3 666 0 0
/dev/zero character special file 1:5 666 0 0
/dev/full character special file 1:7 666 0 0
/dev/random character special file 1:8 666 0 0
/dev/urandom character special file 1:9 666 0 0
/dev/tty character special file 5:0 666 0 0" "default device nodes"
}
check default_nodes devices_default_nodes

# The default devices work, for root and for an unprivileged user (device cgroup and
# node permissions allow them).
devices_default_usable() {
    bundle_new
    bundle_set '.process.user = {uid: 1000, gid: 1000}'
    inside 'echo x > /dev/null && echo null-ok
        head -c 5 /dev/zero | wc -c
        head -c 4 /dev/urandom | wc -c
        head -c 4 /dev/random | wc -c
        echo x > /dev/full || echo full-refused'
    expect_eq "$OUT" $'null-ok\n5\n4\n4\nfull-refused' "using the default devices as uid 1000"
    expect_contains "$ERR" "No space left on device" "error writing /dev/full"
}
check default_usable devices_default_usable

# runtime-linux.md#dev-symbolic-links.
devices_symlinks() {
    bundle_new
    inside 'for l in fd stdin stdout stderr; do echo "$l -> $(readlink /dev/$l)"; done'
    expect_eq "$OUT" "fd -> /proc/self/fd
stdin -> /proc/self/fd/0
stdout -> /proc/self/fd/1
stderr -> /proc/self/fd/2" "symlinks in /dev"
}
check symlinks devices_symlinks

# config-linux.md#default-devices: /dev/ptmx is a bind mount or symlink of the
# container's /dev/pts/ptmx, and opening it allocates a pty in the container's devpts.
devices_ptmx() {
    bundle_new
    inside '[ "$(stat -L -c %d:%i /dev/ptmx)" = "$(stat -c %d:%i /dev/pts/ptmx)" ] && echo same-node
        exec 3<>/dev/ptmx && ls /dev/pts'
    expect_eq "$OUT" $'same-node\n0\nptmx' "/dev/ptmx is /dev/pts/ptmx, and a pty allocated through it"
}
check ptmx devices_ptmx

# config-linux.md#devices: linux.devices adds nodes with the given type, numbers, mode
# and owner, anywhere in the tree, and they are usable.
devices_linux_devices() {
    bundle_new
    bundle_mount /mnt/devs tmpfs tmpfs size=1m mode=755
    bundle_set '.linux.devices = [
        {path: "/dev/swc-null", type: "c", major: 1, minor: 3, fileMode: 432, uid: 0, gid: 0},
        {path: "/dev/swc-owned", type: "c", major: 1, minor: 5, fileMode: 416, uid: 1000, gid: 1000},
        {path: "/dev/swc-loop", type: "b", major: 7, minor: 200, fileMode: 384, uid: 0, gid: 0},
        {path: "/dev/swc-fifo", type: "p", fileMode: 420},
        {path: "/mnt/devs/zero", type: "c", major: 1, minor: 5, fileMode: 438}]'
    inside 'for d in /dev/swc-null /dev/swc-owned /dev/swc-loop /mnt/devs/zero; do stat -c "%n %F %t:%T %a %u %g" $d; done
        stat -c "%n %F %a" /dev/swc-fifo
        echo x > /dev/swc-null && echo write-ok
        head -c 3 /mnt/devs/zero | wc -c'
    expect_eq "$OUT" "/dev/swc-null character special file 1:3 660 0 0
/dev/swc-owned character special file 1:5 640 1000 1000
/dev/swc-loop block special file 7:c8 600 0 0
/mnt/devs/zero character special file 1:5 666 0 0
/dev/swc-fifo fifo 644
write-ok
3" "device nodes from linux.devices (stat, a write, a read)"
}
check linux_devices devices_linux_devices

# A bundle that lists /dev/null itself in linux.devices (as generated specs often list the
# default devices) under a deny-all device rule, with the process's stdio on the caller's
# /dev/null: create must work. The runtime opens the null device itself after joining the
# container's cgroup (to mask files, to move stdio onto the container's node), so the null
# device's automatic rule stays when /dev/null is replaced. runc 1.1.5 drops it and fails
# "error reopening /dev/null inside container: open /dev/null: operation not permitted".
devices_null_listed_deny_all() {
    host_cgroup_v2 || need_cgroup_controller devices
    bundle_new
    bundle_set '.linux.devices = [{path: "/dev/null", type: "c", major: 1, minor: 3, fileMode: 438, uid: 0, gid: 0}]
        | .linux.resources.devices = [{allow: false, access: "rwm"}]'
    bundle_sh 'stat -c "node=%t:%T" /dev/null; echo x > /dev/null && echo wrote'
    ctr_detached_once
    expect_contains "$OUT" "node=1:3" "the listed /dev/null"
    expect_contains "$OUT" "wrote" "writing to /dev/null"
}
check null_listed_deny_all devices_null_listed_deny_all

# _dev_need_kmsg: the host has /dev/kmsg (1:11, a kernel with printk), which the device
# cgroup checks open, and a device controller (v1 devices hierarchy; on v2 an eBPF program).
_dev_need_kmsg() {
    host_char_device /dev/kmsg 1:11 || skip "$HOST_LACKS"
    host_cgroup_v2 || need_cgroup_controller devices
}

# config-linux.md#allowed-device-list: the base config denies all devices
# ({"allow": false, "access": "rwm"}), so a device outside the defaults cannot be opened
# (here /dev/kmsg, 1:11, opened write-only, which needs no other privilege).
devices_cgroup_deny() {
    _dev_need_kmsg
    bundle_new
    bundle_add_caps CAP_MKNOD
    inside_any 'mknod /dev/swc-kmsg c 1 11; exec 3> /dev/swc-kmsg && echo opened'
    expect_rc nonzero "opening a denied device"
    expect_not_contains "$OUT" opened "output"
    expect_contains "$ERR" "Operation not permitted" "error"
}
check cgroup_deny devices_cgroup_deny

# ...and an allow entry after it permits that device.
devices_cgroup_allow() {
    _dev_need_kmsg
    bundle_new
    bundle_add_caps CAP_MKNOD
    bundle_set '.linux.resources.devices += [{allow: true, type: "c", major: 1, minor: 11, access: "rwm"}]'
    inside 'mknod /dev/swc-kmsg c 1 11; exec 3> /dev/swc-kmsg && echo opened'
    expect_eq "$OUT" opened "opening the allowed device"
}
check cgroup_allow devices_cgroup_allow
