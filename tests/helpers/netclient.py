#!/usr/bin/env python3
"""netclient.py - one request per argument, one result line each, for net.sh.

  netclient.py http://HOST:PORT/...   -> "ok BODY" or "fail ERROR"
  netclient.py udp:HOST:PORT          -> "ok REPLY" or "fail ERROR"
  netclient.py dns:NAME               -> "ok ADDRESS" or "fail ERROR"
HOST may be [V6]. Every attempt gives up after 3 seconds.
"""
import socket
import sys
import urllib.request


def one(arg):
    if arg.startswith("dns:"):
        return socket.getaddrinfo(arg[4:], 80, socket.AF_INET)[0][4][0]
    if arg.startswith("udp:"):
        host, _, port = arg[4:].rpartition(":")
        family = socket.AF_INET6 if host.startswith("[") else socket.AF_INET
        s = socket.socket(family, socket.SOCK_DGRAM)
        s.settimeout(3)
        s.sendto(b"ping", (host.strip("[]"), int(port)))
        return s.recvfrom(1000)[0].decode()
    return urllib.request.urlopen(arg, timeout=3).read().decode().strip()


for a in sys.argv[1:]:
    try:
        print("ok", one(a), flush=True)
    except Exception as e:  # the test prints what failed
        print("fail", type(e).__name__, e, flush=True)
