# Host probes: what the machine running the checks offers (kernel build, namespaces,
# seccomp, cgroup controllers and files, CPUs, huge pages, mount options). Sourced by
# conformance/run after check.sh, so every check (conformance/checks/, conformance/vm/) can
# use them.
#
# Each host_* probe returns status 0 when the host has the thing and otherwise status 1 with
# the reason in HOST_LACKS, worded for a skip line ("host kernel has no time namespace
# (...)"). A host check calls `host_x ARGS || skip "$HOST_LACKS"`; the VM sections call
# `host_x ARGS || lacking "$HOST_LACKS"` (lib-vm.sh), which fails inside the VM. need_* are
# those host-check shorthands. Probes only read /proc and /sys (a few make and remove an
# empty probe cgroup), so they cost nothing next to a container.

HOST_LACKS=''

_host_lacks() {
    HOST_LACKS=$*
    return 1
}

# _host_ns_file TYPE: the /proc/self/ns name of an OCI namespace type.
_host_ns_file() {
    case $1 in
        network) echo net ;;
        mount) echo mnt ;;
        *) echo "$1" ;;
    esac
}

# host_has_ns TYPE...: the kernel has each namespace TYPE (OCI names: pid, network, ipc, uts,
# mount, cgroup, user, time), and user namespaces are not switched off.
host_has_ns() {
    local t f max
    for t in "$@"; do
        f=$(_host_ns_file "$t")
        [ -e "/proc/self/ns/$f" ] ||
            _host_lacks "host kernel has no $t namespace (/proc/self/ns/$f missing)" || return 1
        if [ "$t" = user ]; then
            max=$(cat /proc/sys/user/max_user_namespaces 2> /dev/null)
            [ "${max:-1}" != 0 ] || _host_lacks "user namespaces are switched off on this host (user.max_user_namespaces = 0)" || return 1
        fi
    done
}

need_ns() { host_has_ns "$@" || skip "$HOST_LACKS"; }

# host_has_seccomp [ACTION...]: the kernel filters syscalls with seccomp (CONFIG_SECCOMP_FILTER)
# and offers each ACTION of /proc/sys/kernel/seccomp/actions_avail (kill_process, kill_thread,
# trap, errno, user_notif, trace, log, allow). Kernels before 4.14 have no actions_avail and
# only the actions of 3.5 (kill_thread, trap, errno, trace, allow).
host_has_seccomp() {
    grep -q '^Seccomp:' /proc/self/status 2> /dev/null ||
        _host_lacks "host kernel has no seccomp (no Seccomp: in /proc/self/status: CONFIG_SECCOMP off)" || return 1
    local avail a
    if [ -r /proc/sys/kernel/seccomp/actions_avail ]; then
        avail=" $(cat /proc/sys/kernel/seccomp/actions_avail) "
    else
        avail=" kill_thread trap errno trace allow "
    fi
    for a in "$@"; do
        [[ $avail == *" $a "* ]] ||
            _host_lacks "host kernel has no seccomp action $a (actions_avail:$avail)" || return 1
    done
}

need_seccomp() { host_has_seccomp "$@" || skip "$HOST_LACKS"; }

# host_has_keys: the kernel has the key retention service (CONFIG_KEYS: keyctl(2) works).
host_has_keys() {
    [ -d /proc/sys/kernel/keys ] ||
        _host_lacks "host kernel has no key retention service (no /proc/sys/kernel/keys: CONFIG_KEYS off, keyctl(2) is ENOSYS)"
}

# host_cap_last_cap N: the kernel knows capabilities up to number N at least.
host_cap_last_cap() {
    local last
    last=$(cat /proc/sys/kernel/cap_last_cap 2> /dev/null)
    [ -n "$last" ] && [ "$last" -ge "$1" ] ||
        _host_lacks "host kernel knows capabilities 0-${last:-?} only (kernel.cap_last_cap), capability $1 is needed"
}

# host_has_sysctl NAME: /proc/sys/NAME exists (dots or slashes).
host_has_sysctl() {
    [ -e "/proc/sys/${1//.//}" ] ||
        _host_lacks "host kernel has no sysctl $1 (/proc/sys/${1//.//} missing)"
}

# host_has_fs TYPE: the kernel knows filesystem TYPE (/proc/filesystems).
host_has_fs() {
    grep -qw -- "$1" /proc/filesystems 2> /dev/null ||
        _host_lacks "host kernel has no $1 filesystem (not in /proc/filesystems)"
}

