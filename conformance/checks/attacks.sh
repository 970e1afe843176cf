# Container-escape attacks of the 2019-2025 runc advisories, replayed against the runtime
# under test. Each check plants what a malicious image (or a second container sharing a
# volume) can plant, lets the runtime do its work, and then asserts THE HOST IS UNCHANGED:
# a harmless host-global sysctl, kernel.printk_ratelimit_burst, keeps its value (it is
# saved first and restored at teardown whatever happens), host files and directories the
# attack aims at keep their content, and nothing is left (containers, processes, mounts).
# An error alone is not a pass: a refusal must also leave nothing behind.
#
#   masked_devnull_symlink     CVE-2025-31133 (maskedPaths bind /dev/null, which the bundle
#                              controls: a symlink to a procfs file, a file, another device)
#   masked_devnull_race        the same as a race: `null` flips between the real null device
#                              and the symlink during 200 runs
#   sysctl_bind_redirect       CVE-2025-52881 (linux.sysctl written through a bind mount
#                              over /proc/sys whose entry is a symlink, or a host file)
#   sysctl_bind_race           the same as a race: the entry flips between a plain file and
#                              the symlink during 200 creates
#   console_redirect           CVE-2025-52565 (/dev/console and /dev/pts planted by the
#                              bundle: the pty must not be bound over, or written into, a
#                              host file)
#   console_pts_race           the same as a race: /dev/pts/0 flips between the real pty
#                              slave and a symlink to the sysctl during 100 runs
#   mount_dest_parent_swap     CVE-2024-45310 (a mount destination's parent is a symlink to
#                              a host directory; as a race during 100 runs too)
#   lsm_label_redirect         CVE-2019-16884, CVE-2023-27561 (a fake /proc hides the LSM
#                              label files; only with AppArmor)
#   proc_mount_refused         the rule behind CVE-2025-52881, CVE-2019-16884 and
#                              CVE-2023-27561: mounts at or inside /proc are refused, except
#                              proc at /proc and binds over the lxcfs files
#
# The older classes are in security.sh: CVE-2019-5736 (proc_exe), CVE-2021-30465
# (symlink_mount_target), CVE-2024-21626 (cwd_leaked_fd).
#
# Where several outcomes are safe (refuse the bundle, or run it without harm) each check
# writes which one it saw to its log as `# OUTCOME (...): ...` (KEEP_WORK=1 keeps the logs).
#
# runc 1.1.5 (Debian 12) predates the 2024 and 2025 fixes: it FAILS masked_devnull_symlink,
# masked_devnull_race, console_pts_race, mount_dest_parent_swap and proc_mount_refused
# (see each check).

# ---------------------------------------------------------------------------------------
# Helpers

ATK_SYSCTL=/proc/sys/kernel/printk_ratelimit_burst

ATK_LOCK=/run/lock/swiftlet-conformance-attacks.lock

# _atk_save_sysctl: takes the host-wide lock of the checks that use the sysctl (so that a
# concurrent run of them elsewhere on the host cannot change it under this one), saves the
# host's kernel.printk_ratelimit_burst into ATK_SAVED and defers its restoration; ATK_VALUE
# is what the attacks try to write (a valid value unlike it). The lock is held by a
# `flock -F ... sleep` process, not by this shell, so no runtime inherits its descriptor.
_atk_save_sysctl() {
    [ -r "$ATK_SYSCTL" ] || skip "no $ATK_SYSCTL on this host"
    flock -F -w 90 "$ATK_LOCK" sh -c 'echo locked > "$1"; exec sleep "$2"' sh "$T/.atk-locked" "$CHECK_TIMEOUT" \
        > /dev/null 2>&1 &
    defer "kill $! 2> /dev/null; true"
    wait_for 95 test -e "$T/.atk-locked" ||
        fail "$ATK_LOCK is held elsewhere for over 90 s (a concurrent run of these checks?)"
    ATK_SAVED=$(cat "$ATK_SYSCTL")
    [[ $ATK_SAVED =~ ^[0-9]+$ ]] || skip "$ATK_SYSCTL reads '$ATK_SAVED', not a number"
    defer "_atk_restore_sysctl"
    ATK_VALUE=4242
    [ "$ATK_SAVED" != "$ATK_VALUE" ] || ATK_VALUE=4243
}

_atk_restore_sysctl() {
    [ "$(cat "$ATK_SYSCTL")" = "$ATK_SAVED" ] && return 0
    echo "# restoring $ATK_SYSCTL to $ATK_SAVED (it read $(cat "$ATK_SYSCTL"))"
    echo "$ATK_SAVED" > "$ATK_SYSCTL"
}

# _atk_expect_sysctl_unchanged WHAT: the host's sysctl still has its saved value.
_atk_expect_sysctl_unchanged() {
    local now
    now=$(cat "$ATK_SYSCTL")
    [ "$now" = "$ATK_SAVED" ] ||
        fail "HOST CHANGED: kernel.printk_ratelimit_burst is $now, was $ATK_SAVED ($1)"
}

# _atk_fingerprint PATH: one line describing PATH without following it (type, target or
# device numbers, size, content hash), to compare before and after.
_atk_fingerprint() {
    if [ -L "$1" ]; then
        printf 'symlink -> %s\n' "$(readlink "$1")"
    elif [ -e "$1" ]; then
        stat -c '%F %t:%T %s %a %u:%g' "$1"
        [ -f "$1" ] && md5sum < "$1"
    else
        echo missing
    fi
    return 0
}

