#!/usr/bin/env python3
"""Soak test of the agent in LATCHKEY_AGENT (default build/agent/latchkeyd): for SECONDS (argument, default 60)
hundreds of clients sign with every key type (each signature verified) while others add and remove
certificates, lock and unlock, and list, and hostile clients disconnect mid-request, stall on half a frame,
never read their replies, and send oversize or garbage frames. Then connections are opened until the agent's
file descriptor limit (lowered to FD_LIMIT) is hit. Fails on any wrong or missing answer, a lost key, memory or
descriptors not back to their baseline afterwards, an acceptor that spins at the limit or does not recover,
or a stalled client that costs more than its own socket. Prints a summary. Needs python3-cryptography."""

import asyncio
import base64
import os
import random
import resource
import socket
import struct
import sys
import time
import traceback

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from agentproto import (DATA, FAILURE, IDENTITIES_ANSWER, KEY_NAMES, MAX_FRAME, REQUEST_IDENTITIES,  # noqa: E402
                        SIGN_REQUEST, SIGN_RESPONSE, SUCCESS, Agent, agent_under_test, capture, frame, string, u32)

try:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, padding, rsa, utils
except ImportError:
    raise SystemExit("FAIL: the soak test needs python3-cryptography (apt-get install python3-cryptography)")

FD_LIMIT = 512          # RLIMIT_NOFILE of the agent under test
SIGNERS = 200           # concurrent signing clients
LISTERS = 10
SLOW_CLIENTS = 100      # announce a 256 KiB frame, send a little of it, then silence for the whole storm
DEAF_CLIENTS = 10       # pipeline requests, never read
REPLY_TIMEOUT = 30.0    # a well-formed request unanswered for this long is a failure
RSS_SLACK_KIB = 8 * 1024  # above the baseline: at the storm's peak, with the stalled clients connected, and
                          # after the storm (the stalled frames hold what they sent, not the 25 MiB they
                          # announce: reading the whole announced length up front cost 16 MiB here)
IDLE_CPU_LIMIT = 0.5    # CPU seconds the agent may use in the 3 s it sits at its descriptor limit
LOCK, UNLOCK = capture("lock"), capture("unlock")
LIST = bytes([REQUEST_IDENTITIES])
ADD_IDENTITY, REMOVE_IDENTITY = 17, 18
# Random bodies never lock, unlock, remove or load smartcard keys: those change what every client sees.
GARBAGE_TYPES = [t for t in range(256) if t not in (9, 18, 19, 20, 22, 23, 26)]


class Reader:
    """RFC 4251 reader over one blob."""

    def __init__(self, data):
        self.data, self.at = data, 0

    def string(self):
        (n,) = struct.unpack(">I", self.data[self.at:self.at + 4])
        value = self.data[self.at + 4:self.at + 4 + n]
        if len(value) != n:
            raise ValueError("truncated string")
        self.at += 4 + n
        return value

    def mpint(self):
        return int.from_bytes(self.string(), "big")


class Key:
    """One key of tests/data/keys: its public blob (plain or certificate) and a verifier of its signatures."""

    def __init__(self, name, certificate=False):
        path = os.path.join(DATA, "keys", name + ("-cert.pub" if certificate else ".pub"))
        with open(path, "rb") as f:
            self.blob = base64.b64decode(f.read().split()[1])
        with open(os.path.join(DATA, "keys", name + ".pub"), "rb") as f:
            self.public = serialization.load_ssh_public_key(f.read())
        self.name = name + ("-cert" if certificate else "")

    def sign_request(self, data, flags):
        return bytes([SIGN_REQUEST]) + string(self.blob) + string(data) + u32(flags)

    def verify(self, signature, data, flags):
        """Raises unless `signature` (the SSH signature blob) is this key's over data, with the algorithm asked for."""
        outer = Reader(signature)
        algorithm, raw = outer.string().decode(), outer.string()
        key = self.public
        if isinstance(key, ed25519.Ed25519PublicKey):
            expect(algorithm == "ssh-ed25519", algorithm)
            key.verify(raw, data)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            bits = key.curve.key_size
            expect(algorithm == "ecdsa-sha2-nistp%d" % bits, algorithm)
            digest = {256: hashes.SHA256(), 384: hashes.SHA384(), 521: hashes.SHA512()}[bits]
            inner = Reader(raw)
            key.verify(utils.encode_dss_signature(inner.mpint(), inner.mpint()), data, ec.ECDSA(digest))
        elif isinstance(key, rsa.RSAPublicKey):
            name, digest = {0: ("ssh-rsa", hashes.SHA1()), 2: ("rsa-sha2-256", hashes.SHA256()),
                            4: ("rsa-sha2-512", hashes.SHA512())}[flags]
            expect(algorithm == name, algorithm)
            key.verify(raw, data, padding.PKCS1v15(), digest)
        elif isinstance(key, dsa.DSAPublicKey):
            expect(algorithm == "ssh-dss" and len(raw) == 40, algorithm)
            r, s = int.from_bytes(raw[:20], "big"), int.from_bytes(raw[20:], "big")
            key.verify(utils.encode_dss_signature(r, s), data, hashes.SHA1())
        else:
            raise AssertionError("no verifier for " + self.name)


