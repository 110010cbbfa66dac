#!/usr/bin/env python3
"""relay-probe.py - what a program can do with a socket the TCP bypass
connected, or the publish relay handed its server (net-bypass-relay.sh).

  relay-probe.py connect HOST PORT RHOST RPORT
      connects to HOST:PORT, then probes that socket
  relay-probe.py serve PORT RHOST RPORT
      accepts one connection on 0.0.0.0:PORT (writing /tmp/PORT.ready
      first), then probes the accepted socket

The probe prints one line: "ns yes" when the socket is listed in this
network namespace's /proc/net/tcp (both its ports), "ns no" when not (a
host socket); then it disconnects the socket (connect(AF_UNSPEC)) and
connects it again to RHOST:RPORT with an address length of 17, which the
bypass's seccomp filter lets pass to the kernel unseen: "reconnect ok:
FIRST-LINE-OF-THE-HTTP-ANSWER" or "reconnect ERRNO".

Half-closes and resets through the relay, against "hostserve":
  relay-probe.py hostserve ADDR PORT DIR
      serves on ADDR:PORT (writing DIR/ready once listening); each
      connection's first line says what to do: "count" reads to EOF and
      answers "got N"; "reset" closes at once with a reset; "wait" answers
      "ready", then reads until EOF or an error and writes which to
      DIR/wait.result
  relay-probe.py halfclose HOST PORT   sends 200000 bytes, shuts down its
      sending side, prints "ok halfclose got N" from the answer
  relay-probe.py reset HOST PORT       prints "ok reset ECONNRESET" when the
      server's reset reaches it
  relay-probe.py abort HOST PORT       closes with a reset once the server is
      ready (the server's DIR/wait.result then says what it saw)

A server that never reads, and a program's SO_LINGER:
  relay-probe.py sinkserve ADDR PORT DIR
      serves on ADDR:PORT (writing DIR/ready once listening) with a tiny
      receive buffer: each connection is shut for writing at once and
      never read
  relay-probe.py lingerhost SINKHOST PORT HOST PORT
      sets SO_LINGER to 600 s, connects to the sink, sends 12000 bytes (more than it takes, less than the worker's host socket holds), shuts
      its sending side, waits for the sink's EOF and closes (the relay
      ends: the worker closes its host socket with bytes the sink never
      takes); then a connection to HOST:PORT must still be made: "ok
      lingerhost" or "stalled"

A lingering close left to the worker (it must not stall it):
  relay-probe.py linger SLOWHOST PORT HOST PORT
      one thread connects a socket to SLOWHOST:PORT, whose host connection
      takes a while (no answer to ARP), so the worker holds a duplicate of
      the socket meanwhile; another connects the same socket to a listener
      of its own that never reads, fills it, sets SO_LINGER to 600 s and
      closes its descriptor: the worker's duplicate is the last. Once the
      first connect() is answered, a connection to HOST:PORT must still be
      made: "ok linger" or "stalled"
"""
import ctypes
import errno
import os
import socket
import struct
import sys

libc = ctypes.CDLL(None, use_errno=True)


def listed(s):
    """Whether /proc/net/tcp{,6} of this namespace lists socket s."""
    mine, peer = s.getsockname()[1], s.getpeername()[1]
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(name) as f:
                next(f)
                for line in f:
                    fields = line.split()
                    local, remote = fields[1], fields[2]
                    if int(local.split(":")[1], 16) == mine and int(remote.split(":")[1], 16) == peer:
                        return True
        except OSError:
            pass
    return False


def reconnect(s, host, port):
    fd = s.fileno()
    unspec = struct.pack("H", socket.AF_UNSPEC) + b"\0" * 14
    if libc.connect(fd, unspec, len(unspec)) != 0:
        return "reconnect: AF_UNSPEC %s" % errno.errorcode.get(ctypes.get_errno())
    s.settimeout(None)
    tv = struct.pack("ll", 10, 0)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, tv)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, tv)
    addr = struct.pack("H", socket.AF_INET) + struct.pack("!H", port) + socket.inet_aton(host)
    addr += b"\0" * 9  # 17 bytes: not 16, 28 or 128
    if libc.connect(fd, addr, len(addr)) != 0:
        return "reconnect %s" % errno.errorcode.get(ctypes.get_errno())
    try:
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")
        data = s.recv(200).decode(errors="replace")
    except OSError as e:
        return "reconnect connected, then %s" % errno.errorcode.get(e.errno, e.errno)
    return "reconnect ok: %s" % (data.splitlines() or ["(nothing)"])[0]


def probe(s, rhost, rport):
    ns = "yes" if listed(s) else "no"
    print("ns %s %s" % (ns, reconnect(s, rhost, rport)), flush=True)


