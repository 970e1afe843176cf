# checkpoint/restore with CRIU (runc CLI runc-checkpoint(8), runc-restore(8); not runtime-spec),
# in the VM, whose Debian 6.1 kernel the installed criu 3.17 supports (the build hosts' newer
# kernel fails `criu check`: conformance/checks/checkpoint.sh covers that refusal).
# docs/checkpoint.md.
#
# Few checks, because every dump and restore costs 10-40 s emulated and a check may take no
# more than CHECK_TIMEOUT (240 s). Each container is a counter appending to a file on a bind
# mount every 0.2 s, its stdio the runner's /dev/null, and carries what makes a swiftlet
# container hard for CRIU: swiftlet-init as PID 1 from a sealed memfd, masked paths (null
# device binds: external mounts), read-only paths, a read-only root, a bind mount, a seccomp
# filter, cgroup v2.

. "$CONF_DIR/vm/lib-vm.sh"

# need_criu: a criu binary whose `criu check` passes on this kernel, else lacking.
need_criu() {
    command -v criu > /dev/null || lacking "no criu binary (Debian package criu)"
    local out
    out=$(criu check 2>&1) || lacking "criu check fails on $(uname -r): $(grep -m1 'Error (' <<< "$out")"
}

# criu_counter NAME: bundle NAME counting into $T/NAME.out/count, with a seccomp filter (one
# syscall refused) so that the filter's survival can be seen in /proc/PID/status. Without
# process.noNewPrivileges where CRIU cannot restore it (before 3.19): swiftlet refuses to
# restore such a config (conformance/checks/checkpoint.sh restore_nnp_refused).
criu_counter() {
    bundle_new "$1"
    criu_restores_nnp || bundle_set '.process.noNewPrivileges = false'
    mkdir -p "$T/$1.out"
    bundle_mount /out bind "$T/$1.out" rbind rw
    bundle_set '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_X86_64"],
        syscalls: [{names: ["sethostname"], action: "SCMP_ACT_ERRNO"}]}'
    bundle_sh 'i=0; while :; do i=$((i+1)); echo $i >> /out/count; sleep 0.2; done'
}

# criu_started NAME: create (stdio on /dev/null, as a detached engine run) and start NAME.
criu_started() {
    rt create --bundle "$BUNDLE" "$ID" < /dev/null > /dev/null 2>&1 || fail "create failed"
    ctr_start || fail "start failed: $ERR"
    wait_for 20 test -s "$T/$1.out/count" || fail "the counter never wrote"
}

# last_count NAME: the last number in NAME's count file.
last_count() {
    tail -n 1 "$T/$1.out/count" 2> /dev/null
}

# count_after NAME N: the number that follows N in NAME's count file (lines are appended).
count_after() {
    awk -v n="$2" 'prev == n { print $1; exit } { prev = $1 }' "$T/$1.out/count"
}

_count_past() {
    [ "$(last_count "$1")" -gt "$2" ] 2> /dev/null
}

# confinement [ID]: what the kernel says confines each process of the container's cgroup
# (bounding set, seccomp mode and filter count; no_new_privs too where CRIU restores it), one
# line per distinct value. Restore must bring back exactly what the dump saw (swiftlet-init:
# CapBnd 0 and the container's filter; docs/security.md "PID 1 keeps no more than the
# container"). no_new_privs is left out with CRIU before 3.19, which neither dumps nor
# restores it: every restored process runs without it, runc's as well as swiftlet's (swiftlet
# warns; docs/checkpoint.md "Confinement").
confinement() {
    local pid keys='CapBnd|Seccomp|Seccomp_filters'
    criu_restores_nnp && keys+='|NoNewPrivs'
    while read -r pid; do
        awk -v k="^($keys):\$" '$1 ~ k { printf "%s%s ", $1, $2 } END { print "" }' "/proc/$pid/status" 2> /dev/null
    done < "$(cg_dir "${1:-}")/cgroup.procs" | grep . | sort -u
}

# criu_restores_nnp: CRIU 3.19 or later (no_new_privs dumped and restored).
criu_restores_nnp() {
    local v
    v=$(criu --version 2> /dev/null | awk '/^Version:/ { print $2 }')
    [ "$(printf '%s\n3.19\n' "$v" | sort -V | head -n 1)" = 3.19 ]
}

