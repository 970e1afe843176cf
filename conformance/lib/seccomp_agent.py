#!/usr/bin/env python3
"""A minimal seccomp agent: the other end of linux.seccomp.listenerPath.

    seccomp_agent.py SOCKET LOG ERRNO

Listens on the unix stream socket SOCKET and accepts one connection. From it it reads the
container process state (JSON, runtime-spec config-linux.md "The Container Process State")
with the seccomp listener fd attached (SCM_RIGHTS), and writes LOG.state (the JSON) and
LOG.fds (how many descriptors came). Then it answers every notification on the listener:
mkdir and mkdirat fail with ERRNO (ERRNO 0: they succeed, done by the agent
with SECCOMP_USER_NOTIF_FLAG_CONTINUE), anything else continues. Each notification appends "<syscall nr> <answer>" to
LOG. It exits 0 when the filter's processes are gone (POLLHUP), 1 on a protocol error;
the caller bounds its time.
"""
import array
import errno
import fcntl
import json
import os
import platform
import select
import socket
import struct
import sys

# linux/seccomp.h: _IOWR('!', 0, struct seccomp_notif) (80 bytes) and
# _IOWR('!', 1, struct seccomp_notif_resp) (24 bytes).
NOTIF_RECV = 0xC0502100
NOTIF_SEND = 0xC0182101
FLAG_CONTINUE = 1
MKDIR = {"x86_64": {83, 258}, "aarch64": {34}}.get(platform.machine(), set())


def receive_state(conn):
    """Reads until the JSON parses; the descriptors come with the first bytes."""
    data, fds = b"", array.array("i")
    while True:
        chunk, ancdata, _flags, _addr = conn.recvmsg(65536, socket.CMSG_SPACE(16 * fds.itemsize))
        for level, kind, payload in ancdata:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.frombytes(payload[: len(payload) - (len(payload) % fds.itemsize)])
        if not chunk:
            raise RuntimeError(f"connection closed after {len(data)} bytes without a complete state")
        data += chunk
        try:
            return json.loads(data), list(fds)
        except ValueError:
            continue


def serve(listener, log, err):
    while True:
        poll = select.poll()
        poll.register(listener, select.POLLIN)
        events = poll.poll(60000)
        if not events:
            raise RuntimeError("no notification for 60s")
        _fd, revents = events[0]
        if revents & select.POLLHUP and not revents & select.POLLIN:
            return
        req = bytearray(80)
        try:
            fcntl.ioctl(listener, NOTIF_RECV, req, True)
        except OSError as e:
            if e.errno in (errno.ENOENT, errno.EINTR):
                continue  # the process died or was interrupted before we got it
            raise
        notif_id, _pid, _flags, nr = struct.unpack_from("=QIIi", req)
        if nr in MKDIR and err != 0:
            resp, answer = struct.pack("=QqiI", notif_id, 0, -err, 0), f"errno {err}"
        else:
            resp, answer = struct.pack("=QqiI", notif_id, 0, 0, FLAG_CONTINUE), "continue"
        try:
            fcntl.ioctl(listener, NOTIF_SEND, bytearray(resp), True)
        except OSError as e:
            if e.errno != errno.ENOENT:
                raise
        with open(log, "a") as f:
            f.write(f"{nr} {answer}\n")


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    path, log, err = sys.argv[1], sys.argv[2], int(sys.argv[3])
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    open(log + ".listening", "w").close()
    conn, _ = srv.accept()
    state, fds = receive_state(conn)
    with open(log + ".state", "w") as f:
        json.dump(state, f)
    with open(log + ".fds", "w") as f:
        f.write(f"{len(fds)}\n")
    if len(fds) != 1:
        print(f"expected one descriptor, got {len(fds)}", file=sys.stderr)
        return 1
    conn.close()
    serve(fds[0], log, err)
    return 0


if __name__ == "__main__":
    sys.exit(main())