def hostserve(addr, port, out):
    import threading
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((addr, port))
    srv.listen(16)
    open(os.path.join(out, "ready"), "w").close()

    def serve_one(c):
        f = c.makefile("rb")
        what = f.readline().strip()
        if what == b"count":
            n = len(f.read())
            c.sendall(b"got %d\n" % n)
        elif what == b"reset":
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        elif what == b"wait":
            c.sendall(b"ready\n")
            try:
                end = "EOF" if not f.read() else "data"
            except OSError as e:
                end = errno.errorcode.get(e.errno, str(e.errno))
            tmp = os.path.join(out, "wait.tmp")
            with open(tmp, "w") as w:
                w.write(end + "\n")
            os.rename(tmp, os.path.join(out, "wait.result"))
        c.close()

    while True:
        c, _ = srv.accept()
        threading.Thread(target=serve_one, args=(c,), daemon=True).start()


def client(check, host, port):
    s = socket.create_connection((host, port), timeout=10)
    if check == "halfclose":
        s.sendall(b"count\n" + b"x" * 200000)
        s.shutdown(socket.SHUT_WR)
        data = b""
        while True:
            d = s.recv(65536)
            if not d:
                break
            data += d
        return "ok halfclose %s" % data.decode().strip()
    if check == "reset":
        s.sendall(b"reset\n")
        try:
            d = s.recv(100)
            return "fail reset: %s" % ("EOF" if not d else d)
        except OSError as e:
            return "ok reset %s" % errno.errorcode.get(e.errno, e.errno)
    s.sendall(b"wait\n")
    s.recv(100)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
    return "ok abort"


def sinkserve(addr, port, out):
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
    srv.bind((addr, port))
    srv.listen(16)
    open(os.path.join(out, "ready"), "w").close()
    held = []
    while True:
        c, _ = srv.accept()
        c.shutdown(socket.SHUT_WR)
        held.append(c)


def connects(host, port):
    """Whether a connection to host:port is made (in a thread: a stalled
    worker never answers the connect())."""
    import threading
    done = []

    def run():
        c = socket.create_connection((host, port), timeout=10)
        c.close()
        done.append(1)
    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(30)
    return bool(done)


def lingerhost(sink, sport, host, port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 600))
    s.settimeout(20)
    s.connect((sink, sport))
    s.sendall(b"x" * 12000)
    s.shutdown(socket.SHUT_WR)
    if s.recv(100) != b"":
        return "fail lingerhost: no EOF"
    s.close()
    return "ok lingerhost" if connects(host, port) else "stalled"


def in_connect(tid):
    """Whether thread tid waits in connect() (for the bypass worker)."""
    nr = {"x86_64": "42", "aarch64": "203"}.get(os.uname().machine)
    try:
        with open("/proc/self/task/%d/syscall" % tid) as f:
            return f.read().split()[0] == nr
    except OSError:
        return False


def linger(slow, sport, host, port):
    import threading
    import time
    lst = socket.socket()
    lst.bind(("127.0.0.1", 0))
    lst.listen(1)
    # 17 bytes: the bypass's filter lets it pass to the kernel unseen
    own = struct.pack("H", socket.AF_INET) + struct.pack("!H", lst.getsockname()[1])
    own += socket.inet_aton("127.0.0.1") + b"\0" * 9
    for _ in range(5):
        s = socket.socket()
        fd = s.fileno()
        res = []
        t = threading.Thread(target=lambda: res.append(s.connect_ex((slow, sport))))
        t.start()
        while not in_connect(t.native_id) and t.is_alive():
            time.sleep(0.001)
        # The worker holds the first call and a duplicate of the socket;
        # the same socket is connected to our listener meanwhile.
        if libc.connect(fd, own, len(own)) != 0:
            t.join()
            continue
        while libc.send(fd, b"x" * 65536, 65536, socket.MSG_DONTWAIT) > 0:
            pass
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 600))
        s.detach()
        os.close(fd)
        t.join()
        if res and res[0] == errno.EISCONN:
            continue  # the kernel ran it: the worker held nothing
        done = []

        def after():
            c = socket.create_connection((host, port), timeout=10)
            c.close()
            done.append(1)
        a = threading.Thread(target=after, daemon=True)
        a.start()
        a.join(30)
        return "ok linger" if done else "stalled"
    return "fail linger: no attempt held"


def main():
    if sys.argv[1] == "sinkserve":
        sinkserve(sys.argv[2], int(sys.argv[3]), sys.argv[4])
        return
    if sys.argv[1] == "lingerhost":
        print(lingerhost(sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])), flush=True)
        os._exit(0)
    if sys.argv[1] == "linger":
        print(linger(sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])), flush=True)
        os._exit(0)
    if sys.argv[1] == "hostserve":
        hostserve(sys.argv[2], int(sys.argv[3]), sys.argv[4])
        return
    if sys.argv[1] in ("halfclose", "reset", "abort"):
        print(client(sys.argv[1], sys.argv[2], int(sys.argv[3])), flush=True)
        return
    if sys.argv[1] == "serve":
        port, rhost, rport = int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
        srv = socket.socket()
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind(("0.0.0.0", port))
        srv.listen(4)
        open("/tmp/%d.ready" % port, "w").close()
        conn, _ = srv.accept()
        probe(conn, rhost, rport)
        return
    host, port, rhost, rport = sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
    s = socket.create_connection((host, port), timeout=10)
    probe(s, rhost, rport)


if __name__ == "__main__":
    main()
