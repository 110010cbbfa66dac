#!/usr/bin/env python3
"""pty-run.py - run a command on a new pseudo-terminal and drive it with a script.

Usage: pty-run.py [-t SECONDS] [-f SCRIPT] -- COMMAND [ARG]...

The command becomes the session leader of a new session whose controlling
terminal is the pty (as a login shell on a terminal would be), with the
terminal, job-control and termination signals at their default dispositions
and no signal blocked, whatever this helper inherited. The script (file
SCRIPT, '-' or no -f for stdin) has one step per line; blank lines and lines
starting with '#' are skipped:

  send TEXT        write TEXT to the terminal; backslash escapes are decoded
                   (\\r, \\n, \\x03 for Ctrl-C, \\x1a for Ctrl-Z, \\\\ ...)
  expect REGEX     wait until REGEX (Python re) matches the output that came
                   after the previous match
  sleep SECONDS    just wait (still collecting output)
  alive            fail if the command has exited
  stopped          wait until the command is stopped (as by SIGSTOP)
  signal NAME      send signal NAME (e.g. CONT) to the command
  signal NAME REGEX  send signal NAME to the command's children (processes
                   whose parent it is) whose command line REGEX fully
                   matches; fail if there is none (e.g. to stop a job of a
                   shell as `kill -STOP` from elsewhere would)
  exit N           wait until the command ends; fail unless its status is N
                   (128+S when killed by signal S)
  proc REGEX       wait until a descendant of the command has a command line
                   (arguments joined by spaces) that REGEX fully matches
  noproc REGEX     wait until no descendant of the command matches REGEX
  running REGEX    wait until a matching descendant exists and is not stopped
  sameterm         fail unless the terminal's modes (termios: flags and
                   control characters) are what they were before the command
                   started, as a program that changed them must restore them

Every waiting step gives up after -t seconds (default 10). On success the
exit status is 0 and "# pty-run: exit status N" is printed if the command
ended. On failure the status is 1 and the reason plus a transcript of the
terminal output are printed as TAP diagnostics ("# " lines) on stdout.
Usage errors give status 2. Whatever happens, the command does not outlive
this helper: it is killed (by pid) and reaped before pty-run exits.
"""

import errno
import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time


class StepFailed(Exception):
    pass


class Session:
    def __init__(self, argv):
        # The command waits for EOF on this pipe, so the terminal's modes
        # are recorded before it can change them.
        gate_r, gate_w = os.pipe()
        pid, fd = pty.fork()
        if pid == 0:
            try:
                os.close(gate_w)
                os.read(gate_r, 1)
                os.close(gate_r)
                # Dispositions were reset before the fork (main); the mask
                # is inherited too: a terminal session starts with none.
                signal.pthread_sigmask(signal.SIG_SETMASK, [])
                os.execvp(argv[0], argv)
            except OSError as err:
                os.write(2, ("pty-run: cannot run %s: %s\n" % (argv[0], err.strerror)).encode())
            os._exit(127)
        os.close(gate_r)
        self.pid = pid
        self.fd = fd
        # On Linux the master reports the terminal's (the slave's) modes.
        self.initial_modes = termios.tcgetattr(fd)
        self.out = b""        # everything the terminal printed
        self.pos = 0          # where the next expect starts looking
        self.status = None    # exit status once it is known
        self.is_stopped = False
        self.eof = False
        # A sane size: some programs ask for it.
        try:
            fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        except OSError:
            pass
        os.close(gate_w)

    def poll_child(self):
        if self.status is not None:
            return
        try:
            pid, st = os.waitpid(self.pid, os.WNOHANG | os.WUNTRACED | os.WCONTINUED)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if os.WIFSTOPPED(st):
            self.is_stopped = True
        elif os.WIFCONTINUED(st):
            self.is_stopped = False
        elif os.WIFEXITED(st):
            self.status = os.WEXITSTATUS(st)
        elif os.WIFSIGNALED(st):
            self.status = 128 + os.WTERMSIG(st)

    def pump(self, wait):
        """Read what the terminal has, waiting at most @wait seconds for it."""
        if self.eof:
            time.sleep(min(wait, 0.05))
        else:
            try:
                ready, _, _ = select.select([self.fd], [], [], wait)
            except InterruptedError:
                ready = []
            if ready:
                try:
                    data = os.read(self.fd, 65536)
                except OSError as err:
                    if err.errno != errno.EIO:
                        raise
                    data = b""
                if data:
                    self.out += data
                else:
                    # EIO/EOF: no process has the terminal open any more.
                    self.eof = True
        self.poll_child()

    def send(self, data):
        while data:
            n = os.write(self.fd, data)
            data = data[n:]

    def wait_for(self, what, predicate, timeout):
        deadline = time.monotonic() + timeout
        while not predicate():
            left = deadline - time.monotonic()
            if left <= 0:
                raise StepFailed("timed out after %gs waiting for %s" % (timeout, what))
            self.pump(min(left, 0.05))

    def expect(self, regex, timeout):
        pattern = re.compile(regex)
        found = []

        def matched():
            m = pattern.search(self.text(), self.pos)
            if m:
                found.append(m)
                return True
            if self.status is not None and self.eof:
                raise StepFailed("the command ended (status %d) before /%s/ appeared"
                                 % (self.status, regex))
            return False

        self.wait_for("/%s/" % regex, matched, timeout)
        self.pos = found[0].end()

    def text(self):
        return self.out.decode("utf-8", errors="replace")

    def finish(self, timeout):
        """Collect the rest of the output and the exit status."""
        deadline = time.monotonic() + timeout
        while self.status is None or not self.eof:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            self.pump(min(left, 0.05))
            if self.status is not None and not self.eof:
                # Give late output a moment; a grandchild may hold the pty.
                end = time.monotonic() + 0.2
                while not self.eof and time.monotonic() < end:
                    self.pump(0.05)
                break

    def kill(self):
        self.poll_child()
        if self.status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                os.waitpid(self.pid, 0)
            except ChildProcessError:
                pass
        try:
            os.close(self.fd)
        except OSError:
            pass


