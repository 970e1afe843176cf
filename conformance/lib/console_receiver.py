#!/usr/bin/env python3
"""The caller's end of --console-socket (runc's protocol): receives the pty master.

    console_receiver.py SOCKET OUTPUT [INPUT]
    console_receiver.py --many SOCKET OUTPUT

Listens on the unix socket SOCKET, accepts one connection and receives one file
descriptor (SCM_RIGHTS), the container's pty master. It then writes INPUT (if given)
to the master, and copies everything read from the master to OUTPUT until the last
slave descriptor is closed (EIO). Writes OUTPUT + ".received" once it holds the
master. Exits 0 when it saw EOF, 1 on a protocol error; SIGALRM ends it after
$CONSOLE_TIMEOUT seconds (default 20) whatever happens, so it never outlives a check.
With $CONSOLE_INPUT_AFTER set to a path, INPUT is written only once that path exists
(a restore: the master comes while CRIU is still restoring the process), the output
being copied meanwhile.

With --many it serves any number of connections until SIGTERM or the alarm (for loops of
creates), reading all their masters at once: the Nth master's output goes to OUTPUT.N, and
once that pty reached EOF it prints N on stdout (flushed); a connection that brings no
descriptor prints "N error: ...".
"""
import array
import errno
import os
import selectors
import signal
import socket
import sys
import threading
import time


def receive_fd(conn):
    fds = array.array("i")
    msg, ancdata, _flags, _addr = conn.recvmsg(4096, socket.CMSG_SPACE(4 * fds.itemsize))
    for level, kind, data in ancdata:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(data[: len(data) - (len(data) % fds.itemsize)])
    if len(fds) != 1:
        raise RuntimeError(f"expected one descriptor, got {len(fds)} (payload {msg!r})")
    return fds[0], msg


def write_after(master, data, path):
    while not os.path.exists(path):
        time.sleep(0.1)
    os.write(master, data)


def copy_until_eof(master, output):
    with open(output, "wb", buffering=0) as out:
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError as e:
                if e.errno == errno.EIO:  # every slave descriptor is closed
                    break
                raise
            if not chunk:
                break
            out.write(chunk)
    os.close(master)


def serve_many(path, output):
    """Every connection's master is read at once (select): a pty whose slave is never
    opened (a create that failed early) never reaches EOF and must not hold up the next."""
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(64)
    sel = selectors.DefaultSelector()
    sel.register(srv, selectors.EVENT_READ, None)
    n = 0
    while True:
        for key, _events in sel.select():
            if key.data is None:
                conn, _ = srv.accept()
                n += 1
                try:
                    master, _name = receive_fd(conn)
                except (OSError, RuntimeError) as e:
                    print(f"{n} error: {e}", flush=True)
                    continue
                finally:
                    conn.close()
                sel.register(master, selectors.EVENT_READ, (n, open(f"{output}.{n}", "wb", buffering=0)))
                continue
            number, out = key.data
            try:
                chunk = os.read(key.fd, 4096)
            except OSError as e:
                if e.errno != errno.EIO:  # EIO: every slave descriptor is closed
                    raise
                chunk = b""
            if chunk:
                out.write(chunk)
                continue
            sel.unregister(key.fd)
            os.close(key.fd)
            out.close()
            print(number, flush=True)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--many":
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        signal.alarm(int(os.environ.get("CONSOLE_TIMEOUT", "20")))
        serve_many(sys.argv[2], sys.argv[3])
        return 0
    if len(sys.argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    signal.alarm(int(os.environ.get("CONSOLE_TIMEOUT", "20")))
    path, output = sys.argv[1], sys.argv[2]
    data = sys.argv[3].encode() if len(sys.argv) == 4 else b""
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    conn, _ = srv.accept()
    try:
        master, name = receive_fd(conn)
    except (OSError, RuntimeError) as e:
        print(f"console_receiver: {e}", file=sys.stderr)
        return 1
    finally:
        conn.close()
        srv.close()
    with open(output + ".received", "w") as f:
        f.write(name.decode(errors="replace") + "\n")
    after = os.environ.get("CONSOLE_INPUT_AFTER")
    if data and after:
        threading.Thread(target=write_after, args=(master, data, after), daemon=True).start()
    elif data:
        os.write(master, data)
    copy_until_eof(master, output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
