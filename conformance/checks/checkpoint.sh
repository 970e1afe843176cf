# checkpoint/restore (runc CLI runc-checkpoint(8), runc-restore(8); not runtime-spec): what a
# host whose kernel CRIU cannot handle must get. The real checkpoint/restore checks need a
# kernel the installed CRIU supports and run in the VM (conformance/vm/checks-criu.sh).

# criu_check_fails: the reason `criu check` gives on this host, in CRIU_REASON; status 1 when
# there is no criu or its check passes (then conformance/vm/checks-criu.sh's checks apply).
criu_check_fails() {
    command -v criu > /dev/null || return 1
    CRIU_REASON=$(criu check 2>&1) && return 1
    CRIU_REASON=$(grep -m1 'Error (' <<< "$CRIU_REASON" | sed 's/^.*): //')
    return 0
}

# Where `criu check` fails (criu 3.17 on a newer kernel: "vdso: Unexpected rt vDSO area
# bounds" on 6.18), `checkpoint` must fail at once with one line that says criu cannot work
# on this kernel and why, and leave the container running and untouched: same init pid, no
# image written, still running. runc 1.1.5 FAILS this: it starts the dump anyway, writes
# descriptors.json and dump.log into the image path, and says only `criu failed: type DUMP
# errno 0` (the container does stay running).
checkpoint_criu_unusable() {
    command -v criu > /dev/null || skip "no criu on this host (Debian package criu)"
    criu_check_fails || skip "criu check passes on this host: checkpoint works here (the VM's checks-criu.sh tests it)"
    bundle_new
    bundle_args sleep 300
    ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    ctr_start || fail "start failed: $ERR"
    local pid
    pid=$(state_field pid) || fail "no state"
    expect_exit nonzero rt checkpoint --image-path "$T/img" "$ID"
    expect_eq "$(wc -l <<< "$ERR")" 1 "lines of the error"
    expect_contains "$ERR" "criu check failed" "the error"
    expect_contains "$ERR" "$(uname -r)" "the error names the kernel"
    expect_contains "$ERR" "${CRIU_REASON:0:40}" "the error gives criu's reason"
    expect_eq "$(state_field status)" running "status after the refused checkpoint"
    expect_eq "$(state_field pid)" "$pid" "init pid after the refused checkpoint"
    [ -z "$(ls -A "$T/img" 2> /dev/null)" ] || fail "the refused checkpoint wrote $(ls "$T/img" | tr '\n' ' ')"
    # restore from nothing: an error naming the image path, and no container.
    expect_exit nonzero rt restore --image-path "$T/img" --bundle "$BUNDLE" "$ID-r"
    expect_exit nonzero rt state "$ID-r"
    expect_eq "$(find "$STATE" -name "$ID-r*" | tr '\n' ' ')" "" "state entries left by the failed restore"
    [ -z "$(_cgroup_dirs "$ID-r")" ] || fail "cgroup left by the failed restore: $(_cgroup_dirs "$ID-r" | head -n 1)"
}
check criu_unusable checkpoint_criu_unusable

# A CRIU binary that is not there (`--criu PATH`): an error naming it, the container untouched
# (runc 1.1.5 passes: "CRIU version check failed: exec: PATH: ... no such file or directory").
checkpoint_no_criu() {
    bundle_new
    bundle_args sleep 300
    ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    ctr_start || fail "start failed: $ERR"
    expect_exit nonzero rt --criu "$T/no-such-criu" checkpoint --image-path "$T/img" "$ID"
    expect_contains "$ERR" "$T/no-such-criu" "the error"
    expect_eq "$(state_field status)" running "status after the refused checkpoint"
}
check no_criu checkpoint_no_criu

# Flags with values checked before anything happens: --manage-cgroups-mode takes soft, full,
# strict or ignore (runc 1.1.5: "Invalid manage cgroups mode").
checkpoint_bad_mode() {
    bundle_new
    bundle_args sleep 300
    ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    ctr_start || fail "start failed: $ERR"
    expect_exit nonzero rt checkpoint --manage-cgroups-mode bogus --image-path "$T/img" "$ID"
    expect_match "$ERR" "[Mm]anage.cgroups.mode" "the error"
    expect_eq "$(state_field status)" running "status after the refused checkpoint"
}
check bad_mode checkpoint_bad_mode

