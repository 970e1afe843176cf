# runtime.md "Errors", "Create" ("If the runtime cannot apply a property as specified in
# the configuration, it MUST generate an error and a new container MUST NOT be
# created"), and the MUST-error rules of config.md and config-linux.md. Each bad input
# must make the operation exit non-zero with a message on stderr and leave nothing
# behind.

# _state_snapshot: the entries under the state root, to compare before and after.
_state_snapshot() {
    (cd "$STATE" && find . -mindepth 1 | sort)
}

# _create_must_fail WHAT: create the current bundle; it must fail with a message and
# leave no trace.
_create_must_fail() {
    local before
    before=$(_state_snapshot)
    ctr_create
    expect_rc nonzero "create with $1"
    expect_match "$(cat "$T/$ID.err")" '[^[:space:]]' "error message on stderr for $1"
    expect_eq "$(_state_snapshot)" "$before" "state root after the failed create"
    expect_nothing_left
}

errors_invalid_json() {
    bundle_new
    printf '{"ociVersion": "1.3.0", "process": ' > "$CONFIG"
    _create_must_fail "a truncated config.json"
}
check invalid_json errors_invalid_json

errors_wrong_type() {
    bundle_new
    bundle_set '.process.args = "sh"'
    _create_must_fail "process.args as a string"
}
check wrong_type errors_wrong_type

errors_missing_config() {
    bundle_new
    rm -f "$CONFIG"
    _create_must_fail "no config.json in the bundle"
}
check missing_config errors_missing_config

# config.md#root: "A directory MUST exist at the path declared by the field."
errors_missing_rootfs() {
    bundle_new
    bundle_set --arg p "$T/no-such-rootfs" '.root.path = $p'
    _create_must_fail "a root.path that does not exist"
}
check missing_rootfs errors_missing_rootfs

# config-linux.md#namespaces: only the listed types exist.
errors_unknown_namespace() {
    bundle_new
    bundle_set '.linux.namespaces += [{type: "bogus"}]'
    _create_must_fail "namespace type bogus"
}
check unknown_namespace errors_unknown_namespace

# config-linux.md#namespaces: "If a namespaces field contains duplicated namespaces with
# same type, the runtime MUST generate an error."
errors_duplicate_namespace() {
    bundle_new
    bundle_set '.linux.namespaces += [{type: "network"}]'
    _create_must_fail "two network namespace entries"
}
check duplicate_namespace errors_duplicate_namespace

# config-linux.md#namespaces: a path that does not exist cannot be joined.
errors_missing_namespace_path() {
    bundle_new
    bundle_ns_add network /proc/self/ns/no-such-namespace
    _create_must_fail "a namespace path that does not exist"
}
check missing_namespace_path errors_missing_namespace_path

# config.md#posix-process: "The runtime MUST generate an error for any values which
# cannot be mapped to a relevant kernel interface."
errors_unknown_rlimit() {
    bundle_new
    bundle_set '.process.rlimits += [{type: "RLIMIT_BOGUS", soft: 1, hard: 1}]'
    _create_must_fail "rlimit RLIMIT_BOGUS"
}
check unknown_rlimit errors_unknown_rlimit

# config.md#posix-process: "If rlimits contains duplicated entries with same type, the
# runtime MUST generate an error."
# runc 1.1.5 FAILS this: it applies duplicated rlimits one after the other (the last
# wins) without complaint.
errors_duplicate_rlimit() {
    bundle_new
    # Decreasing values, so that applying both in turn would succeed: only a check for
    # duplicates refuses this.
    bundle_set '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 200, hard: 200},
                                    {type: "RLIMIT_NOFILE", soft: 100, hard: 100}]'
    _create_must_fail "two RLIMIT_NOFILE entries"
}
check duplicate_rlimit errors_duplicate_rlimit

# config.md#process: "at least one entry is REQUIRED" in args.
errors_empty_args() {
    bundle_new
    bundle_set '.process.args = []'
    _create_must_fail "empty process.args"
}
check empty_args errors_empty_args

# runtime.md#create: a mount that cannot be applied fails create and leaves no mount,
# cgroup or process behind.
errors_bad_mount() {
    bundle_new
    bundle_mount /mnt/bad tmpfs tmpfs size=not-a-size
    _create_must_fail "a tmpfs with an invalid size"
}
check bad_mount errors_bad_mount

