#!/usr/bin/env python3
"""Prints N free loopback TCP ports, space-separated:  scripts/free-ports.py N

All N are bound at once while they are chosen, so none repeats, and they
lie below the kernel's range for outgoing connections (32768 and up), so
no client socket takes one before the daemon meant for it listens.  For
scripts that start several `coop node run` daemons on 127.0.0.1."""
import random
import socket
import sys

count = int(sys.argv[1])
sockets = []
while len(sockets) < count:
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", random.randint(20000, 32000)))
        sockets.append(s)
    except OSError:
        s.close()
print(*[s.getsockname()[1] for s in sockets])
