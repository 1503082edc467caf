#!/usr/bin/env python3
"""Test helper: passes each TCP connection on 127.0.0.1 to the agent at $SSH_AUTH_SOCK (a Unix socket), so a
Windows program under Wine can reach a Linux agent. Prints the port, then serves until killed."""
import os
import socket
import sys
import threading


def pump(source, destination):
    try:
        while data := source.recv(65536):
            destination.sendall(data)
    except OSError:
        pass
    finally:
        for s in (source, destination):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def serve(client, agent_path):
    agent = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    agent.connect(agent_path)
    threading.Thread(target=pump, args=(agent, client), daemon=True).start()
    pump(client, agent)


def main():
    listener = socket.create_server(("127.0.0.1", 0))
    print(listener.getsockname()[1], flush=True)
    agent_path = os.environ["SSH_AUTH_SOCK"]
    while True:
        client, _ = listener.accept()
        threading.Thread(target=serve, args=(client, agent_path), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
