#!/usr/bin/env python3
"""Serves a Unix socket whose every connection is relayed into latchkeyd.exe's named pipe by a
`wine64 pipe_relay.exe PIPE` of its own, so that Linux's ssh-add and ssh-keygen -Y reach the Windows agent.
Usage: unix_bridge.py SOCKET WINE PIPE_RELAY_EXE PIPE. Runs until killed."""
import os
import socket
import subprocess
import sys
import threading


def pump(read, write, done):
    try:
        while True:
            data = read(65536)
            if not data:
                break
            write(data)
    except OSError:
        pass
    done()


def relay(connection, command):
    child = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=sys.stderr.fileno())

    def to_child(data):
        child.stdin.write(data)
        child.stdin.flush()

    threading.Thread(target=pump, args=(connection.recv, to_child, child.stdin.close), daemon=True).start()
    pump(child.stdout.read1, connection.sendall, lambda: connection.shutdown(socket.SHUT_RDWR))
    child.wait()
    connection.close()


def main():
    path, wine, relay_exe, pipe = sys.argv[1:5]
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    os.chmod(path, 0o600)
    server.listen(8)
    while True:
        connection, _ = server.accept()
        threading.Thread(target=relay, args=(connection, [wine, relay_exe, pipe]), daemon=True).start()


if __name__ == "__main__":
    main()
