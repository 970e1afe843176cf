#!/usr/bin/env python3
"""bpf_prog_query.py CGROUP_DIR: prints how many BPF_CGROUP_DEVICE programs are in effect
for the cgroup (attached to it or inherited from an ancestor), via bpf(BPF_PROG_QUERY).
Status 2 and a message on stderr when the query itself fails. Needs CAP_SYS_ADMIN.

The devices check of checks-v2.sh uses it to tell "the runtime has no v2 device controller
yet" (no program: skip) from "the program lets a denied device through" (a failure)."""
import ctypes
import os
import sys

SYS_BPF = 321                  # x86_64
BPF_PROG_QUERY = 16
BPF_CGROUP_DEVICE = 6
BPF_F_QUERY_EFFECTIVE = 1 << 0


class QueryAttr(ctypes.Structure):
    # The `query` member of union bpf_attr (include/uapi/linux/bpf.h), padded to the
    # union's size so that the kernel sees zeros past the fields it reads.
    _fields_ = [
        ("target_fd", ctypes.c_uint32),
        ("attach_type", ctypes.c_uint32),
        ("query_flags", ctypes.c_uint32),
        ("attach_flags", ctypes.c_uint32),
        ("prog_ids", ctypes.c_uint64),
        ("prog_cnt", ctypes.c_uint32),
        ("_pad", ctypes.c_uint8 * 100),
    ]


def main():
    if len(sys.argv) != 2:
        print(__doc__.splitlines()[0], file=sys.stderr)
        return 2
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    try:
        fd = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECTORY)
    except OSError as e:
        print(f"open {sys.argv[1]}: {e.strerror}", file=sys.stderr)
        return 2
    ids = (ctypes.c_uint32 * 64)()
    attr = QueryAttr(target_fd=fd, attach_type=BPF_CGROUP_DEVICE,
                     query_flags=BPF_F_QUERY_EFFECTIVE,
                     prog_ids=ctypes.addressof(ids), prog_cnt=len(ids))
    rc = libc.syscall(SYS_BPF, BPF_PROG_QUERY, ctypes.byref(attr), ctypes.sizeof(attr))
    err = ctypes.get_errno()
    os.close(fd)
    if rc < 0:
        print(f"bpf(BPF_PROG_QUERY) on {sys.argv[1]}: {os.strerror(err)}", file=sys.stderr)
        return 2
    print(attr.prog_cnt)
    return 0


if __name__ == "__main__":
    sys.exit(main())