# runc's other flags with values, checked before anything happens: --page-server takes
# ADDRESS:PORT (runc 1.1.5: "Use --page-server ADDRESS:PORT to specify page server"),
# --status-fd an open descriptor ("invalid --status-fd argument"), restore's --lsm-profile
# TYPE:NAME (runc 1.1.5 hands any value to CRIU, which refuses it later: only the exit status
# is common). runc 1.1.5 FAILS this where `criu check` fails (the build hosts): it asks CRIU
# about lazy pages before it looks at --status-fd, and says only "CRIU feature check failed".
# The container stays running, no image is written, the restore leaves nothing.
checkpoint_bad_flags() {
    bundle_new
    bundle_args sleep 300
    ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    ctr_start || fail "start failed: $ERR"
    expect_exit nonzero rt checkpoint --page-server nope --image-path "$T/img" "$ID"
    expect_contains "$ERR" "--page-server" "the error"
    expect_exit nonzero rt checkpoint --lazy-pages --status-fd 77 --image-path "$T/img" "$ID"
    expect_contains "$ERR" "--status-fd" "the error"
    expect_eq "$(state_field status)" running "status after the refused checkpoints"
    [ -z "$(ls -A "$T/img" 2> /dev/null)" ] || fail "the refused checkpoint wrote $(ls "$T/img" | tr '\n' ' ')"
    mkdir -p "$T/img"
    expect_exit nonzero rt restore --lsm-profile bogus --image-path "$T/img" --bundle "$BUNDLE" "$ID-r"
    expect_exit nonzero rt state "$ID-r"
    expect_eq "$(find "$STATE" -name "$ID-r*" | tr '\n' ' ')" "" "state entries left by the refused restore"
}
check bad_flags checkpoint_bad_flags

# A CRIU before 3.19 restores every process without no_new_privs. A config that asks for it
# (process.noNewPrivileges, config.md) must not come back less confined: restore refuses,
# naming the field and the CRIU version, before anything is made. Host-independent as long
# as criu is older than 3.19 (it never gets to `criu check`). runc 1.1.5 FAILS this: it
# restores and drops no_new_privs without a word (here it fails later, at CRIU's own error).
checkpoint_restore_nnp_refused() {
    command -v criu > /dev/null || skip "no criu on this host (Debian package criu)"
    local version
    version=$(criu --version 2>/dev/null | sed -n 's/^Version: *//p')
    case $version in
        3.1[0-8]*|3.[0-9]|3.[0-9].*|[12].*) ;;
        *) skip "criu $version restores no_new_privs: nothing to refuse" ;;
    esac
    bundle_new
    bundle_args sleep 300
    mkdir -p "$T/img"
    expect_exit nonzero rt restore --image-path "$T/img" --bundle "$BUNDLE" "$ID"
    expect_eq "$(wc -l <<< "$ERR")" 1 "lines of the error"
    expect_contains "$ERR" "process.noNewPrivileges" "the error names the field"
    expect_contains "$ERR" "$version" "the error names the CRIU version"
    expect_exit nonzero rt state "$ID"
    expect_nothing_left
}
check restore_nnp_refused checkpoint_restore_nnp_refused

# A terminal container's restore hands the restored console's master to --console-socket, as
# create does (docs/checkpoint.md): restore --detach of a process.terminal config without
# --console-socket is refused in one line naming it, and so is --console-socket for a config
# without a terminal, before CRIU is asked anything (host-independent), leaving nothing.
checkpoint_restore_console_socket() {
    bundle_new
    bundle_set '.process.terminal = true | .process.noNewPrivileges = false'
    bundle_args sleep 300
    mkdir -p "$T/img"
    expect_exit nonzero rt restore --detach --image-path "$T/img" --bundle "$BUNDLE" "$ID"
    expect_eq "$(wc -l <<< "$ERR")" 1 "lines of the error"
    expect_match "$ERR" "console.socket" "the error names --console-socket"
    expect_exit nonzero rt state "$ID"
    bundle_set '.process.terminal = false'
    expect_exit nonzero rt restore --detach --console-socket "$T/none.sock" --image-path "$T/img" --bundle "$BUNDLE" "$ID"
    expect_eq "$(wc -l <<< "$ERR")" 1 "lines of the error"
    expect_match "$ERR" "console.socket" "the error names --console-socket"
    expect_exit nonzero rt state "$ID"
    expect_nothing_left
}
check restore_console_socket checkpoint_restore_console_socket