# kill_and_delete ID: the lifecycle commands on a restored container: state says running,
# kill KILL stops it, delete (without --force) removes it and its cgroup.
kill_and_delete() {
    expect_eq "$(state_field status "$1")" running "status of $1"
    expect_exit 0 rt kill "$1" KILL
    wait_status "$1" stopped 20 || fail "$1 not stopped after kill KILL"
    expect_exit 0 rt delete "$1"
    expect_exit nonzero rt state "$1"
    [ ! -d "$(cg_dir "$1")" ] || fail "cgroup $(cg_dir "$1") left after delete"
}

# A plain checkpoint dumps, kills and deletes the container; restore under the same id
# brings it back: the count goes on from where the dump stopped it, the init is in the
# container's cgroup and as confined as before, and state, kill and delete work on it.
# The bundle has a prestart and a createRuntime hook, each appending its kind and the state's
# pid to a file: restore runs both again, with the restored init's pid, as runc does at
# CRIU's setup-namespaces step (swiftlet: its RPC notification, Checkpoint/CriuSwrk.swift).
criu_dump_restore() {
    need_criu
    criu_counter c
    local h=$T/c.hooks
    bundle_set --arg h "$h" '.hooks.prestart = [{path: "/bin/sh", args: ["sh", "-c", "echo prestart $(/usr/bin/jq -r .pid) >> \($h)"]}]
        | .hooks.createRuntime = [{path: "/bin/sh", args: ["sh", "-c", "echo createRuntime $(/usr/bin/jq -r .pid) >> \($h)"]}]'
    criu_started c
    local before c2 after
    before=$(confinement)
    [ -n "$before" ] || fail "cannot read the container's processes' status"
    expect_exit 0 rt checkpoint --image-path "$T/img" --work-path "$T/w1" "$ID"
    expect_exit nonzero rt state "$ID"
    c2=$(last_count c)
    sleep 1
    expect_eq "$(last_count c)" "$c2" "the count a second after the checkpoint"
    [ ! -d "$(cg_dir)" ] || fail "cgroup $(cg_dir) left after the checkpoint"

    expect_exit 0 rt restore --detach --image-path "$T/img" --work-path "$T/w2" --bundle "$BUNDLE" "$ID"
    expect_eq "$(state_field status)" running "status after restore"
    wait_for 20 _count_past c "$c2" || fail "no count after restore (last $c2)"
    after=$(count_after c "$c2")
    expect_eq "$after" "$((c2 + 1))" "the first count after restore (dumped at $c2)"
    [ -d "$(cg_dir)" ] || fail "no cgroup $(cg_dir) after restore"
    grep -qx "$(state_field pid)" "$(cg_dir)/cgroup.procs" || fail "the restored init is not in $(cg_dir)"
    expect_eq "$(confinement)" "$before" "confinement of the restored processes"
    local pid
    pid=$(state_field pid)
    expect_eq "$(tail -n 2 "$h" | tr '\n' ' ')" "prestart $pid createRuntime $pid " "the hooks' last lines after restore (all: $(tr '\n' ' ' < "$h"))"
    expect_eq "$(wc -l < "$h")" 4 "hook runs (create's two, restore's two)"
    kill_and_delete "$ID"
}
check dump_restore criu_dump_restore