def expect(condition, what):
    if not condition:
        raise AssertionError(what)


class Stats:
    def __init__(self):
        self.requests = 0
        self.answered = 0
        self.verified = 0
        self.refused_while_locked = 0
        self.hostile = 0
        self.failures = []

    def fail(self, message):
        if len(self.failures) < 50:
            print("FAIL " + message, flush=True)
        self.failures.append(message)


class LockState:
    """Whether the agent may be locked: a request that overlaps a lock window may be refused."""

    def __init__(self):
        self.possible = False
        self.epoch = 0

    def snapshot(self):
        return self.possible, self.epoch

    def may_refuse(self, before):
        return before[0] or self.possible or self.epoch != before[1]


class Client:
    """One asyncio connection that sends a framed request and reads its framed reply."""

    def __init__(self, reader, writer):
        self.reader, self.writer = reader, writer

    full_backlog_waits = 0  # connects that found the agent's listen backlog full and tried again

    @classmethod
    async def open(cls, path, wait_for_backlog=True):
        """Connects as a blocking client (ssh, ssh-add) does: while the agent's listen backlog is full, connect
        fails with EAGAIN and is tried again (or, with wait_for_backlog False, raises BlockingIOError).
        asyncio.open_unix_connection(path) must not be used here: it takes that EAGAIN for a connect in
        progress and hands back a socket that never got connected, whose first recv fails with EINVAL."""
        while True:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.setblocking(False)
            try:
                sock.connect(path)
                break
            except BlockingIOError:
                sock.close()
                if not wait_for_backlog:
                    raise
                cls.full_backlog_waits += 1
                await asyncio.sleep(0.005)
            except BaseException:
                sock.close()
                raise
        reader, writer = await asyncio.open_unix_connection(sock=sock)
        return cls(reader, writer)

    async def request(self, body):
        self.writer.write(frame(body))
        await self.writer.drain()
        (n,) = struct.unpack(">I", await self.reader.readexactly(4))
        expect(n <= MAX_FRAME, "reply of %d bytes" % n)
        return await self.reader.readexactly(n)

    def close(self):
        self.writer.close()


