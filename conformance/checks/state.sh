# runtime.md "State" and "Query State": the fields of the state JSON, and what they
# say about the container as seen from the host.

# runtime.md#state: ociVersion, id, status, pid, bundle (absolute), annotations.
state_fields() {
    bundle_new
    bundle_args sleep 30
    bundle_set '.annotations = {"org.swiftlet.conformance/key": "value", "second": "two words"}'
    ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    local json
    json=$(state_json) || fail "state failed"
    echo "$json"
    jq -e 'type == "object"' <<< "$json" > /dev/null || fail "state is not a JSON object: $json"
    expect_match "$(jq -r '.ociVersion | strings' <<< "$json")" '^[0-9]+\.[0-9]+\.[0-9]+' "ociVersion (SemVer string)"
    expect_eq "$(jq -r '.id | strings' <<< "$json")" "$ID" "id"
    expect_eq "$(jq -r '.status | strings' <<< "$json")" created "status"
    expect_match "$(jq -r '.pid | numbers' <<< "$json")" '^[1-9][0-9]*$' "pid (a positive number)"
    expect_eq "$(jq -r '.bundle | strings' <<< "$json")" "$BUNDLE" "bundle (the absolute bundle path)"
    expect_eq "$(jq -cS '.annotations' <<< "$json")" \
        '{"org.swiftlet.conformance/key":"value","second":"two words"}' "annotations"
}
check fields state_fields

# runtime.md#state: bundle is absolute even when create was given a relative path.
state_bundle_absolute() {
    bundle_new
    bundle_args sleep 30
    (cd "$T" && rt create --bundle "./c" "$ID" < /dev/null > "$T/$ID.out" 2> "$T/$ID.err") ||
        fail "create with a relative bundle path failed: $(cat "$T/$ID.err")"
    expect_eq "$(state_field bundle)" "$BUNDLE" "bundle"
}
check bundle_absolute state_bundle_absolute

# runtime.md#state: without annotations the field is absent or an empty map.
state_no_annotations() {
    bundle_new
    bundle_args sleep 30
    bundle_set 'del(.annotations)'
    ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    local a
    a=$(state_field 'annotations // {} | length') || fail "state failed"
    expect_eq "$a" 0 "number of annotations"
}
check no_annotations state_no_annotations

# runtime.md#state: pid is the container process as seen by the runtime: it exists in
# the host's /proc and lives in the container's namespaces, not the host's.
state_pid_is_container_process() {
    bundle_new
    bundle_args sleep 30
    ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    ctr_start || fail "start failed: $ERR"
    wait_status "$ID" running || fail "container is not running"
    local pid ns
    pid=$(state_field pid)
    [ -d "/proc/$pid" ] || fail "pid $pid is not in the host's /proc"
    for ns in pid net ipc uts mnt; do
        expect_ne "$(readlink "/proc/$pid/ns/$ns")" "$(host_ns "$ns")" "$ns namespace of pid $pid"
    done
    # Its cgroup is cgroupsPath (config-linux.md#cgroups-path).
    expect_contains "$(cat "/proc/$pid/cgroup")" "/swiftlet-conformance/$ID" "/proc/$pid/cgroup"
    # The program runs as that process or below it (a runtime may keep its own init as
    # the container process and run the program as its child).
    local p found=''
    for p in "$pid" $(_descendants "$pid"); do
        [[ "$(tr '\0' ' ' < "/proc/$p/cmdline" 2> /dev/null)" == "sleep 30 " ]] && found=$p
    done
    [ -n "$found" ] || fail "no process running 'sleep 30' at or below the state pid $pid"
}
check pid_is_container_process state_pid_is_container_process

# runtime.md#state: a stopped container still has a state, with status "stopped".
state_stopped() {
    bundle_new
    bundle_args true
    ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    ctr_start || fail "start failed: $ERR"
    wait_status "$ID" stopped || fail "container did not stop"
    local json
    json=$(state_json) || fail "state of a stopped container failed"
    expect_eq "$(jq -r .id <<< "$json")" "$ID" "id of a stopped container"
    expect_eq "$(jq -r .bundle <<< "$json")" "$BUNDLE" "bundle of a stopped container"
}
check stopped state_stopped

# runtime.md#create: "Any changes made to the config.json file after this operation will
# not have an effect on the container."
state_config_changes_ignored() {
    bundle_new
    bundle_sh 'echo original'
    bundle_set '.annotations = {"a": "1"}'
    ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    bundle_sh 'echo changed'
    bundle_set '.annotations = {"a": "2"}'
    expect_eq "$(state_field annotations.a)" 1 "annotation after config.json changed"
    ctr_start || fail "start failed: $ERR"
    wait_status "$ID" stopped || fail "container did not stop"
    expect_eq "$(cat "$T/$ID.out")" original "output after config.json changed"
}
check config_changes_ignored state_config_changes_ignored

# _st_rt ROOT ARGS...: the runtime with another state root than the run's.
_st_rt() {
    local root=$1
    shift
    echo "+ $RUNTIME_NAME --root $root $*" >> "$T/log"
    timeout -k 5 "$RT_TIMEOUT" "$RUNTIME" --root "$root" "$@"
}

# The state root (--root) holds containers and nothing else once they are deleted: an
# engine that lists or watches the root (containerd's shim keeps one per namespace) sees
# no stray entries. Containers with a seccomp profile (a runtime may cache compiled
# filters), created in a root of their own, run and deleted: the root is then empty.
state_root_empty_after_delete() {
    need_seccomp errno
    local root="$T/root" one two left
    mkdir -p "$root"
    bundle_new one
    one=$ID
    bundle_args true
    bundle_set '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
        "syscalls": [{"names": ["mknod", "mknodat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}'
    bundle_new two
    two=$ID
    bundle_args true
    jq '.linux.seccomp' "$T/one/config.json" > "$T/seccomp.json"
    bundle_set --slurpfile s "$T/seccomp.json" '.linux.seccomp = $s[0]'
    defer "_st_rt '$root' delete --force '$one' > /dev/null 2>&1; _st_rt '$root' delete --force '$two' > /dev/null 2>&1; true"
    local id
    for id in "$one" "$two"; do
        _st_rt "$root" create --bundle "$T/${id##*-}" "$id" < /dev/null > "$T/$id.out" 2> "$T/$id.err" ||
            fail "create $id failed: $(cat "$T/$id.err")"
    done
    expect_exit 0 _st_rt "$root" start "$one"
    wait_for 5 _st_status_is "$root" "$one" stopped || fail "$one did not stop"
    expect_exit 0 _st_rt "$root" delete "$one"
    expect_exit 0 _st_rt "$root" delete --force "$two"
    left=$(find "$root" -mindepth 1 -maxdepth 1 -printf '%f ')
    expect_eq "$left" "" "entries in the state root after every container was deleted"
    # A failed create leaves the root as empty.
    bundle_use one
    bundle_set '.process.args = ["/nonexistent"]'
    _st_rt "$root" create --bundle "$T/one" "$one" < /dev/null > /dev/null 2> "$T/$one.err" &&
        fail "create of a missing program succeeded"
    left=$(find "$root" -mindepth 1 -maxdepth 1 -printf '%f ')
    expect_eq "$left" "" "entries in the state root after a failed create"
}
check root_empty_after_delete state_root_empty_after_delete

_st_status_is() {
    [ "$(_st_rt "$1" state "$2" 2> /dev/null | jq -r .status)" = "$3" ]
}