# checkpoint --leave-running writes the images and the container goes on counting; the
# images restored as a new container from a second bundle (its own id, count file and
# cgroup) count on from the dump, beside the original. Before that, a restore from a bundle
# whose createRuntime hook fails fails and leaves nothing.
# runc 1.1.5 FAILS this: its restore puts the init back into the dumped container's cgroup
# path (re-creating .../<old id>) instead of the new bundle's cgroupsPath, so the new
# container's init is not in its own cgroup.
criu_leave_running_new_id() {
    need_criu
    criu_counter c
    criu_started c
    local first=$ID before c0 c1 n1
    before=$(confinement)
    c0=$(last_count c)
    expect_exit 0 rt checkpoint --leave-running --image-path "$T/img" --work-path "$T/w1" "$ID"
    c1=$(last_count c)
    expect_eq "$(state_field status)" running "status after checkpoint --leave-running"
    wait_for 10 _count_past c "$c1" || fail "the counter stopped after checkpoint --leave-running (at $c1)"

    # A createRuntime hook that fails makes the restore fail before any process is restored,
    # and nothing is left: no state, no cgroup, no count.
    criu_counter f
    bundle_set '.hooks.createRuntime = [{path: "/bin/sh", args: ["sh", "-c", "exit 3"]}]'
    expect_exit nonzero rt restore --detach --image-path "$T/img" --work-path "$T/wf" --bundle "$BUNDLE" "$ID"
    expect_exit nonzero rt state "$ID"
    [ ! -d "$(cg_dir)" ] || fail "cgroup $(cg_dir) left after a restore whose hook failed"
    sleep 1
    [ ! -s "$T/f.out/count" ] || fail "a process counted after a restore whose hook failed: $(tr '\n' ' ' < "$T/f.out/count")"

    criu_counter n
    expect_exit 0 rt restore --detach --image-path "$T/img" --work-path "$T/w2" --bundle "$BUNDLE" "$ID"
    wait_for 20 test -s "$T/n.out/count" || fail "no count in the new container"
    # Dumped somewhere between c0 and c1 (the process went on while the runtime returned).
    n1=$(head -n 1 "$T/n.out/count")
    [ "$n1" -gt "$c0" ] && [ "$n1" -le "$((c1 + 1))" ] ||
        fail "the new container's first count is $n1, not in $((c0 + 1))..$((c1 + 1)) (dumped between $c0 and $c1)"
    grep -qx "$(state_field pid)" "$(cg_dir)/cgroup.procs" || fail "the new container's init is not in $(cg_dir)"
    expect_eq "$(confinement)" "$before" "confinement of the restored processes"
    wait_for 10 _count_past c "$(last_count c)" || fail "the original stopped counting beside the restored one"
    kill_and_delete "$ID"
    kill_and_delete "$first"
}
check leave_running_new_id criu_leave_running_new_id

# A process started by `exec` is not below the container's init (its parent, the exec
# command's child, exits and the host's init inherits it), and CRIU dumps the init's tree only:
# checkpoint names it in a warning, with its pid and name, and without --leave-running it ends
# with the container (docs/checkpoint.md "exec'd processes"). swiftlet-specific: runc dumps
# the same tree and says nothing.
criu_exec_outside_named() {
    "$RUNTIME" --version 2> /dev/null | grep -q '^swiftlet' ||
        skip "swiftlet-specific (runc checkpoints the same tree and names nothing)"
    need_criu
    criu_counter c
    criu_started c
    expect_exit 0 rt exec -d "$ID" sleep 617
    local p pid=''
    for _ in $(seq 50); do
        for p in $(cat "$(cg_dir)/cgroup.procs"); do
            [ "$(tr '\0' ' ' < "/proc/$p/cmdline" 2> /dev/null)" = "sleep 617 " ] && pid=$p
        done
        [ -n "$pid" ] && break
        sleep 0.2
    done
    [ -n "$pid" ] || fail "the exec'd sleep is not in $(cg_dir)"
    expect_exit 0 rt checkpoint --image-path "$T/img" --work-path "$T/w1" "$ID"
    grep -q "not in the checkpoint: $pid (sleep); it ends with the container" <<< "$ERR" ||
        fail "checkpoint did not name the exec'd process $pid (stderr: $ERR)"
    wait_for 20 _gone "$pid" || fail "the exec'd process $pid outlived the checkpointed container"
    expect_exit nonzero rt state "$ID"
}
_gone() {
    [ ! -d "/proc/$1" ]
}
check exec_outside_named criu_exec_outside_named

# The rootfs a restore gets is the caller's, and a mount point restore has to create (one the
# rootfs restored elsewhere lacks: podman's `restore --import`) may sit below a symlink planted
# there. restore creates mount points inside the root (RESOLVE_IN_ROOT,
# Checkpoint/RestoreMountpoints.swift), never where the symlink points on the host: here
# /mnt/x, the parent of a bind mount's destination, becomes a symlink to a host directory
# between checkpoint and restore. The host path stays absent; the restore either runs the
# container (CRIU mounting where the root says) or fails and leaves nothing.
criu_restore_mountpoint_symlink() {
    need_criu
    criu_counter c
    bundle_private_rootfs
    mkdir -p "$T/data" "$T/outside"
    bundle_mount /mnt/x/data bind "$T/data" rbind rw
    criu_started c
    expect_exit 0 rt checkpoint --image-path "$T/img" --work-path "$T/w1" "$ID"
    expect_exit nonzero rt state "$ID"
    rm -rf "$BUNDLE/rootfs/mnt/x"
    ln -s "$T/outside" "$BUNDLE/rootfs/mnt/x"
    local restored=0
    rt restore --detach --image-path "$T/img" --work-path "$T/w2" --bundle "$BUNDLE" "$ID" && restored=1
    expect_eq "$(ls -A "$T/outside")" "" "what the restore left in the host directory the symlink names"
    if [ "$restored" = 1 ]; then
        kill_and_delete "$ID"
    else
        expect_exit nonzero rt state "$ID"
        [ ! -d "$(cg_dir)" ] || fail "cgroup $(cg_dir) left after the failed restore"
    fi
}
check restore_mountpoint_symlink criu_restore_mountpoint_symlink

