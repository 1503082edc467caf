#!/usr/bin/env python3
"""Hostile and broken clients never crash or stall the agent under test (LATCHKEY_AGENT): garbage, half frames
then a disconnect, huge length prefixes, clients that vanish mid-reply or never read, connection storms.
After every abuse a connection opened at the start and a fresh one must both still be served, the keys must
be unchanged and the process alive. Random request bodies never use LOCK/UNLOCK (OpenSSH's ssh-agent aborts on
a malformed one, by design, and a random passphrase would lock the agent) nor the remove requests. Last, in a
fresh agent: an idle connection costs little resident memory."""

import os
import random
import socket
import struct
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from agentproto import (EMPTY_LIST_REPLY, MAX_FRAME, REQUEST_IDENTITIES, SIGN_RESPONSE, Agent, Closed, Conn,
                        agent_under_test, capture, frame, main_guard, u32)

LIST = bytes([REQUEST_IDENTITIES])
# Types random bodies may carry: everything but LOCK 22, UNLOCK 23, the removes 9/18/19 and the smartcard
# adds 20/26 (which make OpenSSH try to load a module).
SAFE_TYPES = [t for t in range(256) if t not in (9, 18, 19, 20, 22, 23, 26)]


class Checker:
    def __init__(self, agent):
        self.agent = agent
        self.failures = []
        self.steps = 0
        self.keys = self.restore()
        assert self.keys != EMPTY_LIST_REPLY
        self.watcher = agent.conn(timeout=5)
        self.baseline_rss = agent.rss_kib()

    def restore(self):
        """Drops every key and adds the baseline set again; returns the list answer."""
        with self.agent.conn() as c:
            assert c.request(capture("remove-all")) == b"\x06", "could not remove all keys"
            for name in ["add-ed25519", "add-rsa-4096", "add-rsa-4096-cert"]:
                assert c.request(capture(name)) == b"\x06", "could not " + name
            return c.request(LIST)

    def served(self, what):
        """After `what`: the daemon is alive and both an old and a new connection get the same key list."""
        self.steps += 1
        problems = []
        if not self.agent.alive():
            self.failures.append("%s: the agent died (status %s); log: %s"
                                 % (what, self.agent.proc.returncode, self.agent.log()))
            raise SystemExit(report(self))
        start = time.monotonic()
        try:
            reply = self.watcher.request(LIST)
            if reply != self.keys:
                problems.append("the long-lived connection got a different list")
        except (OSError, Closed) as e:
            problems.append("the long-lived connection failed: %s: %s" % (type(e).__name__, e))
            self.watcher = self.agent.conn(timeout=5)
        try:
            with self.agent.conn(timeout=5) as c:
                if c.request(LIST) != self.keys:
                    problems.append("a new connection got a different list")
                reply = c.request(capture("sign-ed25519"))
                if reply[:1] != bytes([SIGN_RESPONSE]):
                    problems.append("a new connection could not sign")
        except (OSError, Closed) as e:
            problems.append("a new connection failed: %s: %s" % (type(e).__name__, e))
        elapsed = time.monotonic() - start
        if elapsed > 5:
            problems.append("serving took %.1f s (stalled?)" % elapsed)
        rss = self.agent.rss_kib()
        if rss - self.baseline_rss > 64 * 1024:
            problems.append("resident memory grew from %d to %d KiB" % (self.baseline_rss, rss))
        status = "FAIL" if problems else "ok"
        print("%-4s %s" % (status, what))
        for p in problems:
            print("     " + p)
            self.failures.append("%s: %s" % (what, p))


def abandon(agent, data):
    """Connects, writes data (ignoring a reset from an agent that closes early), disconnects unread."""
    with agent.conn() as c:
        try:
            c.send_raw(data)
        except (BrokenPipeError, ConnectionResetError):
            pass