# _atk_expect_no_host_mounts DIR: the host's mount table has nothing at or under DIR.
_atk_expect_no_host_mounts() {
    local m
    m=$(_mounts_under "$1" | head -n 1)
    [ -z "$m" ] || fail "HOST CHANGED: a mount at $m in the host's mount table"
}

# _atk_masked_candidates: the /proc files runtimes mask that exist on this host.
_atk_masked_candidates() {
    local f
    for f in /proc/kcore /proc/timer_list /proc/sched_debug /proc/keys /proc/latency_stats; do
        [ -f "$f" ] && echo "$f"
    done
    return 0
}

# _atk_dev_bind DIR: the config's /dev becomes a bind mount of DIR (so the runtime does not
# make /dev itself and the bundle's entries are what the container sees).
_atk_dev_bind() {
    bundle_set --arg d "$1" '.mounts |= map(if .destination == "/dev"
        then {destination: "/dev", type: "bind", source: $d, options: ["rbind", "rw"]} else . end)'
}

# _atk_attempt WHAT: creates and starts the current bundle and waits for its program to
# end. Status 0 when it ran (its stdout in OUT, stderr in ERR; the container is deleted),
# 1 when create was refused, which must come with a message and leave nothing. The
# outcome goes to the log.
_atk_attempt() {
    if ! ctr_create; then
        local err
        err=$(cat "$T/$ID.err")
        echo "# OUTCOME ($1): create refused: $(_oneline "$err")"
        expect_match "$err" '[^[:space:]]' "the error message of the refused create ($1)"
        expect_nothing_left
        return 1
    fi
    ctr_start || fail "start ($1): $ERR"
    wait_status "$ID" stopped 10 || fail "the container ($1) did not stop"
    expect_exit 0 rt delete "$ID"
    OUT=$(cat "$T/$ID.out")
    ERR=$(cat "$T/$ID.err")
    _log_captured
    echo "# OUTCOME ($1): ran"
    return 0
}

# _atk_flip A B: starts lib/flip.py swapping A and B until the check ends; its pid in
# FLIP_PID. The teardown stops it (TERM: it puts A and B back as they were).
_atk_flip() {
    python3 "$CONF_DIR/lib/flip.py" "$1" "$2" "$T/flip.ready" "$CHECK_TIMEOUT" > "$T/flip.log" 2>&1 &
    FLIP_PID=$!
    defer "_atk_stop_flip $FLIP_PID"
    wait_for 5 test -e "$T/flip.ready" || fail "the flipper did not start: $(cat "$T/flip.log")"
}

_atk_stop_flip() {
    [ -e "$T/flip.stopped" ] && return 0
    kill -TERM "$1" 2> /dev/null
    wait_for 5 _pid_gone "$1" || kill -KILL "$1" 2> /dev/null
    wait "$1" 2> /dev/null
    sed 's/^/# /' "$T/flip.log"
    touch "$T/flip.stopped"
}

# _atk_rt ARGS...: rt without the trace line (for the loops of the race checks, which log
# one line for all their runs instead).
_atk_rt() {
    timeout -k 5 "$RT_TIMEOUT" "$RUNTIME" --root "$STATE" "$@"
}

# ---------------------------------------------------------------------------------------
# CVE-2025-31133 class: maskedPaths and a /dev/null the bundle controls

# _atk_masked_bundle NAME DEVNULL-KIND: a bundle NAME whose /dev is a bind mount of
# $T/NAME.dev, where `null` is DEVNULL-KIND (symlink: to the host-global sysctl; file: a
# regular file; zero: the char device 1:5; null: the real 1:3). maskedPaths are the
# candidates; readonlyPaths stay the base config's, so /proc/sys is read-only and the
# container cannot write the sysctl by itself: only a wrong mask lets it.
_atk_masked_bundle() {
    local name=$1 kind=$2 dev="$T/$1.dev"
    bundle_new "$name"
    mkdir -p "$dev"
    case $kind in
        symlink) ln -s "$ATK_SYSCTL" "$dev/null" ;;
        file) echo "bundle file" > "$dev/null" ;;
        zero) mknod -m 666 "$dev/null" c 1 5 ;;
        null) mknod -m 666 "$dev/null" c 1 3 ;;
    esac
    _atk_dev_bind "$dev"
    bundle_set --argjson m "$(json_array "${ATK_MASKED[@]}")" '.linux.maskedPaths = $m'
}

# _atk_masked_script: prints a script that, per masked file, tries to write ATK_VALUE into
# it and prints "PATH|TYPE MAJOR:MINOR|BYTES READ|WRITE", then "end". (Nothing in it uses
# the container's /dev/null, which is the bundle's.)
_atk_masked_script() {
    printf 'for f in %s; do ' "${ATK_MASKED[*]}"
    # shellcheck disable=SC2016
    printf '%s' 's=$(stat -c "%F %t:%T" $f); n=$(head -c 1 $f | wc -c)
        echo '"$ATK_VALUE"' > $f && w=write-ok || w=write-failed
        echo "$f|$s|$n|$w"; done; echo end'
}