# pipe_ends: the pids of the helpers holding the other ends of the check's pipes, killed at
# teardown (a helper whose container is gone ends by itself; `sleep` does not).
_pipe_helpers=()
_kill_pipe_helpers() {
    local p
    for p in "${_pipe_helpers[@]}"; do kill "$p" 2> /dev/null; done
    return 0
}

# ctr_process ID: the container's process: the init's child (swiftlet-init's), or the init
# itself when it has none (runc's init execs the process).
ctr_process() {
    local init children
    init=$(state_field pid "$1") || return 1
    # runc's init execs the process (it has stdio); swiftlet-init closed its own 0-2.
    if [ -e "/proc/$init/fd/1" ]; then
        echo "$init"
        return
    fi
    children=$(cat "/proc/$init/task/$init/children" 2> /dev/null)
    echo "${children%% *}"
}

# pipe_link PID FD: what /proc/PID/fd/FD links to (pipe:[INODE] for a pipe).
pipe_link() {
    readlink "/proc/$1/fd/$2" 2> /dev/null
}

# The process's stdio as an engine gives it (conmon, containerd's shim): three pipes whose
# other ends the engine holds. checkpoint records them (descriptors.json in the image, runc's
# name and shape); restore hands its own stdio, three new pipes, to CRIU in their place
# (--inherit-fd fd[N]:pipe:[INODE]): the restored process writes on into the new pipes (the
# next number after the last one the old pipe carried) and reads from the new stdin pipe.
criu_pipe_stdio() {
    need_criu
    criu_counter p
    bundle_sh 'i=0; while :; do i=$((i+1)); echo $i >> /out/count; echo o$i; echo e$i >&2; sleep 0.2; done'
    defer _kill_pipe_helpers
    local si so se sl1 sl2 o1 e1 in1 last_o last_e proc
    exec {si}< <(exec sleep 600)
    sl1=$!
    exec {so}> >(exec cat > "$T/o1")
    exec {se}> >(exec cat > "$T/e1")
    _pipe_helpers+=("$sl1")
    rt create --bundle "$BUNDLE" "$ID" <&$si >&$so 2>&$se || { exec {si}<&- {so}>&- {se}>&-; fail "create failed"; }
    in1=$(pipe_link "$sl1" 1)
    o1=$(pipe_link "$BASHPID" "$so")
    e1=$(pipe_link "$BASHPID" "$se")
    exec {si}<&- {so}>&- {se}>&-
    ctr_start || fail "start failed: $ERR"
    wait_for 20 test -s "$T/p.out/count" || fail "the counter never wrote"
    proc=$(ctr_process "$ID")
    expect_eq "$(pipe_link "$proc" 0) $(pipe_link "$proc" 1) $(pipe_link "$proc" 2)" "$in1 $o1 $e1" "the process's stdio"

    expect_exit 0 rt checkpoint --image-path "$T/img" --work-path "$T/w1" "$ID"
    expect_eq "$(jq -c . "$T/img/descriptors.json" 2> /dev/null)" "[\"$in1\",\"$o1\",\"$e1\"]" "descriptors.json"
    # The old pipes' writers are gone: their readers end, with everything written.
    wait_for 10 _no_writer "$T/o1" || true
    last_o=$(tail -n 1 "$T/o1")
    last_e=$(tail -n 1 "$T/e1")
    [ -n "$last_o" ] && [ -n "$last_e" ] || fail "nothing came through the stdout/stderr pipes before the checkpoint"

    local si2 so2 se2
    exec {si2}< <(exec sleep 600)
    sl2=$!
    _pipe_helpers+=("$sl2")
    exec {so2}> >(exec cat > "$T/o2")
    exec {se2}> >(exec cat > "$T/e2")
    local in2 o2 e2
    in2=$(pipe_link "$sl2" 1)
    o2=$(pipe_link "$BASHPID" "$so2")
    e2=$(pipe_link "$BASHPID" "$se2")
    rt restore --detach --image-path "$T/img" --work-path "$T/w2" --bundle "$BUNDLE" "$ID" <&$si2 >&$so2 2>&$se2
    RC=$?
    exec {si2}<&- {so2}>&- {se2}>&-
    expect_eq "$RC" 0 "restore's exit status (log: $(tail -n 3 "$T/w2/restore.log" 2> /dev/null | tr '\n' ' '))"
    proc=$(ctr_process "$ID")
    expect_eq "$(pipe_link "$proc" 0) $(pipe_link "$proc" 1) $(pipe_link "$proc" 2)" "$in2 $o2 $e2" \
        "the restored process's stdio (restore's pipes)"
    wait_for 20 grep -qx "o$((${last_o#o} + 1))" "$T/o2" || fail "no o$((${last_o#o} + 1)) in the new stdout pipe: $(head -c 200 "$T/o2" | tr '\n' ' ')"
    wait_for 10 grep -qx "e$((${last_e#e} + 1))" "$T/e2" || fail "no e$((${last_e#e} + 1)) in the new stderr pipe: $(head -c 200 "$T/e2" | tr '\n' ' ')"
    kill_and_delete "$ID"
}

