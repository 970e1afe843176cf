# config-linux.md "Namespaces", "User namespace mappings", "Offset for Time Namespace";
# config.md "Hostname", "Domainname".

# _ns_link_inside TYPE: OUT becomes the container's /proc/self/ns/TYPE link.
_ns_link_inside() {
    inside "readlink /proc/self/ns/$1"
}

# _ns_new TYPE NSFILE: with TYPE in namespaces (no path), the container's namespace
# differs from the runtime's, from inside and (for the running process) from the host.
_ns_new() {
    local type=$1 file=$2
    need_ns "$type"
    bundle_new
    bundle_ns_add "$type"
    _ns_link_inside "$file"
    expect_match "$OUT" "^$file:\\[[0-9]+\\]\$" "/proc/self/ns/$file in the container"
    expect_ne "$OUT" "$(host_ns "$file")" "$file namespace of the container (inside)"
    # From the host: the state pid's namespace.
    bundle_new host
    bundle_ns_add "$type"
    bundle_args sleep 30
    ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    local pid
    pid=$(state_field pid) || fail "state failed"
    expect_ne "$(readlink "/proc/$pid/ns/$file")" "$(host_ns "$file")" "$file namespace of the container (host view of pid $pid)"
}

namespaces_new_pid() {
    _ns_new pid pid
    # Only the container's processes are visible.
    bundle_use c
    # sh, ls and wc, and the runtime's own init if it has one.
    inside 'ls -d /proc/[0-9]* | wc -l'
    [ "$OUT" -le 5 ] || fail "the container sees $OUT processes in /proc"
}
check new_pid namespaces_new_pid

# _ns_fresh_net_devices: the devices a new network namespace gets on this host, sorted, one a
# line: lo, plus the fallback tunnel devices (sit0, tunl0, ip6tnl0, gre0, ...) of tunnel
# modules the host has loaded, unless net.core.fb_tunnels_only_for_init_net keeps them out.
_ns_fresh_net_devices() {
    unshare --net ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | LC_ALL=C sort
}

namespaces_new_network() {
    _ns_new network net
    # A new network namespace has only what any new one gets here: the loopback device
    # (and the host's fallback tunnel devices, if it has any), none of the host's devices.
    local fresh
    fresh=$(_ns_fresh_net_devices) || fail "cannot list the devices of a new network namespace (unshare --net ip link)"
    [ "$fresh" = lo ] || echo "# a new network namespace on this host gets: $(tr '\n' ' ' <<< "$fresh")"
    bundle_use c
    inside 'ls /sys/class/net | sort'
    expect_eq "$OUT" "$fresh" "network devices"
}
check new_network namespaces_new_network

namespaces_new_ipc() { _ns_new ipc ipc; }
check new_ipc namespaces_new_ipc

namespaces_new_uts() { _ns_new uts uts; }
check new_uts namespaces_new_uts

namespaces_new_mount() { _ns_new mount mnt; }
check new_mount namespaces_new_mount

# A new cgroup namespace: the container's cgroups are the roots of its view.
namespaces_new_cgroup() {
    _ns_new cgroup cgroup
    bundle_use c
    inside 'cat /proc/self/cgroup'
    local bad
    bad=$(grep -v ':/$' <<< "$OUT")
    expect_eq "$bad" "" "/proc/self/cgroup lines not at the namespace root"
}
check new_cgroup namespaces_new_cgroup

# _ns_shared TYPE NSFILE: with TYPE not in namespaces, the container inherits the
# runtime's namespace.
_ns_shared() {
    local type=$1 file=$2
    bundle_new
    bundle_ns_remove "$type"
    [ "$type" = uts ] && bundle_set 'del(.hostname)'
    _ns_link_inside "$file"
    expect_eq "$OUT" "$(host_ns "$file")" "$file namespace of a container without a $type entry"
}

namespaces_shared_pid() { _ns_shared pid pid; }
check shared_pid namespaces_shared_pid

namespaces_shared_network() {
    _ns_shared network net
    # The host's devices are all there.
    inside 'ls /sys/class/net | sort'
    expect_eq "$OUT" "$(ls /sys/class/net | sort)" "network devices"
}
check shared_network namespaces_shared_network

namespaces_shared_ipc() { _ns_shared ipc ipc; }
check shared_ipc namespaces_shared_ipc

namespaces_shared_uts() {
    _ns_shared uts uts
    inside 'hostname'
    expect_eq "$OUT" "$(hostname)" "hostname in a container sharing the host's uts namespace"
}
check shared_uts namespaces_shared_uts

