#!/usr/bin/env python3
"""limits-probe.py - what a sandbox's resource limits let a program do.

  forks N     fork up to N children that wait (for our end); print how many
              forks succeeded before the first refusal
  hog MIB     allocate and touch MIB MiB, 16 MiB at a time; print "allocated"
              (exit 0), or "MemoryError" (exit 3) when refused
  spin SECS   2 processes burn CPU for SECS seconds of wall-clock time; print
              the CPU time they got per second of wall-clock time ("0.49")
"""
import os
import sys
import time


def forks(n):
    r, w = os.pipe()
    count = 0
    for _ in range(n):
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            os.close(w)
            os.read(r, 1)
            os._exit(0)
        count += 1
    print(count, flush=True)
    os.close(w)
    for _ in range(count):
        os.wait()


def hog(mib):
    chunks = []
    try:
        for _ in range(0, mib, 16):
            chunks.append(bytearray(16 << 20))  # zero-filled: every page touched
    except MemoryError:
        print("MemoryError", flush=True)
        sys.exit(3)
    print("allocated", flush=True)


def spin(secs):
    start = time.monotonic()
    kids = []
    for _ in range(2):
        pid = os.fork()
        if pid == 0:
            while time.monotonic() - start < secs:
                pass
            os._exit(0)
        kids.append(pid)
    for pid in kids:
        os.waitpid(pid, 0)
    wall = time.monotonic() - start
    t = os.times()
    print("%.2f" % ((t.children_user + t.children_system) / wall), flush=True)


if __name__ == "__main__":
    {"forks": forks, "hog": hog, "spin": spin}[sys.argv[1]](float(sys.argv[2]) if sys.argv[1] == "spin" else int(sys.argv[2]))