# CVE-2025-31133 (runc GHSA-9493-h29p-rfm2): masked files are masked by bind-mounting the
# container's /dev/null over them. With /dev a bind mount of a directory the bundle owns,
# `null` there can be a symlink to /proc/sys/kernel/printk_ratelimit_burst (a runtime
# binding the path "/dev/null" then puts the host sysctl at /proc/timer_list, writable if
# the mask comes before the read-only /proc/sys), a regular file of the bundle (writes reach
# the host's file) or another device (/dev/zero's 1:5). Asserts for each: the create is
# refused and leaves nothing, or every masked file is the real null device (character
# 1:3) and reads empty; and, after the container wrote to the masked files, the host sysctl
# and the bundle's `null` are unchanged and no mount shows on the host.
# runc 1.1.5 FAILS this: it binds whatever /dev/null names (the sysctl, read-only there
# because runc applies readonlyPaths first; the bundle's file, writable).
attacks_masked_devnull_symlink() {
    _atk_save_sysctl
    mapfile -t ATK_MASKED < <(_atk_masked_candidates)
    [ ${#ATK_MASKED[@]} -gt 0 ] || skip "none of the masked /proc files exists on this host"
    local kind before f line out
    for kind in symlink file zero; do
        _atk_masked_bundle "$kind" "$kind"
        bundle_sh "$(_atk_masked_script)"
        before=$(_atk_fingerprint "$T/$kind.dev/null")
        if _atk_attempt "/dev/null planted as $kind"; then
            out=$OUT
            _atk_expect_sysctl_unchanged "/dev/null planted as $kind, the container wrote to the masked files"
            expect_eq "$(_atk_fingerprint "$T/$kind.dev/null")" "$before" "HOST CHANGED? the bundle's /dev/null ($kind)"
            expect_contains "$out" end "the container's output ($kind)"
            for f in "${ATK_MASKED[@]}"; do
                line=$(grep -F "$f|" <<< "$out")
                [[ $line == "$f|character special file 1:3|0|"* ]] ||
                    fail "/dev/null planted as $kind: $f inside is not the null device: '$line' (type|bytes read|write)"
            done
        fi
        _atk_expect_sysctl_unchanged "/dev/null planted as $kind"
        expect_eq "$(_atk_fingerprint "$T/$kind.dev/null")" "$before" "HOST CHANGED? the bundle's /dev/null ($kind)"
        _atk_expect_no_host_mounts "$T"
    done
}
check masked_devnull_symlink attacks_masked_devnull_symlink

# The same as a race (a second container sharing the volume could run the loop): the
# bundle's `null` flips between the real null device and the symlink to the sysctl while
# the bundle is run 200 times. A runtime that checks the node and then binds the path
# loses the race sometimes. Asserts: no run saw anything but the null device at a masked
# path, the host sysctl and the bundle's entries are unchanged, nothing is left.
# runc 1.1.5 FAILS this (it binds the path, see above).
attacks_masked_devnull_race() {
    _atk_save_sysctl
    mapfile -t ATK_MASKED < <(_atk_masked_candidates)
    [ ${#ATK_MASKED[@]} -gt 0 ] || skip "none of the masked /proc files exists on this host"
    _atk_masked_bundle race null
    ln -s "$ATK_SYSCTL" "$T/race.dev/null.alt"
    bundle_sh "$(_atk_masked_script)"
    local before_a before_b
    before_a=$(_atk_fingerprint "$T/race.dev/null")
    before_b=$(_atk_fingerprint "$T/race.dev/null.alt")
    _atk_flip "$T/race.dev/null" "$T/race.dev/null.alt"
    echo "# 200 x: $RUNTIME_NAME run --bundle $BUNDLE $ID"
    local i ran=0 refused=0 bad=0 first_bad='' good='|character special file 1:3|0|'
    for ((i = 0; i < 200; i++)); do
        _atk_rt run --bundle "$BUNDLE" "$ID" < /dev/null > "$T/race.out" 2> "$T/race.err"
        if grep -qx end "$T/race.out"; then
            ran=$((ran + 1))
            if grep -vx end "$T/race.out" | grep -qvF "$good"; then
                bad=$((bad + 1))
                [ -n "$first_bad" ] || first_bad=$(grep -vx end "$T/race.out" | grep -vF "$good" | head -n 1)
            fi
        else
            refused=$((refused + 1))
            [ "$refused" -eq 1 ] && sed 's/^/# first refusal: /' "$T/race.err"
            cleanup_container "$ID"
        fi
    done
    _atk_stop_flip "$FLIP_PID"
    echo "# OUTCOME (race): $ran runs, $refused refused, $bad saw something other than the null device"
    _atk_expect_sysctl_unchanged "200 runs while /dev/null flipped; runs that saw a wrong mask: $bad"
    [ "$bad" -eq 0 ] || fail "$bad of $ran runs had a masked file that is not the null device, e.g. '$first_bad'"
    expect_eq "$(_atk_fingerprint "$T/race.dev/null")" "$before_a" "the bundle's /dev/null after the race"
    expect_eq "$(_atk_fingerprint "$T/race.dev/null.alt")" "$before_b" "the bundle's /dev/null.alt after the race"
    expect_nothing_left
    _atk_expect_no_host_mounts "$T"
}
check masked_devnull_race attacks_masked_devnull_race

# ---------------------------------------------------------------------------------------
# CVE-2025-52881 class: linux.sysctl written through a mount the bundle controls

# CVE-2025-52881 (runc GHSA-cgrx-mc8f-2prm): sysctls are written by path under the
# container's /proc/sys, after the config's mounts. A bind mount of a bundle directory over
# /proc/sys/net/ipv4, whose ip_forward is a symlink to /proc/sys/kernel/
# printk_ratelimit_burst, turns `net.ipv4.ip_forward = 1` (allowed: the container has its
# own network namespace) into a write of the host-global sysctl; a bind of a bundle file
# over the entry itself turns it into a write of a host file. Asserts for both: create is
# refused (with a message naming the mount) and leaves nothing, or it succeeds with the
# value in the container's own network namespace only (read from the host through
# nsenter), the host sysctl and the bundle's entries unchanged.
attacks_sysctl_bind_redirect() {
    _atk_save_sysctl
    local variant dest src before err pid
    for variant in symlink file; do
        bundle_new "$variant"
        if [ "$variant" = symlink ]; then
            src="$T/fake-ipv4"
            mkdir -p "$src"
            ln -s "$ATK_SYSCTL" "$src/ip_forward"
            dest=/proc/sys/net/ipv4
            before=$(_atk_fingerprint "$src/ip_forward")
        else
            src="$T/fake-ip_forward"
            echo 0 > "$src"
            dest=/proc/sys/net/ipv4/ip_forward
            before=$(_atk_fingerprint "$src")
        fi
        bundle_mount "$dest" bind "$src" rbind rw
        bundle_set '.linux.sysctl = {"net.ipv4.ip_forward": "1"}'
        bundle_args sleep 30
        if ctr_create; then
            echo "# OUTCOME ($variant): created"
            _atk_expect_sysctl_unchanged "net.ipv4.ip_forward through a bind mount at $dest ($variant)"
            pid=$(state_field pid) || fail "state after create"
            expect_exit 0 nsenter -t "$pid" -n cat /proc/sys/net/ipv4/ip_forward
            expect_eq "$OUT" 1 "net.ipv4.ip_forward in the container's network namespace ($variant)"
            expect_exit 0 rt delete --force "$ID"
        else
            err=$(cat "$T/$ID.err")
            echo "# OUTCOME ($variant): create refused: $(_oneline "$err")"
            expect_contains "$err" "$dest" "the refusal's message (naming the mount)"
            expect_nothing_left
        fi
        _atk_expect_sysctl_unchanged "net.ipv4.ip_forward through a bind mount at $dest ($variant)"
        if [ "$variant" = symlink ]; then
            expect_eq "$(_atk_fingerprint "$src/ip_forward")" "$before" "HOST CHANGED? the bundle's ip_forward symlink"
        else
            expect_eq "$(_atk_fingerprint "$src")" "$before" "HOST CHANGED? the bundle's file bound at $dest"
        fi
        _atk_expect_no_host_mounts "$T"
    done
}
check sysctl_bind_redirect attacks_sysctl_bind_redirect

# The same as a race: the bundle directory's ip_forward flips between a plain file and the
# symlink to the host sysctl during 200 create + delete. A runtime that checks the entry
# and then writes the path loses sometimes. Asserts: the host sysctl and the entries are
# unchanged, and nothing is left.
attacks_sysctl_bind_race() {
    _atk_save_sysctl
    bundle_new race
    local src="$T/fake-ipv4"
    mkdir -p "$src"
    echo 0 > "$src/ip_forward"
    ln -s "$ATK_SYSCTL" "$src/ip_forward.alt"
    bundle_mount /proc/sys/net/ipv4 bind "$src" rbind rw
    bundle_set '.linux.sysctl = {"net.ipv4.ip_forward": "1"}'
    bundle_args true
    local before_a before_b
    before_a=$(_atk_fingerprint "$src/ip_forward")
    _atk_flip "$src/ip_forward" "$src/ip_forward.alt"
    echo "# 200 x: $RUNTIME_NAME create --bundle $BUNDLE $ID; delete --force"
    local i created=0 refused=0
    for ((i = 0; i < 200; i++)); do
        if _atk_rt create --bundle "$BUNDLE" "$ID" < /dev/null > "$T/race.out" 2> "$T/race.err"; then
            created=$((created + 1))
        else
            refused=$((refused + 1))
            [ "$refused" -eq 1 ] && sed 's/^/# first refusal: /' "$T/race.err"
        fi
        _atk_rt delete --force "$ID" > /dev/null 2>&1 < /dev/null
        [ "$(cat "$ATK_SYSCTL")" = "$ATK_SAVED" ] || break
    done
    _atk_stop_flip "$FLIP_PID"
    echo "# OUTCOME (race): $created created, $refused refused, stopped after $i"
    before_b=$(_atk_fingerprint "$src/ip_forward.alt")
    _atk_expect_sysctl_unchanged "create number $((i + 1)) of 200 while ip_forward flipped"
    expect_eq "$(_atk_fingerprint "$src/ip_forward")" "$before_a" "the bundle's ip_forward after the race"
    expect_eq "$before_b" "symlink -> $ATK_SYSCTL" "the bundle's ip_forward.alt after the race"
    expect_nothing_left
    _atk_expect_no_host_mounts "$T"
}
check sysctl_bind_race attacks_sysctl_bind_race

# ---------------------------------------------------------------------------------------
# CVE-2025-52565 class: /dev/console and /dev/pts planted by the bundle

# _atk_console_attempt WHAT: the current bundle with terminal true: create with
# --console-socket (lib/console_receiver.py at the other end), start, and wait for the pty's
# EOF. Status 0 when it ran (what the pty printed in OUT, CRs removed; the container is
# deleted), 1 when create was refused, which must come with a message and leave nothing.
_atk_console_attempt() {
    local sock="$T/$ID.sock" receiver err
    CONSOLE_TIMEOUT=20 python3 "$CONF_DIR/lib/console_receiver.py" "$sock" "$T/$ID.console" \
        > "$T/$ID.receiver" 2>&1 &
    receiver=$!
    wait_for 5 test -S "$sock" || fail "the console receiver did not start: $(cat "$T/$ID.receiver")"
    rt create --console-socket "$sock" --bundle "$BUNDLE" "$ID" < /dev/null > "$T/$ID.out" 2> "$T/$ID.err"
    RC=$?
    echo "# create exit status $RC"
    if [ "$RC" -ne 0 ]; then
        kill "$receiver" 2> /dev/null
        wait "$receiver" 2> /dev/null
        err=$(cat "$T/$ID.err")
        echo "# OUTCOME ($1): create refused: $(_oneline "$err")"
        expect_match "$err" '[^[:space:]]' "the error message of the refused create ($1)"
        expect_nothing_left
        return 1
    fi
    wait_for 5 test -e "$T/$ID.console.received" || fail "$1: no pty master came over the console socket"
    ctr_start || fail "start ($1): $ERR"
    wait_bg "$receiver" 10 || fail "$1: the pty never reached EOF"
    wait_status "$ID" stopped 10 || fail "the container ($1) did not stop"
    expect_exit 0 rt delete "$ID"
    OUT=$(tr -d '\r' < "$T/$ID.console")
    printf '# console output:\n%s\n' "$OUT"
    echo "# OUTCOME ($1): ran"
    return 0
}

# CVE-2025-52565 (runc GHSA-qw9x-cqr3-wc7r): with process.terminal the runtime allocates a pty
# and binds it over /dev/console; a runtime that follows what the bundle planted at
# /dev/console, /dev/ptmx or /dev/pts/N binds or opens a host file instead. The container
# prints ATK_VALUE to its stdout and to /dev/console. Variants:
#   console-sysctl   /dev is a bundle directory where console -> the host sysctl
#   console-hostpath the same with console -> $T/host-console, a path that does not exist
#   ptmx-sysctl      /dev/pts is a bundle directory where ptmx -> the host sysctl
#   ptmx-file        the same with ptmx a regular file of the bundle
#   pts-index        the config's devpts is at /dev/.pts; /dev/pts is a bundle directory
#                    where ptmx -> /dev/.pts/ptmx (a real pty) and 0..15 -> the sysctl: a
#                    runtime that opens or binds the slave by its name "/dev/pts/N" gets
#                    the sysctl
# Asserts for each: the host sysctl, the planted entries and the bundle's files are
# unchanged, $T/host-console was not created, no mount shows on the host; and either
# create was refused and left nothing, or the program ran with its output on the pty.
# (runc 1.1.5 passes: it refuses pts-index only because TIOCSCTTY fails on the sysctl it
# opened as the slave; console_pts_race wins against it.)
attacks_console_redirect() {
    _atk_save_sysctl
    local variant dir before i script
    script="echo $ATK_VALUE; echo $ATK_VALUE > /dev/console; echo end"
    for variant in console-sysctl console-hostpath ptmx-sysctl ptmx-file pts-index; do
        bundle_new "$variant"
        dir="$T/$variant.dir"
        mkdir -p "$dir"
        case $variant in
            console-*)
                bundle_private_rootfs
                mkdir -p "$dir/pts"
                ln -s pts/ptmx "$dir/ptmx"
                mknod -m 666 "$dir/null" c 1 3
                if [ "$variant" = console-sysctl ]; then
                    ln -s "$ATK_SYSCTL" "$dir/console"
                else
                    ln -s "$T/host-console" "$dir/console"
                fi
                _atk_dev_bind "$dir"
                before=$(_atk_fingerprint "$dir/console")
                ;;
            ptmx-*)
                if [ "$variant" = ptmx-sysctl ]; then
                    ln -s "$ATK_SYSCTL" "$dir/ptmx"
                else
                    echo "bundle file" > "$dir/ptmx"
                fi
                bundle_set --arg d "$dir" '.mounts |= map(if .destination == "/dev/pts"
                    then {destination: "/dev/pts", type: "bind", source: $d, options: ["rbind", "rw"]} else . end)'
                before=$(_atk_fingerprint "$dir/ptmx")
                ;;
            pts-index)
                ln -s /dev/.pts/ptmx "$dir/ptmx"
                for ((i = 0; i < 16; i++)); do ln -s "$ATK_SYSCTL" "$dir/$i"; done
                bundle_set --arg d "$dir" '.mounts |= (map(if .destination == "/dev/pts"
                    then .destination = "/dev/.pts" else . end)
                    + [{destination: "/dev/pts", type: "bind", source: $d, options: ["rbind", "rw"]}])'
                before=$(_atk_fingerprint "$dir/0")
                ;;
        esac
        bundle_set '.process.terminal = true'
        bundle_sh "$script"
        if _atk_console_attempt "$variant"; then
            _atk_expect_sysctl_unchanged "$variant: the program wrote to its stdout and /dev/console"
            expect_contains "$OUT" "$ATK_VALUE"$'\n'"end" "what the pty printed ($variant)"
        fi
        _atk_expect_sysctl_unchanged "$variant"
        [ -e "$T/host-console" ] || [ -L "$T/host-console" ] &&
            fail "HOST CHANGED: the runtime created $T/host-console ($variant)"
        case $variant in
            console-*) expect_eq "$(_atk_fingerprint "$dir/console")" "$before" "the bundle's /dev/console ($variant)" ;;
            ptmx-*) expect_eq "$(_atk_fingerprint "$dir/ptmx")" "$before" "HOST CHANGED? the bundle's ptmx ($variant)" ;;
            pts-index) expect_eq "$(_atk_fingerprint "$dir/0")" "$before" "the bundle's /dev/pts/0 ($variant)" ;;
        esac
        _atk_expect_no_host_mounts "$T"
    done
}
check console_redirect attacks_console_redirect

