# AppArmor: process.apparmorProfile (config.md#linux-process), `exec --apparmor`.
#
# Runtime-agnostic, on top of conformance/lib; needs a host with AppArmor enabled and
# apparmor_parser (the VM of conformance/vm/run; elsewhere the checks skip). Each check
# loads its own small profile (named after the run and the check, so that runs and checks
# never share one) with `apparmor_parser -r` and unloads it when it ends.
#
# The profile allows everything a busybox container does (file, capability, signal, ...)
# except reading /etc/group, so that a confined process shows its confinement both in its
# label (/proc/self/attr/current: "NAME (enforce)") and in a refused read.

. "$CONF_DIR/vm/lib-vm.sh"

# aa_profile_name [SUFFIX]: the name of this check's profile.
aa_profile_name() {
    printf 'swc-%s-%s%s\n' "$RUN_ID" "$CHECK_NO" "${1:+-$1}"
}

# aa_load NAME [SIGNAL_RULES]: loads the test profile NAME (enforce mode), unloaded when the
# check ends. SIGNAL_RULES replace the profile's `signal,` (every signal allowed).
aa_load() {
    local name=$1 file="$T/$1.apparmor" signal=${2:-signal,}
    # attach_disconnected: the container's paths are outside the runtime's mount namespace.
    cat > "$file" << EOF
profile $name flags=(attach_disconnected,mediate_deleted) {
  file,
  capability,
  $signal
  unix,
  network,
  mount,
  umount,
  pivot_root,
  ptrace (read) peer=$name,
  deny /etc/group r,
}
EOF
    apparmor_parser -r --skip-cache "$file" > "$T/.aa.out" 2>&1 ||
        fail "apparmor_parser -r $file failed: $(cat "$T/.aa.out")"
    defer "apparmor_parser -R --skip-cache '$file'"
    grep -qxF "$name (enforce)" /sys/kernel/security/apparmor/profiles ||
        fail "$name (enforce) is not in /sys/kernel/security/apparmor/profiles after loading it"
}

# aa_label PID: the AppArmor label of a process, as /proc/PID/attr/current shows it.
aa_label() {
    tr -d '\0' < "/proc/$1/attr/current" 2> /dev/null
}

# config.md#linux-process apparmorProfile: the process runs confined by the profile, in
# enforce mode, as both the legacy and the LSM-stacking attribute files show it, and the
# profile is enforced: what it denies (reading /etc/group) is refused, what it allows
# (reading /etc/passwd) works. (The same reads without a profile: aa_exec_apparmor.)
aa_profile_applied() {
    need_apparmor
    local name
    name=$(aa_profile_name)
    aa_load "$name"
    bundle_new
    bundle_set --arg p "$name" '.process.apparmorProfile = $p'
    inside_any 'cat /proc/self/attr/current /proc/self/attr/apparmor/current
        cat /etc/passwd > /dev/null && echo passwd-read
        cat /etc/group > /dev/null && echo group-read
        echo end'
    expect_eq "$(tr -d '\0' <<< "$OUT")" "$name (enforce)
$name (enforce)
passwd-read
end" "attr/current and attr/apparmor/current inside; reads under the profile (deny /etc/group r)"
    expect_contains "$ERR" "Permission denied" "the error reading /etc/group"
}
check profile_applied aa_profile_applied

# The same from the host: the container's process carries the label; and a process that
# `exec` starts without --apparmor gets the container's profile (it inherits
# process.apparmorProfile, as runc does) and is refused the same read.
aa_host_view_and_exec() {
    need_apparmor
    local name pid
    name=$(aa_profile_name)
    aa_load "$name"
    bundle_new
    bundle_set --arg p "$name" '.process.apparmorProfile = $p | .process.args = ["sleep", "300"]'
    ctr_create || fail "create failed: $(head -c 300 "$T/$ID.err")"
    ctr_start || fail "start failed: $ERR"
    wait_for 30 marked_pid_with_cmdline "sleep 300 " > /dev/null || fail "the container's sleep did not start"
    pid=$(marked_pid_with_cmdline "sleep 300 ")
    expect_eq "$(aa_label "$pid")" "$name (enforce)" "the label of the container's process (pid $pid) seen from the host"
    expect_exit 0 rt exec "$ID" cat /proc/self/attr/current
    expect_eq "$(tr -d '\0' <<< "$OUT")" "$name (enforce)" "label of exec in a confined container"
    expect_exit nonzero rt exec "$ID" cat /etc/group
    expect_contains "$ERR" "Permission denied" "exec reading /etc/group"
}
check host_view_and_exec aa_host_view_and_exec

# A profile that is not loaded: create fails with an error naming AppArmor, and leaves
# nothing behind (runtime.md#errors).
aa_profile_not_loaded() {
    need_apparmor
    local name
    name=$(aa_profile_name missing)
    bundle_new
    bundle_set --arg p "$name" '.process.apparmorProfile = $p'
    if ctr_create; then
        ctr_start
        fail "create with the profile $name, which is not loaded, succeeded"
    fi
    local err
    err=$(cat "$T/$ID.err")
    [[ ${err,,} == *apparmor* ]] || fail "the error does not mention AppArmor: $err"
    echo "# the error names the profile: $([[ $err == *"$name"* ]] && echo yes || echo no)"
    expect_nothing_left
}
check profile_not_loaded aa_profile_not_loaded