# host_char_device PATH MAJOR:MINOR: the host has the character device (its driver is built).
host_char_device() {
    local hex
    hex=$(stat -c '%t %T' "$1" 2> /dev/null)
    [ -c "$1" ] && [ "$((16#${hex% *})):$((16#${hex#* }))" = "$2" ] ||
        _host_lacks "host has no character device $2 at $1 (its driver is not in this kernel)"
}

# host_suid_fs DIR: DIR's mount honours setuid bits and file capabilities (not nosuid).
host_suid_fs() {
    local opts
    opts=$(findmnt -n -o OPTIONS -T "$1" 2> /dev/null) || return 0
    [[ ,$opts, != *,nosuid,* ]] ||
        _host_lacks "$1 is on a nosuid mount: setuid bits and file capabilities are ignored there (point TMPDIR at a filesystem mounted without nosuid)"
}

# ---------------------------------------------------------------------------------------
# CPUs and memory nodes

# _host_list_expand LIST: the numbers of a kernel list ("0-3,8"), one a line.
_host_list_expand() {
    local part
    for part in ${1//,/ }; do
        case $part in
            *-*) seq "${part%-*}" "${part#*-}" ;;
            *) echo "$part" ;;
        esac
    done
}

# host_cpus: the CPUs this process (so a container's parent) may run on, one a line.
host_cpus() {
    _host_list_expand "$(awk '$1 == "Cpus_allowed_list:" { print $2 }' /proc/self/status)"
}

# host_mems: the memory nodes this process may allocate from, one a line.
host_mems() {
    _host_list_expand "$(awk '$1 == "Mems_allowed_list:" { print $2 }' /proc/self/status)"
}

# host_offline_cpus: a cpuset list that names a CPU which is not online here (for checks of
# its refusal): 0-1023, or past the last online CPU on a host with more.
host_offline_cpus() {
    local last
    last=$(_host_list_expand "$(cat /sys/devices/system/cpu/online 2> /dev/null)" | tail -n 1)
    if [ "${last:-0}" -lt 1023 ]; then echo 0-1023; else echo "0-$((last + 1))"; fi
}

# host_hugepage_size KB: the kernel offers huge pages of KB kB (none need be reserved to set a
# hugetlb limit; the size must exist).
host_hugepage_size() {
    [ -d "/sys/kernel/mm/hugepages/hugepages-${1}kB" ] ||
        _host_lacks "host has no ${1} kB huge page size (no /sys/kernel/mm/hugepages/hugepages-${1}kB)"
}

# ---------------------------------------------------------------------------------------
# cgroups

# host_cgroup_v2: /sys/fs/cgroup is the unified hierarchy (cgroup v2 only).
host_cgroup_v2() {
    [ "$(stat -fc %T /sys/fs/cgroup 2> /dev/null)" = cgroup2fs ]
}

# host_has_controller NAME...: each cgroup controller is usable for containers: offered by the
# unified hierarchy on v2, else a v1 hierarchy of that name, or (hybrid) the unified one at
# /sys/fs/cgroup/unified. The freezer of v2 is cgroup.freeze (every non-root cgroup, 5.2+).
host_has_controller() {
    local c d
    for c in "$@"; do
        if host_cgroup_v2; then
            if [ "$c" = freezer ]; then
                d=$(_host_v2_sample cgroup.procs)
                [ -z "$d" ] || [ -e "$d/cgroup.freeze" ] ||
                    _host_lacks "host kernel has no cgroup v2 freezer (no cgroup.freeze beside $d/cgroup.procs: Linux < 5.2)" || return 1
                continue
            fi
            grep -qw -- "$c" /sys/fs/cgroup/cgroup.controllers 2> /dev/null ||
                _host_lacks "host has no $c cgroup controller (not in /sys/fs/cgroup/cgroup.controllers)" || return 1
        else
            [ -d "/sys/fs/cgroup/$c" ] || grep -qw -- "$c" /sys/fs/cgroup/unified/cgroup.controllers 2> /dev/null ||
                _host_lacks "host has no $c cgroup controller (no /sys/fs/cgroup/$c hierarchy, not in the unified one)" || return 1
        fi
    done
}

need_cgroup_controller() { host_has_controller "$@" || skip "$HOST_LACKS"; }

# _host_v2_sample FILE: a directory of the v2 hierarchy (depth 1 or 2) where FILE of the same
# controller is present, to see which files the kernel gives a child; empty if none yet.
_host_v2_sample() {
    find /sys/fs/cgroup -mindepth 2 -maxdepth 3 -name "$1" -printf '%h\n' 2> /dev/null | head -n 1
}