# CVE-2025-52565 as published: the runtime binds the pty slave over /dev/console by its name
# "/dev/pts/N" and opens it again by that name for the program's stdio. A bundle directory
# bound at /dev/pts (the config's devpts is at /dev/.pts) holds ptmx -> /dev/.pts/ptmx and a
# `0` that flips between a symlink to the real slave /dev/.pts/0 and one to the host sysctl
# during 100 runs with a terminal. A runtime that resolves the name twice sometimes binds
# the sysctl at /dev/console (before /proc/sys is made read-only) and still gets a real pty
# for the program, which then writes ATK_VALUE to /dev/console. Asserts: the host sysctl
# and the planted entries are unchanged, nothing is left.
# runc 1.1.5 FAILS this: the bind and the open are by name.
attacks_console_pts_race() {
    _atk_save_sysctl
    bundle_new race
    local dir="$T/race.dir" i
    mkdir -p "$dir"
    ln -s /dev/.pts/ptmx "$dir/ptmx"
    ln -s /dev/.pts/0 "$dir/0"
    ln -s "$ATK_SYSCTL" "$dir/0.alt"
    bundle_set --arg d "$dir" '.mounts |= (map(if .destination == "/dev/pts"
        then .destination = "/dev/.pts" else . end)
        + [{destination: "/dev/pts", type: "bind", source: $d, options: ["rbind", "rw"]}])'
    bundle_set '.process.terminal = true'
    bundle_sh "echo $ATK_VALUE > /dev/console; echo end"
    _atk_flip "$dir/0" "$dir/0.alt"
    # One receiver for all the runs: it prints N once the Nth pty reached EOF (the
    # program exited), read here through a fifo.
    local ran=0 refused=0 sock="$T/race.sock" receiver rfd line n
    mkfifo "$T/race.fifo"
    exec {rfd}<> "$T/race.fifo"
    CONSOLE_TIMEOUT=$CHECK_TIMEOUT python3 "$CONF_DIR/lib/console_receiver.py" --many "$sock" "$T/race.console" \
        > "$T/race.fifo" 2> "$T/race.receiver" &
    receiver=$!
    defer "kill $receiver 2> /dev/null; true"
    wait_for 5 test -S "$sock" || fail "the console receiver did not start: $(cat "$T/race.receiver")"
    echo "# 100 x: $RUNTIME_NAME create --console-socket; start; (pty EOF); delete --force"
    for ((i = 0; i < 100; i++)); do
        while read -r -t 0.01 -u "$rfd" line; do :; done
        if _atk_rt create --console-socket "$sock" --bundle "$BUNDLE" "$ID" < /dev/null > "$T/race.out" 2> "$T/race.err"; then
            ran=$((ran + 1))
            _atk_rt start "$ID" < /dev/null > /dev/null 2>&1
            read -r -t 10 -u "$rfd" line || echo "# run $i: no EOF on the pty within 10 s"
        else
            refused=$((refused + 1))
            [ "$refused" -eq 1 ] && sed 's/^/# first refusal: /' "$T/race.err"
        fi
        _atk_rt delete --force "$ID" > /dev/null 2>&1 < /dev/null
        [ "$(cat "$ATK_SYSCTL")" = "$ATK_SAVED" ] || break
    done
    kill "$receiver" 2> /dev/null
    wait "$receiver" 2> /dev/null
    exec {rfd}<&-
    _atk_stop_flip "$FLIP_PID"
    echo "# OUTCOME (race): $ran ran, $refused refused, stopped after $i"
    _atk_expect_sysctl_unchanged "run number $((i + 1)) of 100 while /dev/pts/0 flipped"
    expect_eq "$(_atk_fingerprint "$dir/0")" "symlink -> /dev/.pts/0" "the bundle's /dev/pts/0 after the race"
    expect_eq "$(_atk_fingerprint "$dir/0.alt")" "symlink -> $ATK_SYSCTL" "the bundle's /dev/pts/0.alt after the race"
    expect_nothing_left
    _atk_expect_no_host_mounts "$T"
}
check console_pts_race attacks_console_pts_race

