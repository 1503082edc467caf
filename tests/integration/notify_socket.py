#!/usr/bin/env python3
"""A stand-in for systemd's NOTIFY_SOCKET: binds a datagram socket at argv[1] and appends each message
it receives to argv[2] as one line (its newlines turned into spaces). Exits after 120 s at most."""
import socket
import sys
import time

path, log = sys.argv[1], sys.argv[2]
deadline = time.monotonic() + 120
with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listener:
    listener.bind(path)
    while time.monotonic() < deadline:
        listener.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            message = listener.recv(4096)
        except TimeoutError:
            break
        with open(log, "a", encoding="utf-8") as out:
            out.write(message.decode("utf-8", "replace").replace("\n", " ") + "\n")
