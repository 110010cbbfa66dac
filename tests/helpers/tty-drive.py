#!/usr/bin/env python3
"""tty-drive.py - run an interactive bash (the user's "outer" shell) on a new
pty and drive it: steps on stdin, one per line, SEND<TAB>EXPECT. SEND (may be
empty) is typed after Python-style escapes are decoded (\\r, \\x03 for ^C,
\\x1a for ^Z); EXPECT is a regex the output after SEND must match within 10 s.
Exit 0 when every step matched, else 1 with the transcript as TAP comments.
The shell is killed (by pid) and reaped at the end."""
import os, pty, re, select, sys, time, signal, codecs
steps = [l.rstrip("\n").split("\t", 1) for l in sys.stdin if l.strip() and not l.startswith("#")]
pid, fd = pty.fork()
if pid == 0:
    # Whatever launched us may have ignored job-control signals; a user's
    # terminal session starts with the defaults.
    for sig in (signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU, signal.SIGINT, signal.SIGQUIT, signal.SIGPIPE, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    os.environ.update(PS1="$ ", TERM="dumb")
    os.execvp("bash", ["bash", "--norc", "--noprofile", "-i"])
out = b""
log = b""
def wait_for(rx, timeout=10):
    global out, log
    end = time.time() + timeout
    while True:
        m = re.search(rx.encode(), out)
        if m:
            out = out[m.end():]
            return True
        if time.time() > end:
            return False
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                data = os.read(fd, 4096)
            except OSError:
                return False
            out += data
            log += data
status = 0
for send, expect in steps:
    # Let the shell finish what the last output announced (fork, tcsetpgrp)
    # before typing: a ^Z that arrives before the job owns the terminal
    # goes to the shell, which ignores it.
    if send:
        time.sleep(0.4)
        out = b""
        os.write(fd, codecs.decode(send, "unicode_escape").encode())
    if not wait_for(expect):
        print("# expected %r; transcript:\n# %s" % (expect, log.decode(errors="replace").replace("\n", "\n# ")))
        status = 1
        break
os.kill(pid, signal.SIGKILL)
os.waitpid(pid, 0)
sys.exit(status)