# ---------------------------------------------------------------------------------------
# CVE-2024-45310 class: a mount destination's parent leads out of the rootfs

# CVE-2024-45310 (runc GHSA-jfvp-7x6p-h2pv): the runtime creates missing mount points. When
# a parent of the destination is a symlink to a host directory (rootfs/a -> $T/host-dir,
# destination /a/b/c), the directories must be made inside the rootfs, never on the host.
# First with the symlink in place, then as a race: rootfs/a flips between a directory
# (holding b) and the symlink during 100 runs, each with a new destination /a/b/cN, so
# there is always something to create. Asserts: $T/host-dir stays empty, the first run
# (unless refused) had its tmpfs at /a/b/c, nothing is left, no mount shows on the host.
# runc 1.1.5 FAILS this (the race): it resolves the path safely, then creates it by name.
attacks_mount_dest_parent_swap() {
    local host="$T/host-dir" left
    mkdir -p "$host"
    bundle_new
    bundle_private_rootfs
    ln -s "$host" "$BUNDLE/rootfs/a"
    bundle_mount /a/b/c tmpfs tmpfs
    bundle_sh 'stat -f -c %T /a/b/c; echo end'
    if _atk_attempt "a -> host directory"; then
        expect_eq "$OUT" $'tmpfs\nend' "the filesystem at /a/b/c inside"
    fi
    left=$(find "$host" -mindepth 1 | head -n 3 | tr '\n' ' ')
    expect_eq "$left" "" "HOST CHANGED? entries the runtime made in $host (a -> host directory)"
    _atk_expect_no_host_mounts "$T"

    bundle_new race
    bundle_private_rootfs
    mkdir -p "$BUNDLE/rootfs/a/b"
    ln -s "$host" "$BUNDLE/rootfs/a.alt"
    bundle_mount /a/b/c tmpfs tmpfs
    bundle_args true
    _atk_flip "$BUNDLE/rootfs/a" "$BUNDLE/rootfs/a.alt"
    echo "# 100 x: $RUNTIME_NAME run --bundle $BUNDLE $ID, destination /a/b/cN"
    local i ran=0 refused=0
    for ((i = 0; i < 100; i++)); do
        bundle_set --arg d "/a/b/c$i" '.mounts[-1].destination = $d'
        if _atk_rt run --bundle "$BUNDLE" "$ID" < /dev/null > "$T/race.out" 2> "$T/race.err"; then
            ran=$((ran + 1))
        else
            refused=$((refused + 1))
            [ "$refused" -eq 1 ] && sed 's/^/# first refusal: /' "$T/race.err"
            _atk_rt delete --force "$ID" > /dev/null 2>&1 < /dev/null
        fi
    done
    _atk_stop_flip "$FLIP_PID"
    echo "# OUTCOME (race): $ran ran, $refused refused"
    left=$(find "$host" -mindepth 1 | head -n 3 | tr '\n' ' ')
    expect_eq "$left" "" "HOST CHANGED: entries the runtime made in $host during the race"
    expect_nothing_left
    _atk_expect_no_host_mounts "$T"
}
check mount_dest_parent_swap attacks_mount_dest_parent_swap

