# The conformance framework: check registration, the per-check sandbox and teardown,
# assertions, and helpers that drive the runtime under test. Sourced by conformance/run.
#
# Globals the runner sets before any check runs:
#   CONF_DIR      conformance/ (absolute)
#   RUNTIME       absolute path of the runtime binary under test
#   RUNTIME_NAME  basename of RUNTIME (the tally line's prefix)
#   WORK          private scratch directory of this run (under /tmp, removed at the end)
#   STATE         the runtime's state root: every invocation passes --root "$STATE"
#   ROOTFS        the shared busybox rootfs (lib/rootfs.sh), built once per run
#   RUN_ID        short random tag of this run; prefixes container ids and cgroups
#   RT_TIMEOUT    seconds one runtime invocation may take before it is killed
#
# Per check (each check runs in its own subshell, so nothing leaks between checks):
#   CHECK_NAME    section/name
#   CHECK_NO      the check's number in this run
#   T             the check's scratch directory (also its cwd)
#   ID BUNDLE CONFIG   the current bundle (lib/bundle.sh)
#   OUT ERR RC    stdout, stderr and exit status of the last ctr_run/inside/expect_exit
#
# Rules for check code:
#   * assertion helpers (fail, expect_*) end the check by exiting its subshell, so never
#     call them inside $(...) or on the right of a pipe: that would only exit the inner
#     subshell. Helpers that compute values (state_field, host_ns, ...) return a status
#     instead, and the check decides: `wait_status "$ID" stopped || fail "..."`.
#   * never pipe or $(...)-capture a runtime call that leaves a container process
#     running: the container inherits the pipe and the reader waits for it forever. Use
#     ctr_create/ctr_run, which redirect the container's stdio to files.
#   * anything a check sets up outside the runtime (mounts, namespaces, files outside $T)
#     is undone with `defer 'command'`, which runs even when the check fails.

CHECK_NAMES=()
CHECK_FUNCS=()
CHECK_SECTION=${CHECK_SECTION:-misc}

# check NAME FUNCTION: registers FUNCTION as check "$CHECK_SECTION/NAME". The runner
# sets CHECK_SECTION to the basename of each checks/*.sh file before sourcing it.
check() {
    CHECK_NAMES+=("$CHECK_SECTION/$1")
    CHECK_FUNCS+=("$2")
}

# ---------------------------------------------------------------------------------------
# Running one check

# _check_main NAME FUNCTION: body of a check's subshell (stdout/stderr go to $T/log).
_check_main() {
    CHECK_NAME=$1
    CHECK_IDS=()
    # State roots other than $STATE the check's containers use (rootless.sh: the user's).
    EXTRA_STATE_ROOTS=()
    DEFERS=()
    MARK="$RUN_ID-$CHECK_NO"
    OUT='' ERR='' RC=0
    cd "$T" || exit 1
    trap _check_teardown EXIT
    trap 'exit 143' TERM
    trap 'exit 130' INT
    echo "# $CHECK_NAME ($T)"
    local rc=0
    "$2" || rc=$?
    if [ "$rc" -ne 0 ] && [ "$rc" -ne "$SKIP_STATUS" ]; then
        _record_reason "check function $2 returned $rc"
    fi
    exit "$rc"
}

# _record_reason TEXT: the first failure of a check is the one reported.
_record_reason() {
    [ -s "$T/.reason" ] || printf '%s\n' "$(_oneline "$*")" > "$T/.reason"
}