errors_bad_bind_source() {
    bundle_new
    bundle_mount /mnt/bad-bind bind "$T/no-such-source" rbind
    _create_must_fail "a bind mount of a missing source"
}
check bad_bind_source errors_bad_bind_source

# runtime.md#create: an id that "is not valid in any other way" is an error. Ids with a
# slash, or that climb out of the state root, are refused and create nothing, neither
# under --root nor next to it.
errors_invalid_id() {
    bundle_new
    local before bad
    before=$(_state_snapshot)
    for bad in a/b ../escape ..; do
        rt create --bundle "$BUNDLE" "$bad" < /dev/null > "$T/bad.out" 2> "$T/bad.err"
        RC=$?
        expect_rc nonzero "create with id '$bad'"
        expect_match "$(cat "$T/bad.err")" '[^[:space:]]' "error message for id '$bad'"
        # (No delete --force "..": a runtime that accepts that id might remove the
        # state root's parent. The teardown finds any container by cgroup and marker.)
        [ "$bad" = .. ] || rt delete --force "$bad" > /dev/null 2>&1 < /dev/null
    done
    expect_eq "$(_state_snapshot)" "$before" "state root after invalid ids"
    [ ! -e "$WORK/escape" ] || fail "id ../escape created $WORK/escape"
    [ ! -e "$STATE/a" ] || fail "id a/b created $STATE/a"
    expect_exit 0 rt list -q
    expect_eq "$OUT" "" "list after invalid ids"
}
check invalid_id errors_invalid_id

# runtime.md#create: the id is required; an empty one is refused.
errors_empty_id() {
    bundle_new
    rt create --bundle "$BUNDLE" "" < /dev/null > "$T/bad.out" 2> "$T/bad.err"
    RC=$?
    expect_rc nonzero "create with an empty id"
    expect_exit 0 rt list -q
    expect_eq "$OUT" "" "list after an empty id"
}
check empty_id errors_empty_id

# runtime.md#start, #kill, #delete, #query-state: operations on a container that does
# not exist are errors, with a message.
errors_unknown_container() {
    bundle_new
    local op
    for op in start state delete "kill"; do
        if [ "$op" = kill ]; then
            expect_exit nonzero rt kill "$ID-nope" TERM
        else
            expect_exit nonzero rt "$op" "$ID-nope"
        fi
        expect_match "$ERR" '[^[:space:]]' "error message of $op on an unknown id"
    done
}
check unknown_container errors_unknown_container

# kill with a signal that does not exist is an error and the container is untouched.
errors_bad_signal() {
    bundle_new
    bundle_args sleep 30
    ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    expect_exit nonzero rt kill "$ID" SIGBOGUS
    expect_exit nonzero rt kill "$ID" 999
    expect_eq "$(state_field status)" created "status after kill with bad signals"
}
check bad_signal errors_bad_signal

# runtime.md#start: "This operation MUST generate an error if process was not set."
# Create may refuse the config already; either way no program runs.
errors_no_process() {
    bundle_new
    bundle_set 'del(.process)'
    ctr_create
    if [ "$RC" -eq 0 ]; then
        ctr_start
        expect_rc nonzero "start of a container without process"
    else
        expect_nothing_left
    fi
}
check no_process errors_no_process

# --log-format json, which engines parse (containerd's shim, conmon): the error line of a
# failed create names the config.json field and the errno, besides msg, so a tool can point
# at the field without parsing the message.
# runc 1.1.5 FAILS this: its error lines carry only level, msg and time.
errors_json_log_field() {
    bundle_new
    bundle_set --arg s "$T/no-such-source" '.mounts += [{destination: "/mnt/jsonlog", type: "bind", source: $s, options: ["bind"]}]'
    local n line
    n=$(jq '.mounts | length - 1' "$CONFIG")
    rt --log "$T/runtime.log" --log-format json create --bundle "$BUNDLE" "$ID" < /dev/null > "$T/$ID.out" 2> "$T/$ID.err"
    RC=$?
    expect_rc nonzero "create with a missing bind source"
    line=$(grep '"level":"error"' "$T/runtime.log" 2> /dev/null | tail -n 1)
    echo "# log line: $line"
    expect_eq "$(jq -r '.field // empty' <<< "$line" 2> /dev/null)" "mounts[$n]" "the JSON error line's field"
    expect_eq "$(jq -r '.errno // empty' <<< "$line" 2> /dev/null)" 2 "the JSON error line's errno (ENOENT)"
    expect_nothing_left
}
check json_log_field errors_json_log_field