# exec --apparmor PROFILE: the new process is confined by PROFILE although the container's
# process is not; a plain exec there is unconfined and reads what the profile denies; a
# profile that is not loaded makes exec fail.
aa_exec_apparmor() {
    need_apparmor
    local name
    name=$(aa_profile_name)
    aa_load "$name"
    bundle_new
    bundle_args sleep 300
    ctr_create || fail "create failed: $(head -c 300 "$T/$ID.err")"
    ctr_start || fail "start failed: $ERR"
    expect_exit 0 rt exec "$ID" sh -c 'cat /proc/self/attr/current; cat /etc/group > /dev/null && echo group-read'
    expect_eq "$(tr -d '\0' <<< "$OUT")" $'unconfined\ngroup-read' "a plain exec in an unconfined container"
    expect_exit 0 rt exec --apparmor "$name" "$ID" cat /proc/self/attr/current
    expect_eq "$(tr -d '\0' <<< "$OUT")" "$name (enforce)" "label of exec --apparmor"
    expect_exit nonzero rt exec --apparmor "$name" "$ID" cat /etc/group
    expect_contains "$ERR" "Permission denied" "exec --apparmor reading /etc/group"
    expect_exit nonzero rt exec --apparmor "$(aa_profile_name missing)" "$ID" true
}
check exec_apparmor aa_exec_apparmor

# docs/security.md "PID 1 keeps no more than the container": the container's PID 1 carries
# the process's profile too, seen from the host (/proc/<state pid>/attr/current). With
# runc PID 1 is the process; with swiftlet it is swiftlet-init, which changed to the
# profile ("changeprofile") after forking the process. The profile lets its processes
# signal each other and receive from unconfined only (as swiftlet-default and docker-default
# do), and kill TERM from the host still reaches the process's trap through PID 1.
aa_init_label() {
    need_apparmor
    local name pid
    name=$(aa_profile_name)
    aa_load "$name" "signal (send, receive) peer=$name,
  signal (receive) peer=unconfined,"
    bundle_new
    bundle_set --arg p "$name" '.process.apparmorProfile = $p'
    bundle_sh 'trap "exit 3" TERM; echo ready; while :; do sleep 0.1; done'
    ctr_run_bg
    wait_file "$T/$ID.out" ready 30 || fail "the container never became ready: $(cat "$T/$ID.err")"
    pid=$(state_field pid) || fail "state of $ID"
    expect_eq "$(aa_label "$pid")" "$name (enforce)" "the label of the container's PID 1 (host pid $pid) seen from the host"
    expect_exit 0 rt exec "$ID" cat /proc/self/attr/current
    expect_eq "$(tr -d '\0' <<< "$OUT")" "$name (enforce)" "label of an exec next to a confined PID 1"
    expect_exit 0 rt kill "$ID" TERM
    ctr_wait_bg "$RUN_PID" "$ID" 10 || fail "still running 10s after kill TERM"
    expect_rc 3 "exit status after kill TERM (forwarded by a confined PID 1)"
}
check init_label aa_init_label

# CVE-2019-16884 and its regression CVE-2023-27561 (also checks/attacks.sh
# lsm_label_redirect, which skips on hosts without AppArmor): the runtime applies the
# profile by writing /proc/self/attr/{apparmor/,}exec, so a bundle directory bound over
# /proc (a fake procfs whose attr files are plain files) or over /proc/self/attr could take
# that write and leave the program unconfined. Either create is refused and leaves nothing,
# or the program runs confined as the host sees it; the fake attr files stay unchanged.
aa_label_redirect() {
    need_apparmor
    local name variant fake attr dest before pid f
    name=$(aa_profile_name)
    aa_load "$name"
    for variant in proc attr; do
        bundle_new "$variant"
        fake="$T/$variant.fake"
        if [ "$variant" = proc ]; then
            attr="$fake/self/attr"
            dest=/proc
        else
            attr="$fake"
            dest=/proc/self/attr
        fi
        mkdir -p "$attr/apparmor"
        for f in current exec apparmor/current apparmor/exec; do echo fake > "$attr/$f"; done
        before=$(cd "$fake" && find . -type f -exec md5sum {} + | sort)
        bundle_mount "$dest" bind "$fake" rbind rw
        bundle_set --arg p "$name" '.process.apparmorProfile = $p | .process.args = ["sleep", "300"]'
        if ctr_create; then
            echo "# OUTCOME ($variant): created"
            ctr_start || fail "start failed ($variant): $ERR"
            wait_for 30 marked_pid_with_cmdline "sleep 300 " > /dev/null || fail "the container's sleep did not start ($variant)"
            pid=$(marked_pid_with_cmdline "sleep 300 ")
            expect_eq "$(aa_label "$pid")" "$name (enforce)" "the label of the container's process (pid $pid) seen from the host, fake $dest"
            expect_exit 0 rt delete --force "$ID"
        else
            echo "# OUTCOME ($variant): create refused: $(head -c 300 "$T/$ID.err")"
            expect_match "$(cat "$T/$ID.err")" '[^[:space:]]' "the error message of the refused create ($variant)"
            expect_nothing_left
        fi
        expect_eq "$(cd "$fake" && find . -type f -exec md5sum {} + | sort)" "$before" "the fake attr files ($variant)"
    done
}
check label_redirect aa_label_redirect