# _oneline TEXT: newlines shown as \n, cut to 300 characters.
_oneline() {
    local s=${1//$'\n'/\\n}
    s=${s//$'\r'/}
    if [ "${#s}" -gt 300 ]; then s="${s:0:297}..."; fi
    printf '%s' "$s"
}

# defer COMMAND: runs COMMAND (with eval) when the check ends, last deferred first.
defer() {
    DEFERS+=("$1")
}

_check_teardown() {
    local rc=$? i id
    trap - EXIT TERM INT
    set +u
    # A signal may land while a helper has stdout redirected (e.g. to a container's
    # output file): the teardown writes to the log whatever the context.
    exec >> "$T/log" 2>&1 < /dev/null
    echo "# teardown (exit status $rc)"
    for ((i = ${#DEFERS[@]} - 1; i >= 0; i--)); do
        eval "${DEFERS[$i]}" || echo "# deferred command failed: ${DEFERS[$i]}"
    done
    for id in "${CHECK_IDS[@]}"; do
        cleanup_container "$id"
    done
    # Background jobs of the check (e.g. a `run` in the background) end with their
    # container; anything still alive now is stuck.
    local j left
    left=$(jobs -p)
    if [ -n "$left" ]; then
        kill -TERM $left 2>/dev/null
        wait_for 2 _jobs_gone $left
        for j in $left; do kill -KILL "$j" 2>/dev/null; done
    fi
    wait 2>/dev/null
    local leaks
    leaks=$(_find_leaks)
    if [ -n "$leaks" ]; then
        echo "# leftover after cleanup: $leaks"
        _force_clean
        if [ "$rc" -eq 0 ] || [ "$rc" -eq "$SKIP_STATUS" ]; then
            _record_reason "left behind after delete --force: $leaks"
            rc=1
        fi
    fi
    exit "$rc"
}

# Processes started from this check's bundles carry SWIFTLET_CONFORMANCE=$MARK in their
# environment (bundle_new adds it); the runner's own processes never do.
_marked_pids() {
    _marked_pids_grep -x "SWIFTLET_CONFORMANCE=$1"
}

# marked_pid_with_cmdline CMDLINE: the pid of one of this check's marked processes whose
# command line (NULs as spaces) is CMDLINE; status 1 if there is none.
marked_pid_with_cmdline() {
    local p
    for p in $(_marked_pids "$MARK"); do
        [ "$(tr '\0' ' ' < "/proc/$p/cmdline" 2> /dev/null)" = "$1" ] && { echo "$p"; return 0; }
    done
    return 1
}

# _marked_pids_prefix PREFIX: every process marked by a check of this run.
_marked_pids_prefix() {
    _marked_pids_grep "SWIFTLET_CONFORMANCE=$1"
}

_marked_pids_grep() {
    local f pid
    for f in $(grep -lzF "$@" /proc/[0-9]*/environ 2>/dev/null); do
        pid=${f#/proc/}
        pid=${pid%/environ}
        [ "$pid" = "$BASHPID" ] || [ "$pid" = "$$" ] || echo "$pid"
    done
}

# Cgroup directories of a container id (cgroupsPath is /swiftlet-conformance/<id>), for
# cgroup v2 (/sys/fs/cgroup/...) and v1/hybrid (/sys/fs/cgroup/<controller>/...).
_cgroup_dirs() {
    local id=$1 d
    for d in /sys/fs/cgroup/swiftlet-conformance/"$id" /sys/fs/cgroup/*/swiftlet-conformance/"$id"; do
        [ -d "$d" ] && echo "$d"
    done
}

# Mount points (host mount namespace) under $1.
_mounts_under() {
    awk -v p="$1" 'index($5, p) == 1 { print $5 }' /proc/self/mountinfo
}

# _find_leaks: one line naming what this check's containers left behind, empty if none.
_find_leaks() {
    local out=() id pids n
    for id in "${CHECK_IDS[@]}"; do
        if [ -n "$(find "$STATE" "${EXTRA_STATE_ROOTS[@]}" \( -name "$id" -o -name "$id.*" \) -print -quit 2>/dev/null)" ]; then
            out+=("state of $id under --root")
        fi
        n=$(_cgroup_dirs "$id" | wc -l)
        [ "$n" -gt 0 ] && out+=("$n cgroup dirs of $id")
    done
    pids=$(_marked_pids "$MARK" | tr '\n' ' ')
    [ -n "$pids" ] && out+=("processes ${pids% }")
    n=$(_mounts_under "$T" | wc -l)
    [ "$n" -gt 0 ] && out+=("$n mounts under $T")
    local i
    for i in "${!out[@]}"; do
        [ "$i" -gt 0 ] && printf '; '
        printf '%s' "${out[$i]}"
    done
}

# _force_clean: removes whatever _find_leaks found, the hard way.
_force_clean() {
    local id d p m
    for p in $(_marked_pids "$MARK"); do kill -KILL "$p" 2>/dev/null; done
    for id in "${CHECK_IDS[@]}"; do
        for d in $(_cgroup_dirs "$id"); do
            for p in $(cat "$d/cgroup.procs" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
        done
    done
    sleep 0.2
    for id in "${CHECK_IDS[@]}"; do
        for d in $(_cgroup_dirs "$id" | sort -r); do
            rmdir "$d" 2>/dev/null || { sleep 0.3; rmdir "$d" 2>/dev/null; } ||
                echo "# could not remove cgroup $d"
        done
        find "$STATE" "${EXTRA_STATE_ROOTS[@]}" \( -name "$id" -o -name "$id.*" \) -prune -exec rm -rf {} + 2>/dev/null
    done
    for m in $(_mounts_under "$T" | sort -r); do
        umount -l "$m" 2>/dev/null || echo "# could not unmount $m"
    done
}

# ---------------------------------------------------------------------------------------
# Assertions. Each ends the check on failure with a one-line reason.

# skip REASON...: ends the check without passing or failing it, because the host (or the
# runtime under test) lacks what it tests. The runner prints `skip <name>: REASON` and counts
# it apart (`N passed, M failed, K skipped`); a check must never pass on a host where it
# could not look. Exit status 77 (automake's "skipped") tells the runner; the reason goes
# to $T/.skip and, for conformance/vm/batch.sh, to $SKIP_LOG.
SKIP_STATUS=77
skip() {
    local why
    why=$(_oneline "$*")
    echo "# SKIP: $why"
    printf '%s\n' "$why" > "$T/.skip"
    [ -z "${SKIP_LOG:-}" ] || printf '%s: %s\n' "$CHECK_NAME" "$why" >> "$SKIP_LOG"
    exit "$SKIP_STATUS"
}

# fail MESSAGE...: ends the check as failed.
fail() {
    _record_reason "$*"
    echo "FAIL: $*" >&2
    exit 1
}

# expect_eq ACTUAL EXPECTED [WHAT]
expect_eq() {
    [ "$1" = "$2" ] || fail "${3:-value}: expected '$2', got '$1'"
}

# expect_ne ACTUAL UNEXPECTED [WHAT]
expect_ne() {
    [ "$1" != "$2" ] || fail "${3:-value}: expected anything but '$2'"
}

# expect_contains HAYSTACK NEEDLE [WHAT]
expect_contains() {
    case $1 in
        *"$2"*) ;;
        *) fail "${3:-output}: expected to contain '$2', got '$1'" ;;
    esac
}

# expect_not_contains HAYSTACK NEEDLE [WHAT]
expect_not_contains() {
    case $1 in
        *"$2"*) fail "${3:-output}: expected not to contain '$2', got '$1'" ;;
        *) ;;
    esac
}

# expect_match STRING ERE [WHAT]
expect_match() {
    [[ $1 =~ $2 ]] || fail "${3:-value}: expected to match /$2/, got '$1'"
}

# _rc_matches RC EXPECTED: EXPECTED is a number or "nonzero".
_rc_matches() {
    case $2 in
        nonzero) [ "$1" -ne 0 ] ;;
        *) [ "$1" -eq "$2" ] ;;
    esac
}

# expect_exit CODE COMMAND...: runs COMMAND (stdin /dev/null, stdout and stderr
# captured into OUT and ERR, status into RC) and fails unless its status is CODE, a
# number or "nonzero". Not for commands that leave a container running: see ctr_create.
expect_exit() {
    local want=$1
    shift
    _capture "$@"
    _rc_matches "$RC" "$want" || fail "$*: expected exit status $want, got $RC${ERR:+ (stderr: $ERR)}"
}

# expect_rc CODE [WHAT]: checks RC of the last ctr_run/inside_any/expect_exit.
expect_rc() {
    _rc_matches "$RC" "$1" || fail "${2:-exit status}: expected $1, got $RC${ERR:+ (stderr: $ERR)}"
}

# _capture COMMAND...: runs COMMAND with stdout/stderr into files, sets OUT ERR RC.
_capture() {
    "$@" < /dev/null > "$T/.out" 2> "$T/.err"
    RC=$?
    OUT=$(cat "$T/.out")
    ERR=$(cat "$T/.err")
    _log_captured
}

_log_captured() {
    echo "# exit status $RC"
    [ -n "$OUT" ] && printf '# stdout:\n%s\n' "$OUT"
    [ -n "$ERR" ] && printf '# stderr:\n%s\n' "$ERR"
    return 0
}

# now_ms: wall-clock time in milliseconds.
now_ms() {
    local t=${EPOCHREALTIME/./}
    echo $((10#$t / 1000))
}

# Time bounds: a check that bounds how long an operation may take first times the same
# operation without what would make it slow (its calibration), and allows its bound plus
# three times that, so a slow host (emulation, load) widens the bound instead of failing it.
# calibrated_bound_ms BOUND_MS CALIBRATION_MS: prints the bound.
calibrated_bound_ms() {
    echo $(($1 + 3 * $2))
}

# wait_for SECONDS COMMAND...: polls COMMAND every 50 ms until it succeeds (status 0) or
# SECONDS (an integer) of wall-clock time pass (status 1).
wait_for() {
    local deadline=$((${EPOCHREALTIME/./} + $1 * 1000000))
    shift
    while :; do
        "$@" && return 0
        [ "${EPOCHREALTIME/./}" -ge "$deadline" ] && return 1
        sleep 0.05
    done
}

# wait_until SECONDS CONDITION: like wait_for, with CONDITION (shell code, e.g.
# '[ "$(wc -l < "$f")" -gt "$n" ]') evaluated anew at every poll. `wait_for 3 test "$(...)"`
# would compute the value once, before the first poll, and then wait on a constant.
wait_until() {
    wait_for "$1" _eval_condition "$2"
}

_eval_condition() {
    eval "$1"
}

# ---------------------------------------------------------------------------------------
# Driving the runtime

# rt ARGS...: the runtime under test with the private state root, bounded in time.
# Every invocation is traced into the check's log (whatever the caller did with stderr).
rt() {
    echo "+ $RUNTIME_NAME $*" >> "$T/log"
    timeout -k 5 "$RT_TIMEOUT" "$RUNTIME" --root "$STATE" "$@"
}

# cleanup_container ID: delete --force, ignoring every error.
cleanup_container() {
    rt delete --force "$1" > /dev/null 2>&1 < /dev/null
    return 0
}

# ctr_create [ID [BUNDLE]]: `create`, with the container's stdio on files: stdin from
# $STDIN (default /dev/null), stdout to $T/<id>.out, stderr to $T/<id>.err (the runtime's
# own messages land there too). Sets RC; never fails the check by itself.
ctr_create() {
    local id=${1:-$ID} bundle=${2:-$BUNDLE}
    rt create --bundle "$bundle" "$id" < "${STDIN:-/dev/null}" > "$T/$id.out" 2> "$T/$id.err"
    RC=$?
    echo "# create exit status $RC"
    [ "$RC" -eq 0 ] || sed 's/^/# create stderr: /' "$T/$id.err"
    return "$RC"
}

# ctr_start [ID]: `start`; sets RC.
ctr_start() {
    local id=${1:-$ID}
    rt start "$id" < /dev/null > "$T/.start.out" 2> "$T/.start.err"
    RC=$?
    ERR=$(cat "$T/.start.err")
    echo "# start exit status $RC${ERR:+: $ERR}"
    return "$RC"
}

# ctr_detached_once: create (stdin /dev/null: the container's stdio is the caller's null device
# and the files create writes, as a detached engine run has it), start, wait until it stopped;
# sets OUT to what the process wrote. Fails the check at the first step that fails.
ctr_detached_once() {
    STDIN=/dev/null ctr_create || fail "create failed: $(cat "$T/$ID.err")"
    ctr_start || fail "start failed: $ERR"
    wait_status "$ID" stopped 20 || fail "the container did not stop"
    OUT=$(cat "$T/$ID.out")
}

# ctr_run [ID [BUNDLE]]: `run` in the foreground: stdin from $STDIN (default
# /dev/null), sets OUT ERR RC. The container's stdio is the runtime's (terminal false).
ctr_run() {
    local id=${1:-$ID} bundle=${2:-$BUNDLE}
    rt run --bundle "$bundle" "$id" < "${STDIN:-/dev/null}" > "$T/$id.out" 2> "$T/$id.err"
    RC=$?
    OUT=$(cat "$T/$id.out")
    ERR=$(cat "$T/$id.err")
    _log_captured
    return 0
}

# ctr_run_bg [ID [BUNDLE]]: `run` in the background; its pid in RUN_PID, its stdout in
# $T/<id>.out; ctr_wait_bg collects it.
ctr_run_bg() {
    local id=${1:-$ID} bundle=${2:-$BUNDLE}
    rt run --bundle "$bundle" "$id" < "${STDIN:-/dev/null}" > "$T/$id.out" 2> "$T/$id.err" &
    RUN_PID=$!
}

# ctr_wait_bg PID ID [SECONDS]: waits for a ctr_run_bg (status 1 on timeout); sets OUT ERR RC.
ctr_wait_bg() {
    wait_bg "$1" "${3:-10}" || return 1
    OUT=$(cat "$T/$2.out")
    ERR=$(cat "$T/$2.err")
    _log_captured
}

# wait_bg PID [SECONDS]: waits for a background job of the check; its status in RC
# (status 1 and RC 255 on timeout).
wait_bg() {
    if ! wait_for "${2:-10}" _pid_gone "$1"; then
        RC=255
        return 1
    fi
    wait "$1"
    RC=$?
}

_jobs_gone() {
    local j
    for j in "$@"; do
        _pid_gone "$j" || return 1
    done
}

# _descendants PID: the pids of every process below PID.
_descendants() {
    local c
    for c in $(cat /proc/"$1"/task/*/children 2> /dev/null); do
        echo "$c"
        _descendants "$c"
    done
}

# _pid_gone PID: the process no longer runs (gone, or a zombie waiting for its parent,
# which for a detached container is outside the runtime's control).
_pid_gone() {
    local st
    [ -e "/proc/$1" ] || return 0
    st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 0
    [ "$st" = Z ] || [ "$st" = X ] || [ -z "$st" ]
}

# inside SCRIPT: runs `sh -c SCRIPT` in a container made from the current bundle and
# fails unless it exits 0; its stdout in OUT.
inside() {
    inside_any "$1"
    [ "$RC" -eq 0 ] || fail "sh -c '$1' exited $RC: ${ERR:-$OUT}"
}

# inside_any SCRIPT: like inside, any exit status (in RC).
inside_any() {
    bundle_sh "$1"
    ctr_run
}

# state_json [ID]: prints the `state` output; the runtime's status.
state_json() {
    rt state "${1:-$ID}" 2> /dev/null < /dev/null
}

# state_field FIELD [ID]: prints one field of the state (jq -r .FIELD).
state_field() {
    local json
    json=$(state_json "${2:-$ID}") || return 1
    jq -r ".$1" <<< "$json"
}

# wait_status ID STATUS [SECONDS]: polls `state` until status is STATUS.
wait_status() {
    wait_for "${3:-5}" _status_is "$1" "$2"
}

_status_is() {
    [ "$(state_field status "$1")" = "$2" ]
}

# wait_file FILE TEXT [SECONDS]: waits until FILE contains TEXT.
wait_file() {
    wait_for "${3:-5}" grep -qF -- "$2" "$1"
}

# expect_nothing_left [ID]: a failed create left no container: state fails, list does
# not show it, and no state entry, cgroup or process remains (runtime.md#errors: "as if
# the operation were never attempted").
expect_nothing_left() {
    local id=${1:-$ID} left
    expect_exit nonzero rt state "$id"
    expect_exit 0 rt list -q
    expect_not_contains "$OUT" "$id" "list"
    left=$(find "$STATE" \( -name "$id" -o -name "$id.*" \) | tr '\n' ' ')
    expect_eq "$left" "" "state entries left by the failed create"
    wait_for 2 _no_cgroup "$id" || fail "cgroup left by the failed create: $(_cgroup_dirs "$id" | head -n 1)"
    wait_for 2 _no_marked_pids || fail "processes left by the failed create: $(_marked_pids "$MARK" | tr '\n' ' ')"
}

# cgroup_parent_ready: makes the run's shared parent cgroup (swiftlet-conformance) in every
# hierarchy, mode 755, before a check runs the runtime under a stricter umask: runc makes
# cgroup directories with its caller's umask, and a parent it made 0700 would keep the
# user-namespace checks after it out of their cgroups. The run's final cleanup removes it.
cgroup_parent_ready() {
    local h
    if host_cgroup_v2; then
        mkdir -p -m 755 /sys/fs/cgroup/swiftlet-conformance
        return
    fi
    for h in /sys/fs/cgroup/*/; do
        [ -f "$h/cgroup.procs" ] && mkdir -p -m 755 "${h}swiftlet-conformance"
    done
    return 0
}

_no_cgroup() {
    [ -z "$(_cgroup_dirs "$1")" ]
}

_no_marked_pids() {
    [ -z "$(_marked_pids "$MARK")" ]
}

# host_ns TYPE: the runtime namespace's link for TYPE (e.g. "net:[4026531840]").
host_ns() {
    readlink "/proc/self/ns/$1"
}
