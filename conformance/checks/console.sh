# config.md#process "terminal", "consoleSize"; config-linux.md#default-devices
# (/dev/console); the --console-socket protocol (runc CLI): create sends the pty master
# over the unix socket with SCM_RIGHTS, and lib/console_receiver.py reads from it.

# _console_run SCRIPT [INPUT]: runs `sh -c SCRIPT` with terminal true: starts the
# receiver, creates with --console-socket, starts, and waits for the program to end.
# OUT is what the pty printed (CRs removed).
_console_run() {
    local script=$1 input=${2:-}
    bundle_set '.process.terminal = true'
    bundle_sh "$script"
    local sock="$T/console.sock"
    CONSOLE_TIMEOUT=20 python3 "$CONF_DIR/lib/console_receiver.py" "$sock" "$T/console.out" ${input:+"$input"} \
        > "$T/receiver.log" 2>&1 &
    local receiver=$!
    wait_for 5 test -S "$sock" || fail "the console receiver did not start: $(cat "$T/receiver.log")"
    rt create --console-socket "$sock" --bundle "$BUNDLE" "$ID" < /dev/null > "$T/$ID.out" 2> "$T/$ID.err"
    RC=$?
    [ "$RC" -eq 0 ] || fail "create with --console-socket failed: $(cat "$T/$ID.err")"
    wait_for 5 test -e "$T/console.out.received" || fail "no pty master came over the console socket"
    ctr_start || fail "start failed: $ERR"
    wait_bg "$receiver" 10 || fail "the pty never reached EOF (program still running?)"
    [ "$RC" -eq 0 ] || fail "the console receiver failed: $(cat "$T/receiver.log")"
    OUT=$(tr -d '\r' < "$T/console.out")
    printf '# console output:\n%s\n' "$OUT"
}

# terminal true: stdin, stdout and stderr are the pty, which is the controlling terminal.
console_terminal() {
    bundle_new
    _console_run 'tty; for fd in 0 1 2; do readlink /proc/self/fd/$fd; done
        echo "tty_nr=$(cut -d " " -f 7 /proc/self/stat)"'
    expect_eq "$(head -n 4 <<< "$OUT")" $'/dev/pts/0\n/dev/pts/0\n/dev/pts/0\n/dev/pts/0' "tty and fds 0, 1, 2"
    expect_match "$(sed -n 5p <<< "$OUT")" '^tty_nr=[1-9][0-9]*$' "controlling terminal (tty_nr in /proc/self/stat)"
}
check terminal console_terminal

# config.md#process: consoleSize sets the pty's size, which stty reads.
console_size() {
    bundle_new
    bundle_set '.process.consoleSize = {height: 33, width: 101}'
    _console_run 'stty size'
    expect_eq "$OUT" "33 101" "stty size"
}
check size console_size

# Input written to the master reaches the program's stdin.
console_stdin() {
    bundle_new
    _console_run 'read line; echo "got:$line"' $'from-the-master\n'
    expect_contains "$OUT" "got:from-the-master" "output of read/echo"
}
check stdin console_stdin

# config-linux.md#default-devices: "/dev/console is set up if terminal is enabled ... by
# bind mounting the pseudoterminal pty to /dev/console".
console_dev_console() {
    bundle_new
    _console_run 'stat -c "%t:%T" /dev/console; stat -L -c "%t:%T" $(tty)'
    local first second
    first=$(head -n 1 <<< "$OUT")
    second=$(sed -n 2p <<< "$OUT")
    expect_match "$first" '^[0-9a-f]+:[0-9a-f]+$' "device numbers of /dev/console"
    expect_eq "$first" "$second" "/dev/console and the pty"
}
check dev_console console_dev_console

# With terminal false there is no /dev/console device (nothing to bind it to).
console_no_terminal_no_console() {
    bundle_new
    inside '[ -c /dev/console ] && echo console-device || echo none'
    expect_eq "$OUT" none "/dev/console without a terminal"
}
check no_terminal_no_console console_no_terminal_no_console

# config.md#process: "Runtimes MUST ignore consoleSize if terminal is false or unset."
console_size_without_terminal() {
    bundle_new
    bundle_set '.process.terminal = false | .process.consoleSize = {height: 10, width: 20}'
    inside 'echo ran'
    expect_eq "$OUT" ran "output of a container with consoleSize and no terminal"
}
check size_without_terminal console_size_without_terminal

# runc CLI (what containerd's shim relies on): with a terminal, the container does not keep
# the stdout/stderr `create` was given: a caller reading them to EOF (the shim reads create's
# pipes) returns when create does, while the container waits for start.
console_create_releases_stdio() {
    bundle_new
    bundle_set '.process.terminal = true'
    bundle_args sleep 60
    local sock="$T/console.sock"
    CONSOLE_TIMEOUT=20 python3 "$CONF_DIR/lib/console_receiver.py" "$sock" "$T/console.out" > "$T/receiver.log" 2>&1 &
    wait_for 5 test -S "$sock" || fail "the console receiver did not start: $(cat "$T/receiver.log")"
    # the pipe's reader (cat) sees EOF only once nothing holds its write end
    (rt create --console-socket "$sock" --bundle "$BUNDLE" "$ID" < /dev/null 2>&1 | cat > "$T/create.out"; echo done > "$T/create.eof") &
    wait_for 8 test -e "$T/create.eof" || fail "create's stdout pipe is still open after create (held by the container)"
    expect_eq "$(state_field status)" created "status after create"
}
check create_releases_stdio console_create_releases_stdio
