#!/usr/bin/env python3
"""fuse-stall.py MOUNTPOINT REPORT - a FUSE file system that never answers.

Mounts an empty FUSE file system at MOUNTPOINT through fusermount3 (as root
or as a user), answers the kernel's INIT, then reads requests and answers
none but interrupts: whoever looks a name up in it waits until a signal
interrupts the wait (EINTR), as on a hard NFS mount whose server is gone.
Says "mounted" on stdout once mounted. The first request other than INIT is
written to REPORT ("OPCODE NAME", NAME for a LOOKUP), so a test knows who is
stuck, and where. Exits 77 when FUSE cannot be mounted here.
"""
import os
import socket
import struct
import subprocess
import sys

FUSE_LOOKUP = 1
FUSE_INIT = 26
FUSE_INTERRUPT = 36
EINTR = 4
IN_HEADER = struct.Struct("=IIQQIIIHH")  # len opcode unique nodeid uid gid pid extlen pad
OUT_HEADER = struct.Struct("=IiQ")  # len error unique


def mount(point):
    """The /dev/fuse fd fusermount3 mounted POINT with, or None."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    env = dict(os.environ, _FUSE_COMMFD=str(theirs.fileno()))
    try:
        proc = subprocess.run(["fusermount3", "-o", "fsname=stall,subtype=stall", "--", point],
                              env=env, pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, check=False)
    except OSError as err:
        print(f"fuse-stall: fusermount3: {err}", file=sys.stderr)
        return None
    theirs.close()
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr.decode(errors="replace"))
        return None
    _, fds, _, _ = socket.recv_fds(ours, 1, 1)
    return fds[0] if fds else None


def init_reply(unique, body):
    major, minor = struct.unpack_from("=II", body)
    # fuse_init_out (7.23 and later): major minor max_readahead flags
    # max_background congestion_threshold max_write time_gran max_pages
    # map_alignment flags2 unused[7]
    out = struct.pack("=IIIIHHIIHHI28x", 7, min(minor, 31), 0, 0, 16, 12, 4096, 1, 0, 0, 0)
    del major
    return OUT_HEADER.pack(OUT_HEADER.size + len(out), 0, unique) + out


def main():
    if len(sys.argv) != 3:
        print("usage: fuse-stall.py MOUNTPOINT REPORT", file=sys.stderr)
        return 2
    fd = mount(sys.argv[1])
    if fd is None:
        return 77
    print("mounted", flush=True)
    reported = False
    while True:
        try:
            req = os.read(fd, 1 << 20)
        except OSError:
            return 0  # unmounted
        if not req:
            return 0
        _, opcode, unique, _, _, _, _, _, _ = IN_HEADER.unpack_from(req)
        body = req[IN_HEADER.size:]
        if opcode == FUSE_INIT:
            os.write(fd, init_reply(unique, body))
            continue
        if opcode == FUSE_INTERRUPT:
            # The waiter got a signal: its request ends with EINTR (an
            # interrupt gets no answer of its own).
            (stuck,) = struct.unpack_from("=Q", body)
            try:
                os.write(fd, OUT_HEADER.pack(OUT_HEADER.size, -EINTR, stuck))
            except OSError:
                pass  # already gone
            continue
        if not reported:
            name = body.split(b"\0", 1)[0].decode(errors="replace") if opcode == FUSE_LOOKUP else ""
            tmp = sys.argv[2] + ".tmp"
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(f"{opcode} {name}\n")
            os.rename(tmp, sys.argv[2])
            reported = True


if __name__ == "__main__":
    sys.exit(main())