# ---------------------------------------------------------------------------------------
# CVE-2019-16884 / CVE-2023-27561 class: LSM labels written through a fake /proc

# _atk_aa_load NAME: loads a permissive AppArmor profile NAME (enforce mode) that only
# denies reading /etc/group; unloaded when the check ends.
_atk_aa_load() {
    local file="$T/$1.apparmor"
    cat > "$file" << PROFILE
profile $1 flags=(attach_disconnected,mediate_deleted) {
  file,
  capability,
  signal,
  unix,
  network,
  mount,
  umount,
  pivot_root,
  ptrace (read) peer=$1,
  deny /etc/group r,
}
PROFILE
    apparmor_parser -r --skip-cache "$file" > "$T/.aa.out" 2>&1 ||
        fail "apparmor_parser -r $file failed: $(cat "$T/.aa.out")"
    defer "apparmor_parser -R --skip-cache '$file'"
}

# CVE-2019-16884 and its regression CVE-2023-27561 (runc GHSA-fh74-hm69-rqjw,
# GHSA-g2j6-57v7-gm8c): the runtime applies process.apparmorProfile by writing
# /proc/self/attr/{apparmor/,}exec; a bind mount of a bundle directory over /proc (a fake
# procfs whose attr files are plain files) or over /proc/self/attr makes that write land in
# a file and the program runs unconfined. Asserts for both: create is refused and leaves
# nothing, or the program runs confined, as the host sees its label
# (/proc/PID/attr/current on the host: "PROFILE (enforce)"), and the fake attr files are
# unchanged. Needs AppArmor (conformance/vm runs the same as apparmor/label_redirect).
attacks_lsm_label_redirect() {
    if [ "$(cat /sys/module/apparmor/parameters/enabled 2> /dev/null)" != Y ] ||
        [ ! -d /sys/kernel/security/apparmor ]; then
        [ -e /sys/fs/selinux/enforce ] &&
            skip "SELinux is enabled, but only the AppArmor variant of this check exists"
        skip "AppArmor/SELinux not enabled on this host"
    fi
    command -v apparmor_parser > /dev/null || skip "AppArmor is enabled but there is no apparmor_parser (Debian package apparmor)"
    local name="swc-$RUN_ID-$CHECK_NO" variant fake dest attr before pid label
    _atk_aa_load "$name"
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
        bundle_set --arg p "$name" '.process.apparmorProfile = $p'
        bundle_args sleep 30
        if ctr_create; then
            echo "# OUTCOME ($variant): created"
            ctr_start || fail "start ($variant): $ERR"
            wait_for 10 marked_pid_with_cmdline "sleep 30 " > /dev/null || fail "the container's sleep did not start ($variant)"
            pid=$(marked_pid_with_cmdline "sleep 30 ")
            label=$(tr -d '\0' < "/proc/$pid/attr/current")
            expect_eq "$label" "$name (enforce)" "the label of the container's process (pid $pid) seen from the host, fake $dest"
            expect_exit 0 rt delete --force "$ID"
        else
            echo "# OUTCOME ($variant): create refused: $(_oneline "$(cat "$T/$ID.err")")"
            expect_match "$(cat "$T/$ID.err")" '[^[:space:]]' "the error message of the refused create ($variant)"
            expect_nothing_left
        fi
        expect_eq "$(cd "$fake" && find . -type f -exec md5sum {} + | sort)" "$before" "HOST CHANGED? the fake attr files ($variant)"
        _atk_expect_no_host_mounts "$T"
    done
}
check lsm_label_redirect attacks_lsm_label_redirect

