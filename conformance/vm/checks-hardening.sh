# Hardening (issue 7, docs/hardening.md): the AppArmor profile swiftlet-default, generated
# from swiftlet's built-in template and loaded with apparmor_parser when a config asks for it
# and it is not loaded; `spec --hardened` on a host with AppArmor and cgroup v2; the seccomp
# recorder on cgroup v2.
#
# swiftlet-specific: another runtime has no swiftlet-default, `spec --hardened`, `audit` or
# `--seccomp-record`, so for it these checks skip. Needs a host with AppArmor enabled and
# apparmor_parser (the VM of conformance/vm/run); elsewhere the AppArmor checks skip.
# Every check starts with swiftlet-default unloaded (so the runtime must generate and load
# it) and unloads it when it ends.

. "$CONF_DIR/vm/lib-vm.sh"

HARDENING_PROFILE=swiftlet-default

# need_swiftlet: the runtime is swiftlet (`--version` says so), else skip.
need_swiftlet() {
    "$RUNTIME" --version 2> /dev/null | grep -q '^swiftlet' ||
        skip "swiftlet-specific ($HARDENING_PROFILE, spec --hardened, audit, --seccomp-record)"
}

# aa_unload_default: removes swiftlet-default from the kernel if it is loaded.
aa_unload_default() {
    if grep -q "^$HARDENING_PROFILE (" /sys/kernel/security/apparmor/profiles 2> /dev/null; then
        printf '%s' "$HARDENING_PROFILE" > /sys/kernel/security/apparmor/.remove 2> /dev/null
    fi
    return 0
}

# aa_fresh_default: swiftlet-default not loaded now, and not after the check.
aa_fresh_default() {
    aa_unload_default
    grep -q "^$HARDENING_PROFILE (" /sys/kernel/security/apparmor/profiles &&
        fail "cannot unload $HARDENING_PROFILE before the check"
    defer aa_unload_default
}

# config.md#linux-process apparmorProfile = swiftlet-default, not loaded: create generates
# and loads it (enforce mode) and the process runs under it, seen inside and in the kernel's
# profile list.
hardening_default_loaded() {
    need_swiftlet
    need_apparmor
    aa_fresh_default
    bundle_new
    bundle_set --arg p "$HARDENING_PROFILE" '.process.apparmorProfile = $p'
    inside 'cat /proc/self/attr/current'
    expect_eq "$(tr -d '\0' <<< "$OUT")" "$HARDENING_PROFILE (enforce)" "/proc/self/attr/current inside"
    grep -qxF "$HARDENING_PROFILE (enforce)" /sys/kernel/security/apparmor/profiles ||
        fail "$HARDENING_PROFILE (enforce) is not in /sys/kernel/security/apparmor/profiles after create"
    # Loaded once: a second container uses the loaded profile as it is.
    bundle_new again
    bundle_set --arg p "$HARDENING_PROFILE" '.process.apparmorProfile = $p'
    inside 'cat /proc/self/attr/current'
    expect_eq "$(tr -d '\0' <<< "$OUT")" "$HARDENING_PROFILE (enforce)" "a second container"
}
check default_loaded hardening_default_loaded

# The confinement swiftlet-default promises, with the capabilities that would otherwise allow
# each operation (CAP_SYS_ADMIN, CAP_SYS_PTRACE), /proc/sys not read-only and /sys mounted
# read-write, so the refusals are AppArmor's: no mount, no write to /proc/sys or /sys, no
# ptrace-read of a process outside the profile. That process is the host's PID 1 (the
# container shares the host's pid namespace here): the container's own PID 1 carries the
# profile too since it confines itself (docs/security.md "PID 1 keeps no more than the
# container"), so reading it is allowed by the profile and proves nothing. The same
# container without the profile does all of it. The /sys write needs one of the two files
# (KSM, profiling); a kernel with neither cannot show that refusal: the rest is checked and
# the check is `lacking`.
hardening_default_confines() {
    need_swiftlet
    need_apparmor
    local sys_file=''
    [ -f /sys/kernel/mm/ksm/run ] || [ -f /sys/kernel/profiling ] || sys_file=missing
    aa_fresh_default
    local script='mount -t tmpfs t /tmp && echo mounted
        cat /proc/sys/kernel/hostname > /proc/sys/kernel/hostname && echo proc-sys-written
        for f in /sys/kernel/mm/ksm/run /sys/kernel/profiling; do
            [ -f "$f" ] && { cat "$f" > "$f" && echo sys-written; break; }
        done
        cat /proc/1/environ > /dev/null && echo ptrace-read
        echo end'
    local variant
    for variant in confined unconfined; do
        bundle_new "$variant"
        bundle_add_caps CAP_SYS_ADMIN CAP_SYS_PTRACE
        bundle_ns_remove pid
        bundle_set '.linux.readonlyPaths -= ["/proc/sys"] |
            .mounts |= map(if .destination == "/sys" then .options -= ["ro"] else . end)'
        [ "$variant" = confined ] && bundle_set --arg p "$HARDENING_PROFILE" '.process.apparmorProfile = $p'
        inside_any "$script"
        if [ "$variant" = confined ]; then
            expect_eq "$OUT" "end" "under $HARDENING_PROFILE: mount, /proc/sys and /sys writes, ptrace read all refused"
            expect_contains "$ERR" "Permission denied" "the errors under $HARDENING_PROFILE"
        else
            expect_contains "$OUT" "mounted" "without a profile: mount"
            expect_contains "$OUT" "proc-sys-written" "without a profile: /proc/sys write"
            expect_contains "$OUT" "ptrace-read" "without a profile: the host's /proc/1/environ"
        fi
    done
    [ -z "$sys_file" ] ||
        lacking "host kernel has neither /sys/kernel/mm/ksm/run nor /sys/kernel/profiling (CONFIG_KSM, CONFIG_PROFILING): the /sys write refusal was not checked; the rest was"
}
check default_confines hardening_default_confines