# cgroup, user and time are not in the base config: the container shares the host's. A kernel
# without one of them has nothing to share: the others are checked, and the check reports a
# skip for it.
namespaces_unlisted_shared() {
    local t types=() missing='' expected=''
    for t in cgroup user time; do
        if host_has_ns "$t"; then
            types+=("$t")
            expected+="$(host_ns "$t")"$'\n'
        else
            missing+="${missing:+; }$HOST_LACKS"
        fi
    done
    [ ${#types[@]} -gt 0 ] || skip "$missing"
    bundle_new
    inside "for n in ${types[*]}; do readlink /proc/self/ns/\$n; done"
    expect_eq "$OUT" "${expected%$'\n'}" "${types[*]} namespaces"
    [ -z "$missing" ] || skip "$missing; the shared ${types[*]} namespaces were checked"
}
check unlisted_shared namespaces_unlisted_shared

# _ns_holder: a private mount at $T/ns where namespace files can be bind-mounted (a
# namespace bind mount needs a parent mount that is not shared). Undone by defer.
_ns_holder() {
    mkdir -p "$T/ns"
    mount --bind "$T/ns" "$T/ns" || fail "cannot bind-mount $T/ns"
    defer "umount -l '$T/ns'"
    mount --make-private "$T/ns" || fail "cannot make $T/ns private"
}

# _ns_persist TYPE FILE [COMMAND...]: a new namespace of TYPE (an unshare(1) flag: net,
# uts, ipc) bind-mounted at FILE, with COMMAND run in it first.
_ns_persist() {
    local type=$1 file=$2
    shift 2
    touch "$file"
    unshare "--$type=$file" "${@:-true}" || fail "unshare --$type=$file failed"
    defer "umount -l '$file'"
}

# config-linux.md#namespaces: with a path, the container joins that namespace.
namespaces_join_network_path() {
    need_ns network
    _ns_holder
    # Loopback is up in this namespace only (IFF_UP|IFF_LOOPBACK = 0x9; a new one has 0x8).
    _ns_persist net "$T/ns/net" ip link set lo up
    local inode
    inode=$(stat -L -c %i "$T/ns/net")
    bundle_new
    bundle_ns_add network "$T/ns/net"
    inside 'readlink /proc/self/ns/net; cat /sys/class/net/lo/flags'
    expect_eq "$OUT" "net:[$inode]"$'\n0x9' "network namespace and loopback flags of the joined namespace"
}
check join_network_path namespaces_join_network_path

namespaces_join_uts_path() {
    need_ns uts
    _ns_holder
    _ns_persist uts "$T/ns/uts" hostname joined-uts
    bundle_new
    bundle_set 'del(.hostname)'
    bundle_ns_add uts "$T/ns/uts"
    inside 'readlink /proc/self/ns/uts; hostname'
    expect_eq "$OUT" "uts:[$(stat -L -c %i "$T/ns/uts")]"$'\njoined-uts' "uts namespace and hostname"
}
check join_uts_path namespaces_join_uts_path

namespaces_join_ipc_path() {
    need_ns ipc
    _ns_holder
    _ns_persist ipc "$T/ns/ipc"
    bundle_new
    bundle_ns_add ipc "$T/ns/ipc"
    _ns_link_inside ipc
    expect_eq "$OUT" "ipc:[$(stat -L -c %i "$T/ns/ipc")]" "ipc namespace"
}
check join_ipc_path namespaces_join_ipc_path

# Joining another container's pid namespace through /proc/<pid>/ns/pid: its processes
# are visible.
namespaces_join_pid_of_container() {
    need_ns pid
    bundle_new first
    bundle_args sleep 31337
    ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    ctr_start || fail "start failed: $ERR"
    local pid
    pid=$(state_field pid) || fail "state failed"
    bundle_new second
    bundle_ns_add pid "/proc/$pid/ns/pid"
    inside 'readlink /proc/self/ns/pid; ps -o args'
    expect_eq "$(head -n 1 <<< "$OUT")" "$(readlink "/proc/$pid/ns/pid")" "pid namespace"
    expect_contains "$OUT" "sleep 31337" "ps in the joined pid namespace"
}
check join_pid_of_container namespaces_join_pid_of_container

# config-linux.md#namespaces: "The runtime MUST generate an error if path is not
# associated with a namespace of type type."
namespaces_join_wrong_type_fails() {
    need_ns uts network
    _ns_holder
    _ns_persist uts "$T/ns/uts"
    bundle_new
    bundle_args true
    # Control: the same file as the uts namespace is fine.
    bundle_ns_add uts "$T/ns/uts"
    ctr_run
    expect_rc 0 "run joining the uts namespace file as uts (control)"
    bundle_ns_add uts
    bundle_ns_add network "$T/ns/uts"
    ctr_create
    expect_rc nonzero "create with a uts namespace file as the network namespace"
    expect_exit nonzero rt state "$ID"
}
check join_wrong_type_fails namespaces_join_wrong_type_fails

# config-linux.md#user-namespace-mappings: a user namespace with uid and gid maps; the
# container sees the maps and is root in it, the host sees the mapped ids.
namespaces_user() {
    need_ns user
    bundle_new
    bundle_ns_add user
    bundle_set '.linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
        | .linux.gidMappings = [{containerID: 0, hostID: 200000, size: 65536}]'
    inside 'readlink /proc/self/ns/user; cat /proc/self/uid_map /proc/self/gid_map; id -u; id -g'
    local lines
    lines=$(tr -s ' ' <<< "$OUT" | sed 's/^ //')
    expect_ne "$(head -n 1 <<< "$lines")" "$(host_ns user)" "user namespace"
    expect_eq "$(tail -n +2 <<< "$lines")" $'0 100000 65536\n0 200000 65536\n0\n0' \
        "uid_map, gid_map, id -u, id -g in the container"
    # From the host, the container's root is uid 100000.
    bundle_new host
    bundle_ns_add user
    bundle_set '.linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
        | .linux.gidMappings = [{containerID: 0, hostID: 200000, size: 65536}]'
    bundle_args sleep 30
    ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    ctr_start || fail "start failed: $ERR"
    wait_status "$ID" running || fail "container is not running"
    local pid
    pid=$(state_field pid)
    expect_eq "$(awk '/^Uid:/ { print $2 } /^Gid:/ { print $2 }' "/proc/$pid/status" | tr '\n' ' ')" \
        "100000 200000 " "uid and gid of the container process on the host"
}
check user namespaces_user

# Several mapping entries, and a non-root process in the user namespace.
namespaces_user_multiple_mappings() {
    need_ns user
    bundle_new
    bundle_ns_add user
    bundle_set '.linux.uidMappings = [{containerID: 0, hostID: 100000, size: 1000},
                                      {containerID: 1000, hostID: 300000, size: 10}]
        | .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 1000},
                                {containerID: 1000, hostID: 300000, size: 10}]
        | .process.user = {uid: 1000, gid: 1000}'
    inside 'cat /proc/self/uid_map; id -u'
    expect_eq "$(tr -s ' ' <<< "$OUT" | sed 's/^ //')" $'0 100000 1000\n1000 300000 10\n1000' \
        "uid_map and id -u"
}
check user_multiple_mappings namespaces_user_multiple_mappings