# _no_writer FILE: the cat writing FILE has ended (no process has it open for writing).
_no_writer() {
    ! fuser "$1" > /dev/null 2>&1
}
check pipe_stdio criu_pipe_stdio

# A terminal container (process.terminal, podman run -t): its stdio is the slave of a pty on
# the container's own devpts (newinstance), whose master the engine got over --console-socket
# and holds outside the tree. checkpoint dumps the slave with its master outside (CRIU's RPC
# option orphan_pts_master); restore has CRIU make a new pty pair in the restored devpts and
# hand the master back (its orphan-pts-master notification), which restore sends to its own
# --console-socket as create does. The shell reads the tty and answers each line; a counter
# beside it prints c<N> to the tty and N into the count file: after the restore, a line written
# into the new master is answered through it, the count goes on through it, and the restored
# process's fd 0 is /dev/pts/N of the container's devpts (not the host's).
criu_terminal() {
    need_criu
    local t0=${EPOCHREALTIME/./} t1
    criu_counter t
    bundle_set '.process.terminal = true'
    bundle_sh '(i=0; while :; do i=$((i+1)); echo $i >> /out/count; echo c$i; sleep 0.2; done) &
        while read -r line; do echo "got:$line"; done'
    local s1=$T/c1.sock s2=$T/c2.sock r1 r2 c1 proc
    # The receivers get 30 s to listen: python3 starting over 9p in the emulated guest, beside
    # the other runtime's batch, took more than 5 s (a run of both runtimes).
    CONSOLE_TIMEOUT=200 python3 "$CONF_DIR/lib/console_receiver.py" "$s1" "$T/tty1" > "$T/r1.log" 2>&1 &
    r1=$!
    defer "kill $r1 2> /dev/null; true"
    wait_for 30 test -S "$s1" || fail "the console receiver did not start: $(cat "$T/r1.log")"
    rt create --console-socket "$s1" --bundle "$BUNDLE" "$ID" < /dev/null > /dev/null 2> "$T/create.err" ||
        fail "create failed: $(cat "$T/create.err")"
    ctr_start || fail "start failed: $ERR"
    wait_for 20 test -s "$T/t.out/count" || fail "the counter never wrote"
    wait_for 10 _tty_has "$T/tty1" c2 || fail "nothing on the first console: $(head -c 200 "$T/tty1")"
    _tty_is_the_containers "$(ctr_process "$ID")" before

    t1=${EPOCHREALTIME/./}
    expect_exit 0 rt checkpoint --image-path "$T/img" --work-path "$T/w1" "$ID"
    _vm_time terminal_checkpoint "$t1"
    expect_exit nonzero rt state "$ID"
    # The processes are gone with the checkpoint: the first console reaches EOF.
    wait_bg "$r1" 10 || fail "the first console did not reach EOF after the checkpoint"
    c1=$(last_count t)

    CONSOLE_TIMEOUT=200 CONSOLE_INPUT_AFTER=$T/restored python3 "$CONF_DIR/lib/console_receiver.py" "$s2" "$T/tty2" \
        $'hello-from-the-new-master\n' > "$T/r2.log" 2>&1 &
    r2=$!
    defer "kill $r2 2> /dev/null; true"
    wait_for 30 test -S "$s2" || fail "the second console receiver did not start: $(cat "$T/r2.log")"
    t1=${EPOCHREALTIME/./}
    rt restore --detach --console-socket "$s2" --image-path "$T/img" --work-path "$T/w2" --bundle "$BUNDLE" "$ID" \
        < /dev/null > /dev/null 2> "$T/restore.err"
    RC=$?
    _vm_time terminal_restore "$t1"
    expect_eq "$RC" 0 "restore's exit status ($(tr '\n' ' ' < "$T/restore.err"); log: $(grep -m1 'Error (' "$T/w2/restore.log" 2> /dev/null))"
    # A master came over the socket. Its payload (the name beside the descriptor) is not
    # checked: swiftlet sends `/dev/ptmx` as at create, runc 1.1.5 `orphan-pts-master`; conmon
    # and runc's recvtty ignore it.
    [ -s "$T/tty2.received" ] || fail "no pty master came over the restore's console socket: $(cat "$T/r2.log")"
    touch "$T/restored"
    wait_for 20 _count_past t "$c1" || fail "no count after restore (last $c1)"
    expect_eq "$(count_after t "$c1")" "$((c1 + 1))" "the first count after restore (dumped at $c1)"
    wait_for 20 _tty_has "$T/tty2" "c$((c1 + 2))" || fail "no c$((c1 + 2)) on the new console: $(head -c 300 "$T/tty2" | tr '\r\n' '  ')"
    wait_for 20 _tty_has "$T/tty2" got:hello-from-the-new-master ||
        fail "no answer to the line written into the new master: $(head -c 300 "$T/tty2" | tr '\r\n' '  ')"
    ! _tty_has "$T/tty2" c1 || fail "the counter started over on the new console"
    proc=$(ctr_process "$ID")
    _tty_is_the_containers "$proc" after
    kill_and_delete "$ID"
    wait_bg "$r2" 10 || fail "the new console did not reach EOF after kill and delete"
    _vm_time terminal_check "$t0"
}