def descendants(root):
    """(command line, state) of the processes below @root, from /proc."""
    parent = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name) as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) > 1 and fields[0] != "Z":
            parent[int(name)] = (int(fields[1]), fields[0])
    found = []
    for pid, (ppid, state) in parent.items():
        p, hops = ppid, 0
        while p is not None and p > 1 and p != root and hops < 4096:
            p, hops = parent.get(p, (None, ""))[0], hops + 1
        if p != root:
            continue
        try:
            with open("/proc/%d/cmdline" % pid, "rb") as f:
                argv = f.read().rstrip(b"\0").split(b"\0")
        except OSError:
            continue
        found.append((b" ".join(argv).decode("utf-8", errors="replace"), state))
    return found


def children(root):
    """(pid, command line) of the processes whose parent is @root."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name) as f:
                stat = f.read()
            with open("/proc/%s/cmdline" % name, "rb") as f:
                argv = f.read().rstrip(b"\0").split(b"\0")
        except (OSError, ValueError):
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) > 1 and int(fields[1]) == root:
            found.append((int(name), b" ".join(argv).decode("utf-8", errors="replace")))
    return found


def termios_diff(before, after):
    """What differs between two tcgetattr() lists: known flags by name, the
    rest as numbers, and the control characters that changed."""
    known = {0: ("ICRNL", "IXON", "BRKINT"), 1: ("OPOST", "ONLCR"),
             3: ("ECHO", "ICANON", "ISIG", "IEXTEN", "ECHOE", "ECHOK")}
    diff = []
    for i, label in enumerate(("iflag", "oflag", "cflag", "lflag")):
        rest = before[i] ^ after[i]
        for flag in known.get(i, ()):
            bit = getattr(termios, flag)
            if rest & bit:
                diff.append("%s%s" % ("" if after[i] & bit else "-", flag.lower()))
                rest &= ~bit
        if rest:
            diff.append("%s %#x -> %#x" % (label, before[i], after[i]))
    # Without ICANON, Python gives VMIN and VTIME as numbers, not bytes.
    def cc(modes, j):
        c = modes[6][j]
        return c[0] if isinstance(c, bytes) else c

    for v in ("VINTR", "VQUIT", "VERASE", "VKILL", "VEOF", "VSUSP", "VMIN", "VTIME"):
        j = getattr(termios, v)
        if cc(before, j) != cc(after, j):
            diff.append("%s %d -> %d" % (v[1:].lower(), cc(before, j), cc(after, j)))
    return diff


def decode_escapes(text):
    return text.encode("latin-1", errors="backslashreplace").decode("unicode_escape").encode(
        "latin-1")


def parse_signal(name):
    name = name.strip().upper()
    if name.isdigit():
        return int(name)
    if not name.startswith("SIG"):
        name = "SIG" + name
    return int(getattr(signal, name))


def run_step(s, verb, arg, timeout):
    if verb == "send":
        s.send(decode_escapes(arg))
    elif verb == "expect":
        s.expect(arg, timeout)
    elif verb == "sleep":
        end = time.monotonic() + float(arg)
        while time.monotonic() < end:
            s.pump(min(0.05, max(0.0, end - time.monotonic())))
    elif verb == "alive":
        s.pump(0)
        if s.status is not None:
            raise StepFailed("the command has already ended with status %d" % s.status)
    elif verb == "stopped":
        s.wait_for("the command to stop", lambda: s.is_stopped or s.status is not None, timeout)
        if not s.is_stopped:
            raise StepFailed("the command ended (status %d) instead of stopping" % s.status)
    elif verb == "signal":
        name, _, regex = arg.partition(" ")
        if not regex:
            os.kill(s.pid, parse_signal(name))
            return
        pids = [pid for pid, cmd in children(s.pid) if re.fullmatch(regex, cmd)]
        if not pids:
            raise StepFailed("no child of the command matches /%s/" % regex)
        for pid in pids:
            os.kill(pid, parse_signal(name))
    elif verb == "exit":
        want = int(arg)
        s.wait_for("the command to exit", lambda: s.status is not None, timeout)
        s.finish(1)
        if s.status != want:
            raise StepFailed("exit status %d, expected %d" % (s.status, want))
    elif verb == "sameterm":
        s.pump(0)
        diff = termios_diff(s.initial_modes, termios.tcgetattr(s.fd))
        if diff:
            raise StepFailed("the terminal's modes changed: " + ", ".join(diff))
    elif verb in ("proc", "noproc", "running"):
        pattern = re.compile(arg)
        want = verb != "noproc"

        def check():
            s.pump(0.02)
            return any(pattern.fullmatch(c) and (verb != "running" or st not in "Tt")
                       for c, st in descendants(s.pid)) == want

        what = {"proc": "a process", "noproc": "no process", "running": "a running process"}
        s.wait_for("%s matching /%s/" % (what[verb], arg), check, timeout)
    else:
        raise ValueError("unknown step '%s'" % verb)


def diag_transcript(s):
    print("# transcript (%d bytes, '^' marks where the next expect would start):" % len(s.out))
    text = s.text()
    text = text[:s.pos] + "^" + text[s.pos:]
    for line in text.splitlines() or [""]:
        print("#   " + repr(line)[1:-1])


def main(argv):
    timeout = 10.0
    script = "-"
    args = argv[1:]
    while args and args[0] != "--":
        if args[0] == "-t" and len(args) > 1:
            timeout = float(args[1])
            args = args[2:]
        elif args[0] == "-f" and len(args) > 1:
            script = args[1]
            args = args[2:]
        else:
            print("usage: pty-run.py [-t SECONDS] [-f SCRIPT] -- COMMAND [ARG]...", file=sys.stderr)
            return 2
    if not args or len(args) < 2:
        print("usage: pty-run.py [-t SECONDS] [-f SCRIPT] -- COMMAND [ARG]...", file=sys.stderr)
        return 2
    command = args[1:]

    with (sys.stdin if script == "-" else open(script)) as f:
        steps = []
        for line in f:
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            verb, _, arg = line.lstrip().partition(" ")
            if verb not in ("send", "expect", "sleep", "alive", "stopped", "signal", "exit",
                            "proc", "noproc", "running", "sameterm"):
                print("pty-run: unknown step '%s'" % line, file=sys.stderr)
                return 2
            steps.append((verb, arg))

    # Our own terminal signals must not be inherited in an odd state.
    for sig in (signal.SIGINT, signal.SIGQUIT, signal.SIGTSTP, signal.SIGTTOU, signal.SIGTTIN,
                signal.SIGHUP, signal.SIGTERM, signal.SIGPIPE):
        signal.signal(sig, signal.SIG_DFL)

    s = Session(command)
    failed = None
    try:
        for i, (verb, arg) in enumerate(steps, 1):
            try:
                run_step(s, verb, arg, timeout)
            except StepFailed as err:
                failed = "step %d '%s %s': %s" % (i, verb, arg, err)
                break
    finally:
        s.pump(0)
        s.kill()
    if failed:
        print("# pty-run: " + failed)
        diag_transcript(s)
        return 1
    if s.status is not None:
        print("# pty-run: exit status %d" % s.status)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
