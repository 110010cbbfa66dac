#!/usr/bin/env python3
"""egress-probe.py - one probe per argument, one result line each, for net-egress.sh.

  resolve:NAME[/6]        -> "ok ADDRESS" (the first A, or AAAA with /6) or "fail ERROR"
  http:HOST:PORT          -> "ok BODY" (a GET of /) or "fail ERRNO-NAME"
  peer:HOST:PORT          -> "ok PEER BODY": as http, with the address the
                             socket is connected to (getpeername(): under the
                             TCP bypass, the relay's loopback address)
  bound:HOST:PORT         -> as peer, from a socket bound to a port of the
                             kernel's choosing first (the TCP bypass leaves
                             bound sockets to the kernel and libslirp)
  udp:HOST:PORT           -> "ok REPLY" (a connected socket) or "fail ERRNO-NAME"
  icmp:HOST               -> "ok reply", "fail unreachable" or "fail timeout"
                             (a raw socket: needs CAP_NET_RAW)
  dns:SERVER:NAME         -> "ok rcode N answers M": an A question over UDP to
                             SERVER ([V6] for IPv6), port 53
  reuse:HOST:PORT,IP:PORT -> connect to the first, disconnect (AF_UNSPEC), then
                             connect the same socket to IPv4 IP:PORT with an
                             address length of 20 (as the kernel accepts) and
                             GET /: "ok BODY" or "fail ERRNO-NAME"
HOST may be [V6] or a name. Every attempt gives up after 3 seconds.
"""
import errno
import socket
import struct
import sys


def split(hostport):
    host, _, port = hostport.rpartition(":")
    return host.strip("[]"), int(port)


def family_of(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def addr_of(host):
    if any(c.isalpha() for c in host) and ":" not in host:
        return socket.getaddrinfo(host, 80, socket.AF_INET)[0][4][0]
    return host


def http(arg, peer=False, bound=False):
    host, port = split(arg)
    name = host
    host = addr_of(host)
    s = socket.socket(family_of(host), socket.SOCK_STREAM)
    if bound:
        s.bind(("::" if s.family == socket.AF_INET6 else "0.0.0.0", 0))
    s.settimeout(3)
    s.connect((host, port))
    via = s.getpeername()[0] + " " if peer else ""
    s.sendall(b"GET / HTTP/1.0\r\nHost: " + name.encode() + b"\r\n\r\n")
    data = b""
    while True:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    return via + data.split(b"\r\n\r\n", 1)[-1].decode().strip()


def udp(arg):
    host, port = split(arg)
    s = socket.socket(family_of(host), socket.SOCK_DGRAM)
    s.settimeout(3)
    s.connect((host, port))
    s.send(b"ping")
    try:
        return s.recv(1000).decode()
    except socket.timeout:
        s.send(b"ping")  # the error may arrive after the first recv() began
        return s.recv(1000).decode()


def icmp(host):
    v6 = ":" in host
    if v6:
        s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
        packet = struct.pack("!BBHHH", 128, 0, 0, 1, 1) + b"sbx"
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
        body = struct.pack("!BBHHH", 8, 0, 0, 1, 1) + b"sbx"
        total = 0
        for i in range(0, len(body) - 1, 2):
            total += body[i] << 8 | body[i + 1]
        total += body[-1] << 8 if len(body) % 2 else 0
        while total >> 16:
            total = (total & 0xFFFF) + (total >> 16)
        packet = body[:2] + struct.pack("!H", ~total & 0xFFFF) + body[4:]
    s.settimeout(3)
    s.sendto(packet, (host, 0))
    while True:
        data = s.recv(2000)
        icmp_type = data[0] if v6 else data[(data[0] & 0x0F) * 4]
        if icmp_type in (0, 129):
            return "reply"
        if icmp_type in (3, 1):
            raise Unreachable()


def dns(arg):
    server, _, name = arg.rpartition(":")
    server = server.strip("[]")
    q = struct.pack("!HHHHHH", 0x5b5b, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\0" + struct.pack("!HH", 1, 1)
    s = socket.socket(family_of(server), socket.SOCK_DGRAM)
    s.settimeout(3)
    s.connect((server, 53))
    s.send(q)
    r = s.recv(4096)
    return "rcode %d answers %d" % (r[3] & 15, r[6] << 8 | r[7])


def raw_connect(fd, family, ip, port, length):
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    sa = struct.pack("=H", family) + struct.pack("!H", port) + \
        (socket.inet_aton(ip) if ip else b"\0" * 4)
    buf = ctypes.create_string_buffer(sa + b"\0" * 24)
    if libc.connect(fd, buf, length) < 0:
        e = ctypes.get_errno()
        raise OSError(e, errno.errorcode.get(e, str(e)))


def reuse(arg):
    first, _, second = arg.partition(",")
    host, port = split(first)
    host = addr_of(host)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(3)
    s.connect((host, port))
    raw_connect(s.fileno(), socket.AF_UNSPEC, None, 0, 16)
    ip, port = split(second)
    s.setblocking(True)
    raw_connect(s.fileno(), socket.AF_INET, ip, port, 20)
    s.settimeout(3)
    s.sendall(b"GET / HTTP/1.0\r\n\r\n")
    data = b""
    while True:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    return data.split(b"\r\n\r\n", 1)[-1].decode().strip()


class Unreachable(Exception):
    pass


def one(arg):
    kind, _, rest = arg.partition(":")
    if kind == "resolve":
        name, _, six = rest.partition("/")
        fam = socket.AF_INET6 if six == "6" else socket.AF_INET
        return socket.getaddrinfo(name, 80, fam)[0][4][0]
    if kind == "http":
        return http(rest)
    if kind == "peer":
        return http(rest, peer=True)
    if kind == "bound":
        return http(rest, peer=True, bound=True)
    if kind == "udp":
        return udp(rest)
    if kind == "icmp":
        return icmp(rest)
    if kind == "dns":
        return dns(rest)
    if kind == "reuse":
        return reuse(rest)
    raise ValueError("unknown probe " + kind)


for a in sys.argv[1:]:
    try:
        print("ok", one(a), flush=True)
    except socket.timeout:
        print("fail timeout", flush=True)
    except Unreachable:
        print("fail unreachable", flush=True)
    except OSError as e:
        name = errno.errorcode.get(e.errno, "") if e.errno else ""
        print("fail", name or type(e).__name__, e if not name else "", flush=True)
    except Exception as e:  # the test prints what failed
        print("fail", type(e).__name__, e, flush=True)