# _vm_time NAME T0: logs the milliseconds since T0 (an EPOCHREALTIME without its dot), and in
# the VM batch appends them to the tallies (batch.sh: VM_TIMES).
_vm_time() {
    local ms=$(((${EPOCHREALTIME/./} - $2) / 1000))
    echo "# time $1: $ms ms"
    [ -n "${VM_TIMES:-}" ] && echo "$1 $ms ms" >> "$VM_TIMES"
    return 0
}

# _tty_has FILE LINE: what a console receiver wrote has LINE (the pty's CRs removed).
_tty_has() {
    tr -d '\r' < "$1" 2> /dev/null | grep -qxF -- "$2"
}

# _tty_is_the_containers PID WHEN: PID's fds 0-2 are one /dev/pts/N on the devpts mounted in
# its own root (the container's /dev/pts), not the host's.
_tty_is_the_containers() {
    local fd0 dev pts host
    fd0=$(readlink "/proc/$1/fd/0")
    expect_match "$fd0" '^/dev/pts/[0-9]+$' "the process's fd 0 $2 the checkpoint"
    expect_eq "$(readlink "/proc/$1/fd/1") $(readlink "/proc/$1/fd/2")" "$fd0 $fd0" "the process's fds 1 and 2 $2 the checkpoint"
    dev=$(stat -L -c %d "/proc/$1/fd/0")
    pts=$(stat -c %d "/proc/$1/root/dev/pts")
    host=$(stat -c %d /dev/pts)
    expect_eq "$dev" "$pts" "the device of fd 0 (the tty's devpts) and the container's /dev/pts $2 the checkpoint"
    [ "$dev" != "$host" ] || fail "the process's tty $2 the checkpoint is on the host's devpts"
}
check terminal criu_terminal

# podman (podman container checkpoint / restore) over the runtime under test: `--runtime
# RUNTIME`, its own storage and state in the check's directory (vfs on the guest's tmpfs),
# cgroupfs (the guest has no systemd), no network, an image imported from the conformance
# rootfs. conmon gives the container pipes as stdio, and the runtime must hand conmon's new
# pipes to CRIU at restore (criu/pipe_stdio). The container counts into a bind mount and on
# its stdout (podman logs).
need_podman() {
    command -v podman > /dev/null || lacking "no podman"
    command -v conmon > /dev/null || [ -x /usr/libexec/podman/conmon ] || lacking "no conmon"
}

