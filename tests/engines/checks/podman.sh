# Checks only podman has a flag for.

# --uidmap/--gidmap: a user namespace with the mapping; root inside is uid 100000 on the host.
# (Docker maps users only daemon-wide with --userns-remap; ctr 1.6 drops --runc-binary with
# --uidmap, see containerd.sh.)
p_userns() {
    [ -e /proc/self/uid_map ] || skip "the kernel has no user namespaces (CONFIG_USER_NS)"
    [ "$(cat /proc/sys/user/max_user_namespaces 2>/dev/null || echo 1)" -gt 0 ] ||
        skip "user.max_user_namespaces is 0 on this host"
    expect_ok erun -d --name "$RT-userns" --uidmap 0:100000:65536 --gidmap 0:100000:65536 "$IMAGE" \
        sh -c 'cat /proc/self/uid_map > /tmp/map; id -u >> /tmp/map; exec sleep 300'
    log eng inspect --format '{{.State.Pid}}' "$RT-userns"
    local pid=$OUT
    wait_for 10 eng exec "$RT-userns" test -s /tmp/map || fail "never wrote its map"
    expect_ok eng exec "$RT-userns" cat /tmp/map
    expect_match "$OUT" '^ +0 +100000 +65536'$'\n''0$' "uid_map and uid inside"
    expect_eq "$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")" 100000 "uid of the container's pid 1 on the host"
    [ "$(readlink "/proc/$pid/ns/user")" != "$(readlink /proc/self/ns/user)" ] || fail "same user namespace as the host"
}
podman_check userns

# --umask: podman puts it in process.user.umask; the container's process and an exec both
# have it (issue 15 item 7).
p_umask() {
    expect_ok erun --rm --umask 0027 "$IMAGE" sh -c umask
    expect_eq "$OUT" 0027 "umask of the container's process"
    expect_ok erun -d --name "$RT-umask" --umask 0077 "$IMAGE" sleep 300
    expect_ok eng exec "$RT-umask" sh -c umask
    expect_eq "$OUT" 0077 "umask of podman exec"
}
podman_check umask