# The process's stdio on the caller's /dev/null (create < /dev/null, as every detached engine
# run and the VM's checkpoint checks have it) is moved onto the container's own /dev/null: the
# mount of fd 0 (mnt_id in /proc/self/fdinfo/0) is one of the container's (/proc/self/mountinfo),
# and it is still the null device. A descriptor on a mount outside the container is one CRIU
# cannot dump ("Can't lookup mount=N for fd=0 path=/dev/null"); runc's init reopens the same
# way after pivot_root. Host-independent: no criu needed.
checkpoint_stdio_null_inside() {
    bundle_new
    bundle_sh 'm=$(awk "/^mnt_id:/ { print \$2 }" /proc/self/fdinfo/0)
        echo "mnt=$m"
        awk -v m="$m" "\$1 == m { found = 1 } END { print (found ? \"inside\" : \"outside\") }" /proc/self/mountinfo
        stat -L -c "rdev=%t:%T" /proc/self/fd/0
        head -c 1 <&0 | wc -c'
    # create (detached: runc's `run` would give the process pipes), stdout to a file.
    ctr_detached_once
    expect_contains "$OUT" "inside" "fd 0's mount ($(grep '^mnt=' <<< "$OUT")) in the container's mountinfo"
    expect_contains "$OUT" "rdev=1:3" "fd 0 is the null device"
    expect_eq "$(tail -n 1 <<< "$OUT")" 0 "bytes read from stdin"
}
check stdio_null_inside checkpoint_stdio_null_inside

# The move onto the container's /dev/null takes only the null device: a bundle whose
# linux.devices puts another node at /dev/null (here the zero device, 1:5) must not turn the
# process's stdin into that node. fd 0 stays the caller's null device (1:3), reads give EOF.
checkpoint_stdio_null_other_node() {
    bundle_new
    bundle_set '.linux.devices = [{path: "/dev/null", type: "c", major: 1, minor: 5, fileMode: 438, uid: 0, gid: 0}]'
    bundle_sh 'stat -L -c "rdev=%t:%T" /proc/self/fd/0
        stat -L -c "node=%t:%T" /dev/null
        head -c 4 <&0 | wc -c'
    ctr_detached_once
    expect_contains "$OUT" "node=1:5" "the bundle's node at /dev/null"
    expect_contains "$OUT" "rdev=1:3" "fd 0 is still the null device"
    expect_eq "$(tail -n 1 <<< "$OUT")" 0 "bytes read from stdin"
}
check stdio_null_other_node checkpoint_stdio_null_other_node

# `criu check` runs once per boot and CRIU binary, not before every command
# (docs/checkpoint.md "Checking CRIU"): a CRIU whose check passes (a wrapper counting its
# `check` runs, the real criu for everything else) is checked by the first checkpoint only;
# another binary is checked again. On a host where the real CRIU cannot dump, each checkpoint
# still fails in one line and leaves the container running. runc 1.1.5 never runs `criu
# check` (it asks CRIU's version over the RPC), so it passes with no check counted.
checkpoint_check_remembered() {
    command -v criu > /dev/null || skip "no criu on this host (Debian package criu)"
    local real c1 c2 c3
    real=$(command -v criu)
    cat > "$T/criu" <<WRAP
#!/bin/sh
if [ "\$1" = check ]; then echo x >> "$T/checks"; exit 0; fi
exec "$real" "\$@"
WRAP
    chmod 755 "$T/criu"
    cp "$T/criu" "$T/criu2"
    : > "$T/checks"
    bundle_new
    bundle_args sleep 300
    ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    ctr_start || fail "start failed: $ERR"
    rt --criu "$T/criu" checkpoint --leave-running --image-path "$T/img1" "$ID" || expect_eq "$(wc -l <<< "$ERR")" 1 "lines of the error"
    c1=$(wc -l < "$T/checks")
    rt --criu "$T/criu" checkpoint --leave-running --image-path "$T/img2" "$ID" || expect_eq "$(wc -l <<< "$ERR")" 1 "lines of the error"
    c2=$(wc -l < "$T/checks")
    expect_eq "$c2" "$c1" "criu check runs after a second checkpoint with the same criu"
    rt --criu "$T/criu2" checkpoint --leave-running --image-path "$T/img3" "$ID" || expect_eq "$(wc -l <<< "$ERR")" 1 "lines of the error"
    c3=$(wc -l < "$T/checks")
    [ "$c1" -eq 0 ] || expect_eq "$c3" "$((c1 + 1))" "criu check runs with another criu binary"
    expect_eq "$(state_field status)" running "status after the checkpoints"
}
check check_remembered checkpoint_check_remembered