# podman_setup: PODMAN (the command as an array) with the check's own storage, and the image
# localhost/criu-bb imported from the conformance rootfs; teardown removes every container.
podman_setup() {
    local d=$T/pm runroot
    mkdir -p "$d/out" "$d/tmp"
    # podman refuses a runroot longer than 50 characters: a short one of its own.
    runroot=$(mktemp -d /tmp/swlpm.XXXXXX) || fail "mktemp failed"
    defer "rm -rf '$runroot'"
    # File locks in the check's --tmpdir: podman's default shared-memory locks live in one
    # /dev/shm/libpod_lock for every podman on the machine, and the two runtimes' batches run
    # side by side ("failed to open 2048 locks in /libpod_lock").
    printf '[engine]\nlock_type = "file"\n' > "$d/containers.conf"
    PODMAN=(env CONTAINERS_CONF="$d/containers.conf" podman --root "$d/root" --runroot "$runroot" --tmpdir "$d/tmp"
        --storage-driver vfs --cgroup-manager cgroupfs --events-backend none --runtime "$RUNTIME")
    defer '"${PODMAN[@]}" rm -f -t 0 -a > /dev/null 2>&1; true'
    tar -C "$ROOTFS" -cf "$d/bb.tar" . || fail "cannot tar $ROOTFS"
    timed podman_import "${PODMAN[@]}" import -q "$d/bb.tar" localhost/criu-bb > /dev/null ||
        fail "podman import failed"
}

# timed NAME CMD...: runs CMD, logs how long it took (the check's log: measurements).
timed() {
    local name=$1 t0=${EPOCHREALTIME/./} rc
    shift
    "$@"
    rc=$?
    echo "# time $name: $(((${EPOCHREALTIME/./} - t0) / 1000)) ms (exit $rc)"
    # In the VM batch the times go into the tallies too (batch.sh: VM_TIMES).
    [ -n "${VM_TIMES:-}" ] && echo "$name $(((${EPOCHREALTIME/./} - t0) / 1000)) ms (exit $rc)" >> "$VM_TIMES"
    return "$rc"
}

# podman_count: the last number the podman container wrote into its count file.
podman_count() {
    tail -n 1 "$T/pm/out/count" 2> /dev/null
}
_podman_count_past() {
    [ "$(podman_count)" -gt "$1" ] 2> /dev/null
}

# podman container checkpoint stops the container with its images in podman's storage;
# podman container restore brings it back under conmon: the count goes on from the dumped
# number plus one, on the bind mount and through conmon's new stdout pipe (podman logs).
criu_podman_checkpoint_restore() {
    need_criu
    need_podman
    podman_setup
    timed podman_run "${PODMAN[@]}" run -d --name pc --network none --ulimit nofile=1024:1024 \
        -e "SWIFTLET_CONFORMANCE=$MARK" -v "$T/pm/out:/out" localhost/criu-bb \
        sh -c 'i=0; while :; do i=$((i+1)); echo $i >> /out/count; echo out$i; sleep 0.2; done' > /dev/null ||
        fail "podman run failed"
    wait_for 30 test -s "$T/pm/out/count" || fail "the podman container never counted"
    timed podman_checkpoint "${PODMAN[@]}" container checkpoint pc > "$T/pm.err" 2>&1 ||
        fail "podman container checkpoint failed: $(tail -n 3 "$T/pm.err" | tr '\n' ' ')"
    local c1 status
    c1=$(podman_count)
    status=$("${PODMAN[@]}" inspect -f '{{.State.Status}}' pc 2> /dev/null)
    expect_eq "$status" exited "podman's status after checkpoint"
    timed podman_restore "${PODMAN[@]}" container restore pc > "$T/pm.err" 2>&1 ||
        fail "podman container restore failed: $(tail -n 3 "$T/pm.err" | tr '\n' ' ')"
    expect_eq "$("${PODMAN[@]}" inspect -f '{{.State.Status}}' pc 2> /dev/null)" running "podman's status after restore"
    wait_for 30 _podman_count_past "$c1" || fail "no count after restore (last $c1)"
    expect_eq "$(awk -v n="$c1" 'prev == n { print $1; exit } { prev = $1 }' "$T/pm/out/count")" "$((c1 + 1))" \
        "the first count after restore (dumped at $c1)"
    # stdout reaches conmon through the pipe restore handed over: a line after the dump.
    wait_for 20 _podman_logs_has "out$((c1 + 2))" || fail "no out$((c1 + 2)) in podman logs after restore"
    timed podman_rm "${PODMAN[@]}" rm -f -t 0 pc > /dev/null || fail "podman rm failed"
}