def process_stat(pid):
    """(CPU seconds used, open descriptors, resident KiB) of the agent."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    fds = len(os.listdir("/proc/%d/fd" % pid))
    rss = 0
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
    return cpu, fds, rss


def listed_blobs(reply):
    expect(reply[:1] == bytes([IDENTITIES_ANSWER]), "not an identities answer")
    r = Reader(reply)
    r.at = 1
    (count,) = struct.unpack(">I", reply[1:5])
    r.at = 5
    blobs = set()
    for _ in range(count):
        blobs.add(r.string())
        r.string()
    return blobs


class Soak:
    def __init__(self, agent, seconds):
        self.agent = agent
        self.seconds = seconds
        self.stats = Stats()
        self.lock = LockState()
        self.stable = [Key(name) for name in KEY_NAMES]
        self.certificates = [Key(name, certificate=True) for name in KEY_NAMES]
        self.stop = asyncio.Event()     # the storm is over for every client but the stalled ones
        self.release = asyncio.Event()  # the stalled clients may go
        self.peak_rss = 0
        self.peak_fds = 0
        self.open_connections = 0
        self.baseline_fds = 0
        self.baseline_rss = 1 << 40  # no memory check until the baseline is taken after the warm-up
        self.rss_reported = False

    async def connect(self):
        client = await asyncio.wait_for(Client.open(self.agent.sock), REPLY_TIMEOUT)
        self.open_connections += 1
        return client

    def disconnect(self, client):
        client.close()
        self.open_connections -= 1

    async def ask(self, client, body, what):
        """Sends one well-formed request; returns (reply, may_refuse) or (None, _) after recording a failure."""
        before = self.lock.snapshot()
        self.stats.requests += 1
        try:
            reply = await asyncio.wait_for(client.request(body), REPLY_TIMEOUT)
        except asyncio.TimeoutError:
            self.stats.fail("%s: no answer within %.0f s" % (what, REPLY_TIMEOUT))
            return None, True
        except (OSError, asyncio.IncompleteReadError) as e:
            self.stats.fail("%s: connection failed: %s" % (what, e))
            return None, True
        self.stats.answered += 1
        return reply, self.lock.may_refuse(before)

    async def check_signature(self, client, key, rng, what):
        data = rng.randbytes(rng.randrange(1, 300))
        flags = rng.choice([0, 2, 4]) if isinstance(key.public, rsa.RSAPublicKey) else 0
        reply, may_refuse = await self.ask(client, key.sign_request(data, flags), what)
        if reply is None:
            return
        if reply[:1] == bytes([SIGN_RESPONSE]):
            try:
                key.verify(Reader(reply[1:]).string(), data, flags)
                self.stats.verified += 1
            except (AssertionError, InvalidSignature, ValueError, KeyError) as e:
                self.stats.fail("%s: signature by %s does not verify: %r" % (what, key.name, e))
        elif reply == bytes([FAILURE]) and may_refuse:
            self.stats.refused_while_locked += 1
        else:
            self.stats.fail("%s: %s answered %r" % (what, key.name, reply[:16]))

    # ---- well-behaved clients ----

    async def signer(self, index):
        rng = random.Random(index)
        client = await self.connect()
        while not self.stop.is_set():
            key = rng.choice(self.stable)
            await self.check_signature(client, key, rng, "signer %d" % index)
            if rng.random() < 0.02:  # sometimes reconnect, as ssh does per session
                self.disconnect(client)
                client = await self.connect()
        self.disconnect(client)

    async def lister(self, index):
        client = await self.connect()
        wanted = {key.blob for key in self.stable}
        while not self.stop.is_set():
            reply, may_refuse = await self.ask(client, LIST, "lister %d" % index)
            if reply is not None:
                try:
                    blobs = listed_blobs(reply)
                except (AssertionError, ValueError, struct.error) as e:
                    self.stats.fail("lister %d: bad list: %r" % (index, e))
                    continue
                if not wanted <= blobs and not (may_refuse and not blobs):
                    self.stats.fail("lister %d: %d of the %d keys that must be held are missing"
                                    % (index, len(wanted - blobs), len(wanted)))
            await asyncio.sleep(0.05)
        self.disconnect(client)

    async def churner(self, certificate, key):
        """Adds and removes one certificate (only this client touches it), signing with it while it is held."""
        rng = random.Random(certificate.name)
        client = await self.connect()
        while not self.stop.is_set():
            reply, may_refuse = await self.ask(client, capture("add-%s-cert" % key.name), "add " + certificate.name)
            if reply is None:
                continue
            if reply != bytes([SUCCESS]):
                if not (reply == bytes([FAILURE]) and may_refuse):
                    self.stats.fail("add %s answered %r" % (certificate.name, reply[:16]))
                continue
            await self.check_signature(client, certificate, rng, "churner")
            remove = bytes([REMOVE_IDENTITY]) + string(certificate.blob)
            reply, may_refuse = await self.ask(client, remove, "remove " + certificate.name)
            if reply is not None and reply != bytes([SUCCESS]) and not (reply == bytes([FAILURE]) and may_refuse):
                self.stats.fail("remove %s answered %r" % (certificate.name, reply[:16]))
        self.disconnect(client)

    async def locker(self):
        """Locks and unlocks the agent; the only client that does, so every answer is known."""
        rng = random.Random(7)
        client = await self.connect()
        while not self.stop.is_set():
            await asyncio.sleep(rng.uniform(1.0, 3.0))
            self.lock.possible = True
            self.lock.epoch += 1
            reply, _ = await self.ask(client, LOCK, "lock")
            if reply is not None and reply != bytes([SUCCESS]):
                self.stats.fail("lock answered %r" % reply[:16])
            await asyncio.sleep(0.1)
            reply, _ = await self.ask(client, UNLOCK, "unlock")
            if reply is not None and reply != bytes([SUCCESS]):
                self.stats.fail("unlock answered %r" % reply[:16])
            self.lock.epoch += 1
            self.lock.possible = False
        self.disconnect(client)

    # ---- hostile clients ----

    async def vanisher(self, seed):
        """Sends part of a request, or a whole one, and disconnects without reading."""
        rng = random.Random(seed)
        while not self.stop.is_set():
            message = frame(rng.choice(self.stable).sign_request(rng.randbytes(64), 0))
            cut = rng.choice([1, 3, 4, 5, len(message) // 2, len(message) - 1, len(message)])
            client = await self.connect()
            try:
                client.writer.write(message[:cut])
                await client.writer.drain()
            except OSError:
                pass  # the agent may close first: that is its right
            self.disconnect(client)
            self.stats.hostile += 1
            await asyncio.sleep(0.01)

    async def slowloris(self, seed):
        """Announces a frame of the largest size, sends part of it, then stalls until the storm ends."""
        rng = random.Random(seed)
        client = await self.connect()
        kind = rng.choice([SIGN_REQUEST, ADD_IDENTITY])  # an add's body goes to locked memory
        client.writer.write(u32(MAX_FRAME) + bytes([kind]) + rng.randbytes(rng.randrange(0, 2000)))
        await client.writer.drain()
        self.stats.hostile += 1
        await self.release.wait()
        self.disconnect(client)

    async def deaf(self, seed):
        """Pipelines list requests and never reads the answers."""
        client = await self.connect()
        client.writer.write(frame(LIST) * 2000)
        self.stats.hostile += 1
        await self.release.wait()
        self.disconnect(client)

    async def oversize(self, seed):
        """Announces frames over the limit (or huge); the agent must close just that connection."""
        rng = random.Random(seed)
        while not self.stop.is_set():
            client = await self.connect()
            length = rng.choice([MAX_FRAME + 1, 1 << 30, 0xFFFFFFFF])
            client.writer.write(u32(length) + bytes([SIGN_REQUEST]) + rng.randbytes(100))
            try:
                await client.writer.drain()
                rest = await asyncio.wait_for(client.reader.read(), REPLY_TIMEOUT)
                if rest:
                    self.stats.fail("an oversize frame of %d bytes was answered %r" % (length, rest[:16]))
            except asyncio.TimeoutError:
                self.stats.fail("an oversize frame of %d bytes did not close its connection" % length)
            except OSError:
                pass  # reset by the agent: closed, as it should be
            self.disconnect(client)
            self.stats.hostile += 1
            await asyncio.sleep(0.05)

    async def garbage(self, seed):
        """Well-framed random bodies; any answer is fine, then the connection must still serve a list."""
        rng = random.Random(seed)
        while not self.stop.is_set():
            client = await self.connect()
            body = bytes([rng.choice(GARBAGE_TYPES)]) + rng.randbytes(rng.randrange(0, 400))
            try:
                await asyncio.wait_for(client.request(body), REPLY_TIMEOUT)
                self.stats.hostile += 1
            except (OSError, asyncio.IncompleteReadError):
                self.stats.hostile += 1  # closing a connection that sent nonsense is allowed
            except asyncio.TimeoutError:
                self.stats.fail("a random body of type %d was never answered" % body[0])
            self.disconnect(client)

    # ---- phases ----

    async def sample(self):
        while not self.stop.is_set():
            await asyncio.sleep(0.2)
            if self.stop.is_set():
                break  # the clients are leaving; the agent's count lags behind
            _, fds, rss = process_stat(self.agent.proc.pid)
            self.peak_rss, self.peak_fds = max(self.peak_rss, rss), max(self.peak_fds, fds)
            # a stalled client may cost its socket and nothing else
            if rss > self.baseline_rss + RSS_SLACK_KIB and not self.rss_reported:
                self.rss_reported = True
                self.stats.fail("during the storm the agent's memory reached %d KiB (baseline %d KiB)"
                                % (rss, self.baseline_rss))


    async def finish(self, running):
        for outcome in await asyncio.gather(*running, return_exceptions=True):
            if isinstance(outcome, BaseException):
                where = traceback.extract_tb(outcome.__traceback__)[-1]
                self.stats.fail("a client crashed: %r at line %d (%s)" % (outcome, where.lineno, where.line))

    async def storm(self, seconds, hostile=True):
        self.stop.clear()
        self.release.clear()
        tasks = [self.signer(i) for i in range(SIGNERS)]
        tasks += [self.lister(i) for i in range(LISTERS)]
        tasks += [self.churner(cert, key) for cert, key in zip(self.certificates, self.stable)]
        tasks.append(self.locker())
        stalled = []
        if hostile:
            tasks += [self.vanisher(i) for i in range(2)] + [self.oversize(0)] + [self.garbage(i) for i in range(2)]
            stalled = [self.slowloris(i) for i in range(SLOW_CLIENTS)] + [self.deaf(i) for i in range(DEAF_CLIENTS)]
        tasks.append(self.sample())
        running = [asyncio.ensure_future(t) for t in tasks]
        stalling = [asyncio.ensure_future(t) for t in stalled]
        await asyncio.sleep(seconds)
        self.stop.set()
        await self.finish(running)
        if stalling:
            await self.check_stalled_cost(len(stalling))
        self.release.set()
        await self.finish(stalling)

    async def check_stalled_cost(self, count):
        """With only the stalled clients left connected, each must cost the agent its socket and nothing more,
        and a new client must be served."""
        pid = self.agent.proc.pid
        await self.settle("with %d stalled clients connected the agent's descriptors did not settle at %d + %d"
                          % (count, self.baseline_fds, count),
                          lambda: process_stat(pid)[1] <= self.baseline_fds + count)
        _, fds, rss = process_stat(pid)
        if rss > self.baseline_rss + RSS_SLACK_KIB:
            self.stats.fail("%d stalled clients hold %d KiB of the agent's memory" % (count, rss - self.baseline_rss))
        client = await self.connect()
        reply, _ = await self.ask(client, LIST, "a new client beside %d stalled ones" % count)
        self.disconnect(client)
        print("stalled clients: %d connected, agent at %d descriptors (baseline %d), %d KiB (baseline %d KiB)"
              % (count, fds, self.baseline_fds, rss, self.baseline_rss), flush=True)

    async def descriptor_limit(self):
        """Opens connections past the agent's descriptor limit: existing clients must still be served, the agent
        must not spin, and once they close it must accept again. Returns the CPU seconds used at the limit."""
        watcher = await self.connect()
        held = []
        for _ in range(FD_LIMIT + 64):
            try:
                client = await Client.open(self.agent.sock, wait_for_backlog=False)
            except OSError:
                break  # the listen backlog is full too
            client.writer.write(frame(LIST))
            held.append(client)
        cpu_before = process_stat(self.agent.proc.pid)[0]
        await asyncio.sleep(3)
        cpu_used = process_stat(self.agent.proc.pid)[0] - cpu_before
        _, fds, _ = process_stat(self.agent.proc.pid)
        self.peak_fds = max(self.peak_fds, fds)
        if fds < FD_LIMIT - 16:
            self.stats.fail("%d connections left the agent at %d descriptors, short of its limit %d"
                            % (len(held), fds, FD_LIMIT))
        if cpu_used > IDLE_CPU_LIMIT:
            self.stats.fail("at its descriptor limit the agent used %.2f s of CPU in 3 s (spinning?)" % cpu_used)
        reply, _ = await self.ask(watcher, LIST, "a client connected before the limit was hit")
        if reply is not None and not {key.blob for key in self.stable} <= listed_blobs(reply):
            self.stats.fail("keys missing at the descriptor limit")
        for client in held:
            client.close()
        self.disconnect(watcher)
        started = time.monotonic()
        fresh = await self.connect()
        reply, _ = await self.ask(fresh, LIST, "a new client after the descriptor storm")
        self.disconnect(fresh)
        if time.monotonic() - started > 5:
            self.stats.fail("the agent took %.1f s to accept again after the limit" % (time.monotonic() - started))
        print("descriptor limit: %d connections held, agent at %d descriptors, %.2f s CPU in 3 s"
              % (len(held), fds, cpu_used), flush=True)
        return cpu_used

    async def settle(self, what, condition, seconds=15):
        """Waits until condition() holds (polled), failing with `what` if it does not within `seconds`."""
        deadline = time.monotonic() + seconds
        while not condition():
            if time.monotonic() > deadline:
                self.stats.fail(what)
                return
            await asyncio.sleep(0.1)

    async def run(self):
        client = await self.connect()
        for key in self.stable:
            reply, _ = await self.ask(client, capture("add-" + key.name), "add " + key.name)
            expect(reply == bytes([SUCCESS]), "could not add " + key.name)
        self.disconnect(client)
        self.baseline_fds = process_stat(self.agent.proc.pid)[1]
        warm_up = min(5.0, self.seconds * 0.1)
        await self.storm(warm_up, hostile=False)  # every worker thread signs once with every key
        await self.settle("descriptors not back after the warm-up",
                          lambda: process_stat(self.agent.proc.pid)[1] <= self.baseline_fds)
        _, self.baseline_fds, self.baseline_rss = process_stat(self.agent.proc.pid)
        baseline_rss = self.baseline_rss
        await self.storm(max(5.0, self.seconds - warm_up - 8))
        cpu_at_limit = await self.descriptor_limit()
        await self.settle("the agent's descriptors did not return to %d" % self.baseline_fds,
                          lambda: process_stat(self.agent.proc.pid)[1] <= self.baseline_fds)
        await self.settle("resident memory did not return within %d KiB of its baseline %d KiB"
                          % (RSS_SLACK_KIB, baseline_rss),
                          lambda: process_stat(self.agent.proc.pid)[2] <= baseline_rss + RSS_SLACK_KIB)
        client = await self.connect()
        reply, _ = await self.ask(client, LIST, "the final list")
        self.disconnect(client)
        if reply is None or not {key.blob for key in self.stable} <= listed_blobs(reply):
            self.stats.fail("keys were lost during the soak")
        if not self.agent.alive():
            self.stats.fail("the agent died: " + self.agent.log())
        _, fds, rss = process_stat(self.agent.proc.pid)
        s = self.stats
        print("soak summary: %d requests, %d answered, %d signatures verified, %d refused while locked, "
              "%d hostile connections, %d connects that waited for a full listen backlog, %d failures"
              % (s.requests, s.answered, s.verified, s.refused_while_locked, s.hostile, Client.full_backlog_waits,
                 len(s.failures)))
        print("  memory: baseline %d KiB, peak %d KiB, final %d KiB; descriptors: baseline %d, peak %d, final %d; "
              "CPU at the descriptor limit %.2f s / 3 s" % (baseline_rss, self.peak_rss, rss, self.baseline_fds,
                                                          self.peak_fds, fds, cpu_at_limit))
        return 1 if s.failures else 0


def lower_descriptor_limit():
    resource.setrlimit(resource.RLIMIT_NOFILE, (FD_LIMIT, FD_LIMIT))


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 60.0
    if seconds < 20:
        raise SystemExit("FAIL: the soak needs at least 20 seconds")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4096)), hard))  # this side holds many sockets
    with Agent(agent_under_test(), "soak", preexec_fn=lower_descriptor_limit) as agent:
        status = asyncio.run(Soak(agent, seconds).run())
        if status:
            print("agent log (tail):\n" + agent.log())
        print("PASS" if status == 0 else "FAIL: see above")
        return status


if __name__ == "__main__":
    sys.exit(main())