# ---------------------------------------------------------------------------------------
# Mounts inside /proc

# The rule that closes CVE-2025-52881, CVE-2019-16884 and CVE-2023-27561 for the config's
# own mounts (runc's checkProcMount): a mount whose destination is /proc itself must be a
# proc filesystem, and one inside /proc is refused with an error naming it; except bind
# mounts over the files lxcfs emulates (cpuinfo, meminfo, stat, uptime, loadavg, diskstats,
# swaps, slabinfo, net/dev, those this kernel has), which must work and show the bundle's
# file inside. Refused: a bundle file over /proc/sys/kernel/core_pattern,
# /proc/sys/kernel/printk_ratelimit_burst and /proc/sysrq-trigger (those this kernel has: a
# missing destination would be refused for another reason), a bundle directory over /proc
# (after the proc mount) and over /proc/self/attr, and (last, after the lxcfs files) a
# tmpfs at /proc/sys. Each refusal leaves nothing, and no mount shows on the host.
# /proc/net/dev is not among the lxcfs files: /proc/net is a symlink to self/net, so it is
# per-process; runc refuses it (it resolves to /proc/1/net/dev, outside its allow-list) and
# dropped it from the list in 2025 (opencontainers/runc#4817).
# runc 1.1.5 FAILS this (the tmpfs): it checks only bind mounts (runc 1.2 checks every
# mount type).
attacks_proc_mount_refused() {
    echo "bundle file" > "$T/file"
    mkdir -p "$T/dir"
    local entry n=0 dest
    for entry in "/proc/sys/kernel/core_pattern|bind|file" "/proc/sys/kernel/printk_ratelimit_burst|bind|file" \
        "/proc/sysrq-trigger|bind|file" "/proc|bind|dir" "/proc/self/attr|bind|dir"; do
        dest=${entry%%|*}
        if [ ! -e "$dest" ]; then
            echo "# $dest: not on this kernel, left out"
            continue
        fi
        n=$((n + 1))
        _atk_proc_mount_must_fail "$n" "$entry"
    done

    local f files=() script=''
    for f in cpuinfo meminfo stat uptime loadavg diskstats swaps slabinfo; do
        if [ ! -e "/proc/$f" ]; then
            echo "# /proc/$f: not on this kernel, left out"
            continue
        fi
        files+=("$f")
        echo "lxcfs-$f" > "$T/lxcfs-${f//\//-}"
        script+="head -n 1 /proc/$f; "
    done
    bundle_new lxcfs
    for f in "${files[@]}"; do
        bundle_mount "/proc/$f" bind "$T/lxcfs-${f//\//-}" bind ro
    done
    inside "$script"
    local want=''
    for f in "${files[@]}"; do want+="lxcfs-$f"$'\n'; done
    expect_eq "$OUT" "${want%$'\n'}" "the first line of each lxcfs-style file inside"

    _atk_proc_mount_must_fail tmpfs "/proc/sys|tmpfs|tmpfs"
}
check proc_mount_refused attacks_proc_mount_refused

# _atk_proc_mount_must_fail NAME "DEST|TYPE|SOURCE": a bundle NAME with one more mount (SOURCE
# tmpfs, or $T/SOURCE bound) must fail to create, with an error naming DEST, leaving nothing.
_atk_proc_mount_must_fail() {
    local dest type src err
    IFS='|' read -r dest type src <<< "$2"
    bundle_new "r$1"
    case $src in
        tmpfs) bundle_mount "$dest" tmpfs tmpfs ;;
        *) bundle_mount "$dest" bind "$T/$src" bind ;;
    esac
    bundle_args true
    if ctr_create; then
        ctr_start
        fail "create with a $type mount at $dest succeeded"
    fi
    err=$(cat "$T/$ID.err")
    echo "# OUTCOME ($dest): create refused: $(_oneline "$err")"
    expect_contains "$err" "$dest" "the error for a $type mount at $dest (naming the mount)"
    expect_nothing_left
    _atk_expect_no_host_mounts "$T"
}
