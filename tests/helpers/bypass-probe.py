#!/usr/bin/env python3
"""bypass-probe.py - what a program inside `sbx --net slirp` sees of its TCP
connections; for tests/integration/net-bypass.sh.

  bypass-probe.py CHECK HOST PORT [PORT2]

Each CHECK prints one line, "ok ..." or "fail ...":
  peer        blocking connect, GET /, print the peer address and the answer
  nonblock    non-blocking connect (EINPROGRESS, wait, SO_ERROR), GET /
  refused     blocking connect to a closed port: the error's name
  options     set TCP_NODELAY, SO_KEEPALIVE, TCP_KEEPIDLE=77 first; read them after
  cloexec     fd flags survive: an inheritable socket stays inheritable, a
              non-inheritable one stays close-on-exec
  reuse       non-blocking connect to closed PORT fails (ECONNREFUSED, at once
              or as SO_ERROR); then the same socket connects to PORT2
  unspec      connect, then connect(AF_UNSPEC) to disconnect, then reconnect
  thread      "peer", from a second thread
  highfd      connect(2) called with the fd's upper 32 bits set (the kernel
              ignores them); prints the peer, then connects again: EISCONN

  bypass-probe.py serve PORT COUNT blocking|nonblock|accept4

serves COUNT connections on 0.0.0.0:PORT (writing PORT.ready first) and
answers each with "local ADDR:PORT peer ADDR:PORT dev N" as the accepted
socket sees itself (dev: SO_BINDTOIFINDEX, 0 when unbound); "nonblock"
accepts with a non-blocking listener after select(), "accept4" through
accept4(SOCK_CLOEXEC) and checks the flag.
"""
import errno
import os
import select
import socket
import struct
import sys


def family_of(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def get(s, host):
    s.sendall(b"GET / HTTP/1.0\r\nHost: x\r\n\r\n")
    data = b""
    while True:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    body = data.split(b"\r\n\r\n", 1)[-1].decode().strip()
    return body


def check_peer(host, port):
    s = socket.socket(family_of(host))
    s.connect((host, port))
    peer = s.getpeername()[0]
    return "ok peer %s: %s" % (peer, get(s, host))


def check_nonblock(host, port):
    s = socket.socket(family_of(host))
    s.setblocking(False)
    err = s.connect_ex((host, port))
    if err not in (0, errno.EINPROGRESS):
        return "fail connect_ex: %s" % errno.errorcode.get(err, err)
    select.select([], [s], [], 10)
    soerr = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    if soerr:
        return "fail SO_ERROR %s" % errno.errorcode.get(soerr, soerr)
    s.setblocking(True)
    return "ok nonblock %s: %s" % (s.getpeername()[0], get(s, host))


def check_refused(host, port):
    s = socket.socket(family_of(host))
    try:
        s.connect((host, port))
    except OSError as e:
        return "ok refused %s" % errno.errorcode.get(e.errno, e.errno)
    return "fail connected to a closed port"


def check_options(host, port):
    s = socket.socket(family_of(host))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 77)
    s.connect((host, port))
    vals = (s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY),
            s.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE),
            s.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE))
    return "ok options %s peer %s" % (",".join(str(v) for v in vals), s.getpeername()[0])


def fd_flags(fd):
    with open("/proc/self/fdinfo/%d" % fd) as f:
        for line in f:
            if line.startswith("flags:"):
                return int(line.split()[1], 8)
    return 0


def check_cloexec(host, port):
    out = []
    for inheritable in (False, True):
        s = socket.socket(family_of(host))
        s.set_inheritable(inheritable)
        s.connect((host, port))
        cloexec = bool(fd_flags(s.fileno()) & os.O_CLOEXEC)
        out.append("%s->%s" % ("inheritable" if inheritable else "cloexec",
                               "cloexec" if cloexec else "inheritable"))
        out.append(s.getpeername()[0])
    return "ok cloexec " + " ".join(out)


def check_reuse(host, port, port2):
    s = socket.socket(family_of(host))
    s.setblocking(False)
    err = s.connect_ex((host, port))
    if err == errno.EINPROGRESS:
        select.select([], [s], [], 10)
        err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    if err != errno.ECONNREFUSED:
        return "fail first connect: %s" % errno.errorcode.get(err, err)
    s.setblocking(True)
    s.connect((host, port2))
    return "ok reuse ECONNREFUSED; then: %s" % get(s, host)


def check_unspec(host, port):
    s = socket.socket(family_of(host))
    s.connect((host, port))
    first = s.getpeername()[0]
    fam = struct.pack("H", socket.AF_UNSPEC) + b"\0" * 14
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    r = libc.connect(s.fileno(), fam, len(fam))
    if r != 0:
        return "fail AF_UNSPEC: %s" % errno.errorcode.get(ctypes.get_errno())
    s.connect((host, port))
    return "ok unspec %s then %s: %s" % (first, s.getpeername()[0], get(s, host))


def serve(port, count, how):
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("0.0.0.0", port))
    srv.listen(16)
    open("/tmp/%d.ready" % port, "w").close()
    for _ in range(count):
        if how == "nonblock":
            srv.setblocking(False)
            select.select([srv], [], [], 30)
            conn, _ = srv.accept()
            conn.setblocking(True)
        elif how == "accept4":
            import ctypes
            libc = ctypes.CDLL(None, use_errno=True)
            fd = libc.accept4(srv.fileno(), None, None, os.O_CLOEXEC)
            conn = socket.socket(fileno=fd)
            if not fd_flags(fd) & os.O_CLOEXEC:
                conn.sendall(b"fail no close-on-exec\n")
        else:
            conn, _ = srv.accept()
        local = conn.getsockname()
        peer = conn.getpeername()
        dev = conn.getsockopt(socket.SOL_SOCKET, 62)  # SO_BINDTOIFINDEX
        conn.sendall(("local %s:%d peer %s:%d dev %d\n" % (local[0], local[1], peer[0], peer[1],
                                                           dev)).encode())
        conn.close()


def check_thread(host, port):
    import threading
    out = []
    t = threading.Thread(target=lambda: out.append(check_peer(host, port)))
    t.start()
    t.join()
    return out[0].replace("ok peer", "ok thread peer", 1)


def check_highfd(host, port):
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    s = socket.socket(socket.AF_INET)
    addr = struct.pack("!HH4s8x", socket.AF_INET, port, socket.inet_aton(host))
    addr = struct.pack("H", socket.AF_INET) + addr[2:]
    nr_connect = 42  # x86-64
    r = libc.syscall(ctypes.c_long(nr_connect), ctypes.c_ulong(s.fileno() | (1 << 32)),
                     addr, ctypes.c_ulong(len(addr)))
    if r != 0:
        return "fail highfd connect: %s" % errno.errorcode.get(ctypes.get_errno())
    peer = s.getpeername()[0]
    try:
        s.connect((host, port))
        again = "connected again"
    except OSError as e:
        again = errno.errorcode.get(e.errno, e.errno)
    return "ok highfd %s, again: %s" % (peer, again)


def main():
    if sys.argv[1] == "serve":
        serve(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
        return
    check, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    try:
        if check == "reuse":
            print(check_reuse(host, port, int(sys.argv[4])))
        else:
            print(globals()["check_" + check](host, port))
    except OSError as e:
        print("fail %s: %s" % (check, e))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
