"""Shared by conformance.py and robustness.py: start an agent binary on a temp socket, talk raw ssh-agent
protocol to it (RFC 9987 framing: uint32 length, then the body whose first byte is the message type),
and load the ssh-add request captures from tests/data/captures. Python 3 standard library only."""

import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "tests", "data")
CAPTURES = os.path.join(DATA, "captures")
KEY_NAMES = ["ed25519", "ecdsa-256", "ecdsa-384", "ecdsa-521", "rsa-2048", "rsa-4096", "dsa-1024"]

# Message numbers (RFC 9987 section 6.1, PROTOCOL.agent).
FAILURE, SUCCESS = 5, 6
REQUEST_IDENTITIES, IDENTITIES_ANSWER = 11, 12
SIGN_REQUEST, SIGN_RESPONSE = 13, 14
ADD_IDENTITY, REMOVE_IDENTITY, REMOVE_ALL_IDENTITIES = 17, 18, 19
LOCK, UNLOCK = 22, 23
ADD_ID_CONSTRAINED = 25
EXTENSION, EXTENSION_FAILURE, EXTENSION_RESPONSE = 27, 28, 29
MAX_FRAME = 256 * 1024  # OpenSSH's AGENT_MAX_LEN: a longer frame closes the connection

FAILURE_REPLY = bytes([FAILURE])
SUCCESS_REPLY = bytes([SUCCESS])
EMPTY_LIST_REPLY = bytes([IDENTITIES_ANSWER]) + struct.pack(">I", 0)


def agent_under_test():
    """The agent binary the test is about: LATCHKEY_AGENT, else the default meson build of latchkeyd."""
    return os.path.abspath(os.environ.get("LATCHKEY_AGENT", os.path.join(ROOT, "build", "agent", "latchkeyd")))


def reference_agent():
    """OpenSSH's ssh-agent, the behaviour latchkeyd must match."""
    return os.environ.get("LATCHKEY_REFERENCE_AGENT", "/usr/bin/ssh-agent")


def u32(n):
    return struct.pack(">I", n)


def string(b):
    if isinstance(b, str):
        b = b.encode()
    return u32(len(b)) + b


def frame(body):
    return u32(len(body)) + body


def capture(name):
    """The body of one captured ssh-add request (no length prefix), e.g. capture('add-ed25519')."""
    with open(os.path.join(CAPTURES, name + ".bin"), "rb") as f:
        return f.read()


class Closed(Exception):
    """The agent closed the connection (EOF or reset)."""


class Conn:
    """One client connection to an agent socket."""

    def __init__(self, path, timeout=10.0):
        deadline = time.monotonic() + timeout
        while True:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(timeout)
            try:
                self.sock.connect(path)
                break
            except BlockingIOError:  # listen backlog full: wait for the agent to accept
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.005)

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send_raw(self, data):
        self.sock.sendall(data)

    def send(self, body):
        self.sock.sendall(frame(body))

    def _read_exact(self, n):
        out = bytearray()
        while len(out) < n:
            try:
                chunk = self.sock.recv(n - len(out))
            except (ConnectionResetError, BrokenPipeError) as e:
                raise Closed(str(e)) from e
            if not chunk:
                raise Closed("EOF after %d of %d bytes" % (len(out), n))
            out += chunk
        return bytes(out)

    def recv(self):
        """The body of the next reply frame. Raises Closed on EOF, socket.timeout if none arrives."""
        (n,) = struct.unpack(">I", self._read_exact(4))
        if n > MAX_FRAME:
            raise AssertionError("reply frame of %d bytes is over the protocol limit" % n)
        return self._read_exact(n)

    def request(self, body):
        self.send(body)
        return self.recv()

    def expect_silence(self, seconds):
        """True if nothing arrives (and the connection stays open) for `seconds`."""
        self.sock.settimeout(seconds)
        try:
            data = self.sock.recv(1)
        except socket.timeout:
            return True
        finally:
            self.sock.settimeout(10.0)
        return False

    def expect_closed(self, seconds=10.0):
        """True if the agent closes the connection within `seconds` (after discarding any bytes)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                return False
            except (ConnectionResetError, BrokenPipeError):
                return True
            if not data:
                return True
        return False


class Agent:
    """An agent process in the foreground (`-D -a SOCKET`) in its own temp dir; stop() kills it."""

    def __init__(self, binary, label, extra_args=(), env=None, preexec_fn=None):
        self.binary = binary
        self.label = label
        self.dir = tempfile.mkdtemp(prefix="latchkey-%s." % label.replace("/", "_"))
        self.sock = os.path.join(self.dir, "agent.sock")
        self.log_path = os.path.join(self.dir, "agent.log")
        if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
            raise SystemExit("FAIL: agent '%s' is not an executable (set LATCHKEY_AGENT, or build latchkeyd)" % binary)
        log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([binary, "-D", "-a", self.sock, *extra_args], stdin=subprocess.DEVNULL,
                                     stdout=log, stderr=subprocess.STDOUT, env=env,
                                     preexec_fn=preexec_fn)
        log.close()
        deadline = time.monotonic() + 10
        while True:
            if self.proc.poll() is not None:
                raise SystemExit("FAIL: %s exited early (status %s): %s" % (label, self.proc.returncode, self.log()))
            try:
                with Conn(self.sock, timeout=2) as c:
                    reply = c.request(bytes([REQUEST_IDENTITIES]))
                if reply[:1] == bytes([IDENTITIES_ANSWER]):
                    break
            except (OSError, Closed):
                pass
            if time.monotonic() > deadline:
                raise SystemExit("FAIL: %s did not answer at %s within 10 s: %s" % (label, self.sock, self.log()))
            time.sleep(0.02)

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")[-4000:]
        except OSError:
            return ""

    def alive(self):
        return self.proc.poll() is None

    def rss_kib(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def conn(self, timeout=10.0):
        return Conn(self.sock, timeout)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def describe(reply):
    """A short readable form of a reply body for failure messages."""
    if reply is None:
        return "<closed>"
    names = {FAILURE: "FAILURE", SUCCESS: "SUCCESS", IDENTITIES_ANSWER: "IDENTITIES_ANSWER",
             SIGN_RESPONSE: "SIGN_RESPONSE", EXTENSION_FAILURE: "EXTENSION_FAILURE",
             EXTENSION_RESPONSE: "EXTENSION_RESPONSE"}
    if not reply:
        return "<empty frame>"
    name = names.get(reply[0], "type %d" % reply[0])
    tail = reply[1:]
    shown = tail[:48].hex() + ("..." if len(tail) > 48 else "")
    return "%s (%d bytes) %s" % (name, len(reply), shown)


def main_guard(fn):
    """Runs fn(); turns an unexpected exception into a failing exit with the traceback."""
    try:
        sys.exit(fn())
    except SystemExit:
        raise
    except BaseException:
        import traceback
        traceback.print_exc()
        print("FAIL: unexpected exception", file=sys.stderr)
        sys.exit(1)