# `spec --hardened` on a host with AppArmor puts swiftlet-default in the config; the demo
# runs (cgroup v2 limits, user namespace, seccomp, the profile) and the bundle passes its
# own audit without findings.
hardening_hardened_spec() {
    need_swiftlet
    need_apparmor
    need_cgroup_v2
    aa_fresh_default
    bundle_new
    local gen="$T/generated"
    mkdir -p "$gen"
    expect_exit 0 rt spec --hardened --bundle "$gen"
    jq --arg root "$ROOTFS" --arg cg "/swiftlet-conformance/$ID" --arg mark "SWIFTLET_CONFORMANCE=$MARK" \
        '.root.path = $root | .linux.cgroupsPath = $cg | .process.env += [$mark]' \
        "$gen/config.json" > "$CONFIG" || fail "cannot write $CONFIG"
    expect_eq "$(jq -r .process.apparmorProfile "$CONFIG")" "$HARDENING_PROFILE" "process.apparmorProfile of spec --hardened"
    ctr_run
    expect_rc 0
    expect_eq "$OUT" $'uid=1000(user) gid=1000(user)\nhello' "the demo"
    expect_exit 0 rt audit --bundle "$BUNDLE"
    expect_contains "$OUT" "no findings" "audit of the hardened bundle"
    # The config mounts no cgroupfs, so the limits are read from the host, while it runs.
    bundle_set '.process.args = ["sh", "-c", "cat /proc/self/attr/current; echo; exec sleep 60"]'
    ctr_create || fail "create failed: $(head -c 300 "$T/$ID.err")"
    ctr_start || fail "start failed: $ERR"
    wait_file "$T/$ID.out" "$HARDENING_PROFILE" 30 || fail "no label printed: $(cat "$T/$ID.out" "$T/$ID.err")"
    expect_eq "$(tr -d '\0' < "$T/$ID.out")" "$HARDENING_PROFILE (enforce)" "the label inside"
    expect_cg pids.max 512
    expect_cg memory.max 268435456
}
check hardened_spec hardening_hardened_spec

# The seccomp recorder on cgroup v2: the recorded profile runs its workload, mkdir (not
# recorded) is refused with EPERM.
hardening_recorder() {
    need_swiftlet
    host_has_seccomp user_notif || lacking "$HOST_LACKS (the recorder is a user-notification filter)"
    bundle_new
    bundle_sh 'ls /; cat /etc/passwd'
    expect_exit 0 rt run --seccomp-record "$T/profile.json" --bundle "$BUNDLE" "$ID"
    local recorded=$OUT
    [ -s "$T/profile.json" ] || fail "no profile written"
    expect_eq "$(jq -r .defaultAction "$T/profile.json")" SCMP_ACT_ERRNO "defaultAction"
    bundle_set --slurpfile p "$T/profile.json" '.linux.seccomp = $p[0]'
    ctr_run
    expect_rc 0
    expect_eq "$OUT" "$recorded" "the workload under its recorded profile"
    bundle_sh 'mkdir /tmp/x'
    ctr_run
    expect_rc nonzero
    expect_contains "$ERR" "Operation not permitted" "mkdir under the recorded profile"
}
check recorder hardening_recorder
