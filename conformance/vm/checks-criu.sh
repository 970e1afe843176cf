# checkpoint/restore with CRIU (runc CLI runc-checkpoint(8), runc-restore(8); not runtime-spec),
# in the VM, whose Debian 6.1 kernel the installed criu 3.17 supports (the build hosts' newer
# kernel fails `criu check`: conformance/checks/checkpoint.sh covers that refusal).
# docs/checkpoint.md.
#
# PENDING: not in conformance/vm/ (where batch.sh would pick it up) because swiftlet fails its
# first dump (the process's stdio outside the container, docs/checkpoint.md "Not done"); run it
# with `ln -s pending/checks-criu.sh conformance/vm/checks-criu.sh` and `conformance/vm/run -k
# criu/`. runc 1.1.5 FAILS it at step 4: its restore into a new id puts the init back into the
# dumped container's cgroup path instead of the new bundle's cgroupsPath.
#
# One check, because every dump and restore costs 10-40 s emulated: a counter that appends to
# a file on a bind mount is dumped with --leave-running (it goes on), dumped for good (the
# container is gone), restored under its id (the count goes on from where the dump stopped it)
# and the first image restored as a new container with a second bundle (its own count file and
# cgroup) (the count goes on from the first dump). The bundle carries what makes a swiftlet
# container hard for CRIU: swiftlet-init as PID 1 from a sealed memfd, masked paths (null
# device binds: external mounts), read-only paths, a read-only root, a bind mount, cgroup v2.

. "$CONF_DIR/vm/lib-vm.sh"

# need_criu: a criu binary whose `criu check` passes on this kernel, else lacking.
need_criu() {
    command -v criu > /dev/null || lacking "no criu binary (Debian package criu)"
    local out
    out=$(criu check 2>&1) || lacking "criu check fails on $(uname -r): $(grep -m1 'Error (' <<< "$out")"
}

# criu_counter NAME: bundle NAME counting into $T/NAME.out/count, stdio /dev/null (CRIU dumps
# no file of the runner's: a pipe or /dev/null only, as runc's own tests do).
criu_counter() {
    bundle_new "$1"
    mkdir -p "$T/$1.out"
    bundle_mount /out bind "$T/$1.out" rbind rw
    bundle_sh 'i=0; while :; do i=$((i+1)); echo $i >> /out/count; sleep 0.2; done'
}

# last_count NAME: the last number in NAME's count file.
last_count() {
    tail -n 1 "$T/$1.out/count" 2> /dev/null
}

# count_after NAME N: the count file of NAME has N+1 right after N (lines are appended).
count_after() {
    awk -v n="$2" 'prev == n { print $1; exit } { prev = $1 }' "$T/$1.out/count"
}

criu_checkpoint_restore() {
    need_criu
    criu_counter c
    rt create --bundle "$BUNDLE" "$ID" < /dev/null > /dev/null 2>&1 || fail "create failed"
    ctr_start || fail "start failed: $ERR"
    wait_for 20 test -s "$T/c.out/count" || fail "the counter never wrote"
    local first=$ID c0 c1 c2 after n1

    # 1. --leave-running: the images are written, the container goes on counting.
    c0=$(last_count c)
    expect_exit 0 rt checkpoint --leave-running --image-path "$T/img1" --work-path "$T/w1" "$ID"
    c1=$(last_count c)
    expect_eq "$(state_field status)" running "status after checkpoint --leave-running"
    wait_for 10 _count_past c "$c1" || fail "the counter stopped after checkpoint --leave-running (at $c1)"

    # 2. A plain checkpoint: dumped, killed, deleted.
    expect_exit 0 rt checkpoint --image-path "$T/img2" --work-path "$T/w2" "$ID"
    expect_exit nonzero rt state "$ID"
    c2=$(last_count c)
    sleep 1
    expect_eq "$(last_count c)" "$c2" "the count a second after the checkpoint"

    # 3. restore under the same id: the process goes on from its dumped count.
    expect_exit 0 rt restore --detach --image-path "$T/img2" --work-path "$T/w3" --bundle "$BUNDLE" "$ID"
    expect_eq "$(state_field status)" running "status after restore"
    wait_for 20 _count_past c "$c2" || fail "no count after restore (last $c2)"
    after=$(count_after c "$c2")
    expect_eq "$after" "$((c2 + 1))" "the first count after restore (dumped at $c2)"
    [ -d "$(cg_dir)" ] || fail "no cgroup $(cg_dir) after restore"
    grep -qx "$(state_field pid)" "$(cg_dir)/cgroup.procs" || fail "the restored init is not in $(cg_dir)"

    # 4. The first image as a new container (its own bundle: count file and cgroup).
    criu_counter n
    expect_exit 0 rt restore --detach --image-path "$T/img1" --work-path "$T/w4" --bundle "$BUNDLE" "$ID"
    wait_for 20 test -s "$T/n.out/count" || fail "no count in the new container"
    # Dumped somewhere between c0 and c1 (the process went on while the runtime returned).
    n1=$(head -n 1 "$T/n.out/count")
    [ "$n1" -gt "$c0" ] && [ "$n1" -le "$((c1 + 1))" ] ||
        fail "the new container's first count is $n1, not in $((c0 + 1))..$((c1 + 1)) (dumped between $c0 and $c1)"
    grep -qx "$(state_field pid)" "$(cg_dir)/cgroup.procs" || fail "the new container's init is not in $(cg_dir)"

    expect_exit 0 rt delete --force "$ID"
    expect_exit 0 rt delete --force "$first"
}
check checkpoint_restore criu_checkpoint_restore

_count_past() {
    [ "$(last_count "$1")" -gt "$2" ] 2> /dev/null
}