_podman_logs_has() {
    "${PODMAN[@]}" logs pc 2> /dev/null | grep -qx "$1"
}
check podman_checkpoint_restore criu_podman_checkpoint_restore

# podman container checkpoint --leave-running --export writes the images into one archive and
# the container counts on; podman container restore --import makes a new container (its own
# name, id and conmon) from it, which counts on from the dump beside the original. Counting
# on stdout only (podman logs): both would share a bind mount.
criu_podman_export_import() {
    need_criu
    need_podman
    podman_setup
    timed podman_run "${PODMAN[@]}" run -d --name pe --network none --ulimit nofile=1024:1024 \
        -e "SWIFTLET_CONFORMANCE=$MARK" localhost/criu-bb \
        sh -c 'echo start; i=0; while :; do i=$((i+1)); echo $i; sleep 0.2; done' > /dev/null || fail "podman run failed"
    wait_for 30 _podman_past pe 0 || fail "the podman container never counted"
    local c0 c1
    c0=$(_podman_last pe)
    timed podman_checkpoint_export "${PODMAN[@]}" container checkpoint --leave-running --export "$T/pm/pe.tar.gz" pe \
        > "$T/pm.err" 2>&1 || fail "podman container checkpoint --leave-running --export failed: $(tail -n 3 "$T/pm.err" | tr '\n' ' ')"
    c1=$(_podman_last pe)
    expect_eq "$("${PODMAN[@]}" inspect -f '{{.State.Status}}' pe 2> /dev/null)" running "podman's status after --leave-running"
    wait_for 20 _podman_past pe "$c1" || fail "the original stopped counting after --leave-running (at $c1)"
    timed podman_restore_import "${PODMAN[@]}" container restore --import "$T/pm/pe.tar.gz" --name pe2 > "$T/pm.err" 2>&1 ||
        fail "podman container restore --import failed: $(tail -n 3 "$T/pm.err" | tr '\n' ' ')"
    expect_eq "$("${PODMAN[@]}" inspect -f '{{.State.Status}}' pe2 2> /dev/null)" running "the imported container's status"
    # podman exports the log with the images: pe2's log may begin with the original's lines
    # (from `start` up to the export), then the restored process goes on from the dump.
    wait_for 30 _imported_log_ok "$c0" "$c1" ||
        fail "the imported container's log does not go on from the dump (between $c0 and $c1): $("${PODMAN[@]}" logs pe2 2>&1 | tr '\n' ' ' | cut -c1-300)"
    wait_for 20 _podman_past pe "$(_podman_last pe)" || fail "the original stopped counting beside the imported one"
    timed podman_rm "${PODMAN[@]}" rm -f -t 0 pe pe2 > /dev/null || fail "podman rm failed"
}

# _imported_log_ok C0 C1: pe2's log has at most one `start` (first), the restored process
# never started over, and it goes on from a number dumped between C0 and C1 (one jump back at
# most, where the imported log ends after the dump) past C1 + 1.
_imported_log_ok() {
    "${PODMAN[@]}" logs pe2 2> /dev/null | awk -v lo="$1" -v hi="$2" '
        $1 == "start" { starts++; if (NR > 1) bad = 1; next }
        n == 0 && starts == 0 && ($1 <= lo || $1 > hi + 1) { bad = 1 }
        n > 0 && $1 != prev + 1 { jumps++; if ($1 <= lo || $1 > hi + 1) bad = 1 }
        { prev = $1; n++ }
        END { exit (bad || jumps > 1 || starts > 1 || n == 0 || prev <= hi + 1) }'
}

# _podman_last NAME: the last line NAME wrote on stdout (podman logs); status 1 if none.
_podman_last() {
    local last
    last=$("${PODMAN[@]}" logs "$1" 2> /dev/null | tail -n 1)
    [ -n "$last" ] && echo "$last"
}
_podman_past() {
    [ "$(_podman_last "$1")" -gt "$2" ] 2> /dev/null
}
# Opt-in (VM_CRIU_PODMAN_EXPORT=1 conformance/vm/run -k criu/podman_export): one more dump and
# restore per runtime, ~75 s emulated, which the batch's time budget leaves out (README.md).
if [ "${VM_CRIU_PODMAN_EXPORT:-0}" = 1 ]; then
    check podman_export_import criu_podman_export_import
fi
