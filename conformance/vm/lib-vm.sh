# Helpers shared by the VM sections (checks-v2.sh, checks-apparmor.sh), on top of
# conformance/lib/check.sh. Sourced by those files, so they also work when linked into a
# conformance/checks/ directory on a host that has cgroup v2 or AppArmor itself.

# skip REASON (conformance/lib/check.sh) ends a check the host cannot run; the runner counts
# it apart and, with $SKIP_LOG set (conformance/vm/batch.sh), appends it there too.

# lacking REASON: the host lacks what the check needs. On a host that is a skip; in the VM
# (batch.sh exports VM_REQUIRE=1) it fails the check, because the guest is built to have
# everything these sections need and a silent skip there would hide a broken guest.
lacking() {
    [ "${VM_REQUIRE:-0}" = 1 ] && fail "the VM guest lacks what this check needs: $*"
    skip "$*"
}

# need_cgroup_v2: unless /sys/fs/cgroup is the unified (v2-only) hierarchy, lacking.
need_cgroup_v2() {
    [ "$(stat -f -c %T /sys/fs/cgroup 2> /dev/null)" = cgroup2fs ] ||
        lacking "/sys/fs/cgroup is not cgroup v2 on this host"
}

# need_controller NAME: the root cgroup offers controller NAME to its children.
need_controller() {
    need_cgroup_v2
    [[ " $(cat /sys/fs/cgroup/cgroup.subtree_control 2> /dev/null) " == *" $1 "* ]] ||
        lacking "the $1 controller is not enabled in /sys/fs/cgroup/cgroup.subtree_control"
}

# need_apparmor: AppArmor is the enabled LSM and apparmor_parser can load profiles.
need_apparmor() {
    [ "$(cat /sys/module/apparmor/parameters/enabled 2> /dev/null)" = Y ] &&
        [ -d /sys/kernel/security/apparmor ] || lacking "AppArmor is not enabled on this host"
    command -v apparmor_parser > /dev/null || lacking "no apparmor_parser (Debian package apparmor)"
}

# cg_dir [ID]: the container's cgroup directory on v2 (bundle_new's cgroupsPath).
cg_dir() {
    printf '/sys/fs/cgroup/swiftlet-conformance/%s\n' "${1:-$ID}"
}

# cg_read FILE [ID]: prints a file of the container's cgroup; status 1 if unreadable.
cg_read() {
    cat "$(cg_dir "${2:-}")/$1" 2> /dev/null
}

# expect_cg FILE EXPECTED [ID]: the cgroup file reads exactly EXPECTED.
expect_cg() {
    local v
    v=$(cg_read "$1" "${3:-}") || fail "cannot read $(cg_dir "${3:-}")/$1"
    expect_eq "$v" "$2" "$1"
}

# cg_key FILE KEY [ID]: the value of KEY in a flat-keyed cgroup file (memory.events,
# pids.events, cgroup.events); empty if absent.
cg_key() {
    cg_read "$1" "${3:-}" | awk -v k="$2" '$1 == k { print $2 }'
}
