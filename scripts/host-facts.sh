#!/usr/bin/env bash
# Prints one line of host facts that decide which checks can run here, so that a failure on
# another machine can be read at once: kernel, cgroup mode, the block devices' active I/O
# schedulers (and whether BFQ is offered), LSMs, CPU, cores, memory, huge pages, criu.
#   scripts/host-facts.sh        host facts: kernel=... cgroup=... io=... lsm=... cpu=...
set -u

cgroup_mode() {
    if [ "$(stat -fc %T /sys/fs/cgroup 2> /dev/null)" = cgroup2fs ]; then
        echo "v2($(tr ' ' ',' < /sys/fs/cgroup/cgroup.controllers 2> /dev/null))"
    elif [ "$(stat -fc %T /sys/fs/cgroup/unified 2> /dev/null)" = cgroup2fs ]; then
        echo "hybrid(v2:$(tr ' ' ',' < /sys/fs/cgroup/unified/cgroup.controllers 2> /dev/null))"
    elif [ -d /sys/fs/cgroup/memory ]; then
        echo v1
    else
        echo none
    fi
}

# The active scheduler of each block device (the bracketed one), counted; bfq=yes when any
# device offers BFQ (which is what gives a cgroup a block IO weight file).
io_schedulers() {
    local f active=() bfq=no
    for f in /sys/block/*/queue/scheduler; do
        [ -r "$f" ] || continue
        active+=("$(sed -n 's/.*\[\(.*\)\].*/\1/p' "$f")")
        grep -qw bfq "$f" && bfq=yes
    done
    printf '%s' "$(printf '%s\n' "${active[@]:-none}" | sort | uniq -c | awk '{ printf "%s%s*%s", (NR > 1 ? "," : ""), $2, $1 }')"
    printf ' bfq=%s' "$bfq"
}

lsm() {
    local l
    l=$(cat /sys/kernel/security/lsm 2> /dev/null)
    [ -n "$l" ] || l=unknown
    printf '%s' "$l"
    printf ' apparmor=%s' "$( [ "$(cat /sys/module/apparmor/parameters/enabled 2> /dev/null)" = Y ] && echo on || echo off)"
    printf ' selinux=%s' "$( [ -e /sys/fs/selinux/enforce ] && { [ "$(cat /sys/fs/selinux/enforce)" = 1 ] && echo enforcing || echo permissive; } || echo off)"
}

cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2> /dev/null)
mem=$(awk '/^MemTotal/ { printf "%dGiB", $2 / 1048576 + 0.5 }' /proc/meminfo)
huge=$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages 2> /dev/null || echo none)
criu=$(command -v criu > /dev/null && { criu check > /dev/null 2>&1 && echo ok || echo fails; } || echo absent)
echo "host facts: kernel=$(uname -r) arch=$(uname -m) cgroup=$(cgroup_mode) io=$(io_schedulers)" \
    "lsm=$(lsm) cpu=\"${cpu:-unknown}\" cores=$(nproc) mem=$mem hugepages-2M=$huge" \
    "kvm=$( [ -w /dev/kvm ] && echo yes || echo no) criu=$criu"
