#!/usr/bin/env python3
"""netserv.py - tiny test servers for tests/integration/net.sh.

  netserv.py PORTFILE [--http ADDR] [--udp ADDR] [--tcp ADDR] [--dns ADDR] ...
              [-- COMMAND [ARG]...]

ADDR is HOST:PORT or [V6]:PORT (PORT 0: any free one). --http answers GET
with 200 and "hello from HOST:PORT, you are CLIENT"; --udp echoes each
datagram as "echo DATA from CLIENT"; --tcp only listens (to occupy a port);
--dns answers every A query with DNS_ANSWER (a documentation address that
nothing ever connects to) and any other query with no record.
When every socket is bound, PORTFILE gets one "KIND ADDR PORT" line per
server (written to a temporary name and renamed, so it appears complete).
With "-- COMMAND", the servers then run only as long as COMMAND does, and
netserv.py exits with its status (no need to wait for PORTFILE).
"""
import http.server
import os
import socket
import struct
import subprocess
import sys
import threading

DNS_ANSWER = "198.51.100.1"


def parse(addr):
    host, _, port = addr.rpartition(":")
    if host.startswith("["):
        return socket.AF_INET6, host[1:-1], int(port)
    return socket.AF_INET, host, int(port)


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = ("hello from %s:%d, you are %s\n" % (self.server.label, self.server.server_port,
                                                   self.client_address[0])).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def http_server(family, host, port):
    cls = type("S", (http.server.ThreadingHTTPServer,), {"address_family": family})
    srv = cls((host, port), Handler)
    srv.label = host
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv.server_address[1]


def udp_server(family, host, port):
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.bind((host, port))

    def loop():
        while True:
            data, peer = s.recvfrom(65536)
            s.sendto(b"echo " + data + b" from " + peer[0].encode(), peer)
    threading.Thread(target=loop, daemon=True).start()
    return s.getsockname()[1]


def dns_reply(query):
    end = 12
    while query[end]:  # the question's name: length-prefixed labels
        end += 1 + query[end]
    question = query[12:end + 5]
    qtype = struct.unpack(">H", query[end + 1:end + 3])[0]
    answer = b""
    if qtype == 1:  # A
        answer = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + socket.inet_aton(DNS_ANSWER)
    # id, flags (response, recursion desired and available), 1 question
    return query[:2] + struct.pack(">HHHHH", 0x8180, 1, 1 if answer else 0, 0, 0) + question + answer


def dns_server(family, host, port):
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.bind((host, port))

    def loop():
        while True:
            query, peer = s.recvfrom(512)
            try:
                s.sendto(dns_reply(query), peer)
            except (IndexError, struct.error):
                pass  # not a query we understand: no answer
    threading.Thread(target=loop, daemon=True).start()
    return s.getsockname()[1]


def tcp_listener(family, host, port, keep):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.bind((host, port))
    s.listen(8)
    keep.append(s)
    return s.getsockname()[1]


def main():
    portfile, args, lines, keep = sys.argv[1], sys.argv[2:], [], []
    command = []
    if "--" in args:
        command = args[args.index("--") + 1:]
        args = args[:args.index("--")]
    for kind, addr in zip(args[::2], args[1::2]):
        family, host, port = parse(addr)
        if kind == "--http":
            port = http_server(family, host, port)
        elif kind == "--udp":
            port = udp_server(family, host, port)
        elif kind == "--dns":
            port = dns_server(family, host, port)
        else:
            port = tcp_listener(family, host, port, keep)
        lines.append("%s %s %d\n" % (kind[2:], host, port))
    with open(portfile + ".tmp", "w") as f:
        f.writelines(lines)
    os.rename(portfile + ".tmp", portfile)
    if command:
        sys.exit(subprocess.call(command))
    threading.Event().wait()


if __name__ == "__main__":
    main()