# config.md#hostname, #domainname: set in the container's uts namespace, and the
# host's are untouched.
# runc 1.1.5 FAILS this: it ignores `domainname` (support came with runc 1.2), so the
# container's domainname stays "(none)".
namespaces_hostname_domainname() {
    host_has_sysctl kernel.domainname || skip "$HOST_LACKS"
    local host_hn host_dn
    host_hn=$(hostname)
    host_dn=$(cat /proc/sys/kernel/domainname)
    bundle_new
    bundle_set '.hostname = "swc-host" | .domainname = "swc.example.test"'
    inside 'hostname; cat /proc/sys/kernel/domainname'
    expect_eq "$OUT" $'swc-host\nswc.example.test' "hostname and domainname in the container"
    expect_eq "$(hostname)" "$host_hn" "the host's hostname afterwards"
    expect_eq "$(cat /proc/sys/kernel/domainname)" "$host_dn" "the host's domainname afterwards"
}
check hostname_domainname namespaces_hostname_domainname

# config-linux.md#offset-for-time-namespace: a time namespace with offsets.
# runc 1.1.5 FAILS this: it has no time namespace support (added in runc 1.2) and
# rejects the "time" namespace type.
namespaces_time() {
    need_ns time
    bundle_new
    bundle_ns_add time
    bundle_set '.linux.timeOffsets = {monotonic: {secs: 86400, nanosecs: 0}, boottime: {secs: 172800, nanosecs: 0}}'
    inside 'readlink /proc/self/ns/time; cat /proc/self/timens_offsets'
    expect_ne "$(head -n 1 <<< "$OUT")" "$(host_ns time)" "time namespace"
    expect_eq "$(tail -n +2 <<< "$OUT" | tr -s ' ' | sort)" $'boottime 172800 0\nmonotonic 86400 0' \
        "/proc/self/timens_offsets"
}
check time namespaces_time