# host_cfs_bandwidth: the cpu controller limits bandwidth (quota and period:
# CONFIG_CFS_BANDWIDTH): v1 cpu.cfs_quota_us, v2 cpu.max beside cpu.weight.
host_cfs_bandwidth() {
    host_has_controller cpu || return 1
    local d
    if host_cgroup_v2; then
        d=$(_host_v2_sample cpu.weight)
        [ -z "$d" ] || [ -e "$d/cpu.max" ] ||
            _host_lacks "host kernel has no CPU bandwidth control (cpu.max missing beside $d/cpu.weight: CONFIG_CFS_BANDWIDTH off)"
    else
        [ -e /sys/fs/cgroup/cpu/cpu.cfs_quota_us ] ||
            _host_lacks "host kernel has no CPU bandwidth control (no cpu.cfs_quota_us: CONFIG_CFS_BANDWIDTH off)"
    fi
}

# host_swap_accounting: the memory controller accounts swap, so linux.resources.memory.swap
# can be applied (v1 memory.memsw.*, v2 memory.swap.max; off without CONFIG_MEMCG_SWAP, with
# swapaccount=0 or without CONFIG_SWAP).
host_swap_accounting() {
    host_has_controller memory || return 1
    local d
    if host_cgroup_v2; then
        d=$(_host_v2_sample memory.max)
        [ -z "$d" ] || [ -e "$d/memory.swap.max" ] ||
            _host_lacks "host has no swap accounting (memory.swap.max missing beside $d/memory.max)"
    else
        [ -e /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes ] ||
            _host_lacks "host has no swap accounting (no memory.memsw.limit_in_bytes: CONFIG_MEMCG_SWAP off or swapaccount=0)"
    fi
}

# host_swap_active: the host has swap space in use (a line past the header of /proc/swaps).
host_swap_active() {
    [ "$(wc -l < /proc/swaps 2> /dev/null || echo 0)" -gt 1 ]
}

# host_v2_io_weight_files: on cgroup v2, the io weight files a container's cgroup gets here,
# one a line: io.bfq.weight where BFQ is registered (offered as an I/O scheduler),
# io.weight where iocost is built (io.cost.qos at the root). Status 1 if none.
host_v2_io_weight_files() {
    local found=1
    grep -qw bfq /sys/block/*/queue/scheduler 2> /dev/null && { echo io.bfq.weight; found=0; }
    [ -e /sys/fs/cgroup/io.cost.qos ] && { echo io.weight; found=0; }
    [ "$found" = 0 ] ||
        _host_lacks "host has no io weight (no BFQ I/O scheduler registered, no iocost: neither io.bfq.weight nor io.weight)"
}

# ---------------------------------------------------------------------------------------
# Resource limits

# host_rlimits_allow "NAME HARD"...: the runtime (started by this runner) may set these hard
# limits: it has CAP_SYS_RESOURCE, or each HARD is within this process's own hard limit of that
# name (as /proc/self/limits spells it: "Max open files"). CI sandboxes often drop the
# capability and lower the hard limits.
host_rlimits_allow() {
    local capeff pair name want have
    capeff=$(awk '$1 == "CapEff:" { print $2 }' /proc/self/status)
    [ -n "$capeff" ] && (((16#$capeff >> 24) & 1)) && return 0
    for pair in "$@"; do
        name=${pair% *}
        want=${pair##* }
        have=$(awk -v n="$name" 'index($0, n " ") == 1 { s = substr($0, length(n) + 1); split(s, f, " "); print f[2] }' /proc/self/limits)
        [ "$have" = unlimited ] || [ "${have:-0}" -ge "$want" ] ||
            _host_lacks "the runner has no CAP_SYS_RESOURCE and its hard limit of \"$name\" is $have, below the $want the check sets" || return 1
    done
}

# host_oom_score_adj N: a process started by this runner may set its oom_score_adj to N (going
# below the runner's own value needs CAP_SYS_RESOURCE); tried in a subshell, which is such a
# process.
host_oom_score_adj() {
    (echo "$1" > /proc/self/oom_score_adj) 2> /dev/null ||
        _host_lacks "a process of this runner may not set oom_score_adj $1 (the runner's is $(cat /proc/self/oom_score_adj), and it has no CAP_SYS_RESOURCE)"
}
