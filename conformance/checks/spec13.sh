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
# Seccomp and the working directory

# config-linux.md#seccomp with runtime.md's CVE-2024-21626 protection: the runtime checks
# that the process's cwd is inside the container, and a profile that denies getcwd(2)
# must not make that check fail. Without noNewPrivileges the filter is loaded while the
# process is still privileged (before the uid switch), so the check has to run before the
# filter goes in; with noNewPrivileges it is loaded last. Both, for root and uid 1000,
# for `run` and for `exec` (which applies the same filter to the new process).
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
