#!/usr/bin/env python3
"""Swaps two directory entries over and over: the attacker's side of a race.

    flip.py A B READY [SECONDS]

Exchanges the entries A and B (renameat2 RENAME_EXCHANGE, atomic: both names always
exist, each naming one of the two objects) in a tight loop. Writes READY once the first
exchange succeeded, and ends after SECONDS (default 120) or on SIGTERM, leaving A and B
as they were at the start (an even number of exchanges) and printing the count. Exits 1
when the exchange fails (different filesystems, a missing entry, a kernel without
RENAME_EXCHANGE).
"""
import ctypes
import os
import signal
import sys
import time

AT_FDCWD = -100
RENAME_EXCHANGE = 2


def main():
    if len(sys.argv) not in (4, 5):
        print(__doc__, file=sys.stderr)
        return 2
    a, b = os.fsencode(sys.argv[1]), os.fsencode(sys.argv[2])
    ready = sys.argv[3]
    deadline = time.monotonic() + float(sys.argv[4] if len(sys.argv) == 5 else 120)
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = libc.renameat2
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))

    def exchange():
        if renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) != 0:
            e = ctypes.get_errno()
            raise OSError(e, f"renameat2({sys.argv[1]}, {sys.argv[2]}, RENAME_EXCHANGE): {os.strerror(e)}")

    n = 0
    try:
        exchange()
        n = 1
        with open(ready, "w") as f:
            f.write("flipping\n")
        while not stop:
            exchange()
            n += 1
            if n % 4096 == 0 and time.monotonic() > deadline:
                break
        if n % 2:
            exchange()
            n += 1
    except OSError as e:
        print(f"flip.py: {e}", file=sys.stderr)
        return 1
    print(f"flip.py: {n} exchanges")
    return 0


if __name__ == "__main__":
    sys.exit(main())