def run(agent):
    rng = random.Random(0x1A7C4)
    ck = Checker(agent)
    ck.served("baseline")

    for size in [1, 3, 4, 5, 100, 4096, 70000]:
        abandon(agent, bytes(rng.getrandbits(8) for _ in range(size)))
        ck.served("%d random bytes, then a disconnect" % size)

    with agent.conn() as c:
        bodies = []
        for _ in range(300):
            t = rng.choice(SAFE_TYPES)
            bodies.append(bytes([t]) + bytes(rng.getrandbits(8) for _ in range(rng.randrange(0, 200))))
        c.send_raw(b"".join(frame(b) for b in bodies))
        answered = 0
        try:
            for _ in bodies:
                c.recv()
                answered += 1
        except (Closed, OSError):
            pass
        print("     (%d of 300 random-bodied frames answered before the agent closed or stopped)" % answered)
    ck.served("300 well-framed requests with random bodies")

    for name in ["add-rsa-4096", "add-ed25519-cert", "sign-rsa-4096", "add-destination-multi"]:
        body = capture(name)
        for _ in range(20):
            mutated = bytearray(body)
            for _ in range(rng.randrange(1, 8)):
                mutated[rng.randrange(1, len(mutated))] = rng.getrandbits(8)
            with agent.conn() as c:
                try:
                    c.request(bytes(mutated))
                except (Closed, OSError):
                    pass
        ck.restore()  # a flip in a comment or in a constraint can legitimately add or change a key
        ck.served("20 bit-flipped copies of " + name)

    sign = frame(capture("sign-rsa-4096"))
    for cut in [1, 2, 3, 4, 5, len(sign) // 2, len(sign) - 1]:
        abandon(agent, sign[:cut])
        ck.served("a sign request cut after %d of %d bytes, then a disconnect" % (cut, len(sign)))

    for length in [MAX_FRAME + 1, 0x40000000, 0x7FFFFFFF, 0xFFFFFFFF]:
        abandon(agent, u32(length) + LIST)
        ck.served("a %d-byte length prefix, then a disconnect" % length)

    with agent.conn() as c:
        try:
            c.send_raw(u32(0x40000000))
            chunk = bytes(65536)
            for _ in range(64):  # 4 MiB of a claimed 1 GiB body
                c.send_raw(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
    ck.served("a 1 GiB length prefix followed by 4 MiB of body")

    holders = []
    for cut in [2, 4, 10, len(sign) - 1]:
        h = agent.conn()
        h.send_raw(sign[:cut])
        holders.append(h)
    ck.served("4 connections holding incomplete frames open")
    for h in holders:
        h.close()
    ck.served("the 4 incomplete connections closed")

    for _ in range(50):
        abandon(agent, frame(capture("sign-rsa-4096")))
        abandon(agent, frame(LIST) * 20)
    ck.served("100 clients that send requests and disconnect before the reply")

    with agent.conn() as c:
        c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        c.sock.settimeout(0.5)
        sent = 0
        try:
            for _ in range(20000):  # ~2 KiB answers each: far more than any socket buffer holds
                c.send_raw(frame(LIST))
                sent += 1
        except (socket.timeout, BlockingIOError, BrokenPipeError, ConnectionResetError):
            pass
        print("     (%d list requests sent to a client that never reads)" % sent)
        ck.served("a client that pipelines requests and never reads the answers (still connected)")
    ck.served("the client that never read disconnected")

    for _ in range(1000):
        Conn(agent.sock).close()
    ck.served("1000 connect/disconnect cycles")

    with agent.conn() as c:
        c.send_raw(frame(b""))
        c.send_raw(frame(LIST))
        try:
            c.expect_closed(0.5)
        except OSError:
            pass
    ck.served("a zero-length frame then a list")

    clients = []
    for _ in range(300):
        clients.append(agent.conn(timeout=30))
    ck.served("300 idle connections open")
    for c in clients:
        c.close()
    ck.served("300 idle connections closed")

    try:
        ck.watcher.close()
    except OSError:
        pass
    return report(ck)


# Connections the idle-cost check holds open (under the agents' 1000-connection limit and the usual 1024
# descriptors), and the most resident memory each may add: OpenSSH's ssh-agent needs about 1.2 KiB,
# latchkeyd about 0.8 KiB since a connection waits for its next request holding no coroutine frame (before,
# 3 KiB).
IDLE_CONNECTIONS = 900
IDLE_COST_LIMIT_BYTES = 2048


def idle_connection_cost(binary):
    """In a fresh agent (so no earlier client's freed memory is reused): the resident memory each of
    IDLE_CONNECTIONS connections adds once it has been answered and waits for its next request. 0 if fine
    (or not measurable: a sanitizer build), else 1; says which."""
    with Agent(binary, "idle-cost") as agent:
        with open("/proc/%d/maps" % agent.proc.pid) as maps:
            mapped = maps.read()
        if any(runtime in mapped for runtime in ("libasan", "libtsan")):
            print("NOTE the idle-connection cost is not measured: the agent is a sanitizer build, "
                  "whose allocator sets the figures")
            return 0
        with agent.conn() as first:
            first.request(LIST)  # the agent has served a client once before the baseline
            before = agent.rss_kib()
            clients = [agent.conn(timeout=30) for _ in range(IDLE_CONNECTIONS)]
            for c in clients:
                if c.request(LIST) != EMPTY_LIST_REPLY:
                    print("FAIL an idle-cost connection got a wrong list answer")
                    return 1
            per_connection = (agent.rss_kib() - before) * 1024 / IDLE_CONNECTIONS
            for c in clients:
                c.close()
    ok = per_connection <= IDLE_COST_LIMIT_BYTES
    print("%-4s %d connections waiting for their next request: %.0f bytes of resident memory each (at most %d)"
          % ("ok" if ok else "FAIL", IDLE_CONNECTIONS, per_connection, IDLE_COST_LIMIT_BYTES))
    return 0 if ok else 1


def report(ck):
    if ck.failures:
        print("FAIL: %d problems in %d checks" % (len(ck.failures), ck.steps))
        return 1
    print("PASS: %d checks, the agent kept serving throughout" % ck.steps)
    return 0


def main():
    binary = agent_under_test()
    print("agent under test: %s" % binary)
    with Agent(binary, "agent-under-test") as agent:
        status = run(agent)
    return idle_connection_cost(binary) or status


if __name__ == "__main__":
    main_guard(main)
