#!/usr/bin/env python3
"""Raw ssh-agent protocol conformance: every case runs against the agent under test (LATCHKEY_AGENT) and
against OpenSSH's ssh-agent (LATCHKEY_REFERENCE_AGENT, default /usr/bin/ssh-agent), each freshly started.
Each case checks what the protocol requires of any agent, and records replies that both agents must give
byte for byte; any difference fails. Deliberately not compared (see README.md): the `query` extension,
a failing session-bind (FAILURE in 9.2, EXTENSION_FAILURE in 10.3+) and the list after it (9.4+ hides
destination-restricted keys), trailing bytes after a complete
request, the zero-length frame, and malformed LOCK/UNLOCK bodies (OpenSSH aborts the whole agent on those)."""

import base64
import os
import socket
import struct
import sys
import time
import traceback

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from agentproto import (ADD_ID_CONSTRAINED, ADD_IDENTITY, DATA, EMPTY_LIST_REPLY, EXTENSION, EXTENSION_FAILURE,
                        EXTENSION_RESPONSE, FAILURE, FAILURE_REPLY, IDENTITIES_ANSWER, KEY_NAMES, LOCK, MAX_FRAME,
                        REMOVE_ALL_IDENTITIES, REMOVE_IDENTITY, REQUEST_IDENTITIES, SIGN_REQUEST, SIGN_RESPONSE,
                        SUCCESS_REPLY, UNLOCK, Agent, Closed, agent_under_test, capture, describe, frame, main_guard,
                        reference_agent, string, u32)

LIST = bytes([REQUEST_IDENTITIES])
# Keys whose signatures are deterministic (Ed25519, RSA PKCS#1 v1.5): both agents must return the same bytes.
DETERMINISTIC = ["ed25519", "rsa-2048", "rsa-4096"]


class Transcript:
    """What one agent answered in one case: compared entries, and expectation failures."""

    def __init__(self, label):
        self.label = label
        self.entries = []  # (step, value) that both agents must agree on
        self.errors = []
        self.notes = []

    def record(self, step, value):
        self.entries.append((step, value))

    def check(self, cond, step, message):
        if not cond:
            self.errors.append("%s: %s" % (step, message))
        return cond

    def ask(self, conn, step, body, expect=None, compare=True):
        """Sends body, returns the reply (None if the agent closed the connection). `expect` is a reply
        body or a predicate on it."""
        try:
            reply = conn.request(body)
        except Closed:
            reply = None
        except socket.timeout:
            self.errors.append("%s: no reply within %.0f s" % (step, conn.sock.gettimeout()))
            raise
        if compare:
            self.record(step, reply)
        if expect is not None:
            ok = expect(reply) if callable(expect) else reply == expect
            self.check(ok, step, "unexpected reply %s%s" % (
                describe(reply), "" if callable(expect) else ", expected " + describe(expect)))
        return reply


def parse_list(reply):
    """[(key blob, comment)] from an IDENTITIES_ANSWER body; raises ValueError if malformed."""
    if not reply or reply[0] != IDENTITIES_ANSWER:
        raise ValueError("not an IDENTITIES_ANSWER: " + describe(reply))
    (n,) = struct.unpack(">I", reply[1:5])
    pos, out = 5, []
    for _ in range(n):
        items = []
        for _ in range(2):
            (ln,) = struct.unpack(">I", reply[pos:pos + 4])
            items.append(reply[pos + 4:pos + 4 + ln])
            pos += 4 + ln
        out.append((items[0], items[1].decode()))
    if pos != len(reply):
        raise ValueError("trailing bytes in IDENTITIES_ANSWER")
    return out


def sig_algorithm(reply):
    """The signature format name inside a SIGN_RESPONSE body."""
    if not reply or reply[0] != SIGN_RESPONSE:
        return None
    sig = reply[5:]
    (ln,) = struct.unpack(">I", sig[:4])
    return sig[4:4 + ln].decode()


def with_flags(sign_body, flags):
    """A captured SIGN_REQUEST with its trailing uint32 flags replaced."""
    return sign_body[:-4] + u32(flags)


def expect_list_of(comments):
    def check(reply):
        try:
            return [c for _, c in parse_list(reply)] == comments
        except (ValueError, struct.error, UnicodeDecodeError):
            return False
    return check


# --- cases: each takes (agent, transcript) ---

def case_unknown_messages(agent, t):
    """Unknown and legacy message types answer FAILURE and the connection stays usable."""
    with agent.conn() as c:
        t.ask(c, "list on a fresh agent", LIST, EMPTY_LIST_REPLY)
        for msg_type in [0, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 15, 16, 24, 28, 29, 30, 99, 128, 200, 255]:
            t.ask(c, "bare message type %d" % msg_type, bytes([msg_type]), FAILURE_REPLY)
            t.ask(c, "message type %d with a body" % msg_type, bytes([msg_type]) + string("x") * 3, FAILURE_REPLY)
        t.ask(c, "list after unknown types (same connection)", LIST, EMPTY_LIST_REPLY)
        # Legacy SSH-1 REQUEST_RSA_IDENTITIES: 9.2 answers FAILURE, older agents an empty SSH-1 list.
        reply = t.ask(c, "legacy type 1", bytes([1]), compare=False)
        t.check(reply in (FAILURE_REPLY, bytes([2]) + u32(0)), "legacy type 1",
                "expected FAILURE or an empty SSH-1 list, got " + describe(reply))
        t.ask(c, "smartcard add of a missing provider", capture("add-smartcard"), FAILURE_REPLY)
        t.ask(c, "constrained smartcard add of a missing provider", capture("add-smartcard-constrained"),
              FAILURE_REPLY)
        t.ask(c, "smartcard remove of a missing provider", capture("remove-smartcard"), FAILURE_REPLY)
        t.ask(c, "legacy type 9 (remove all SSH-1 keys)", capture("remove-all-ssh1"), SUCCESS_REPLY)
        t.ask(c, "list at the end", LIST, EMPTY_LIST_REPLY)


def case_keys(agent, t):
    """Adding every key type and certificate, listing, signing (bytes equal where deterministic), removing."""
    with agent.conn() as c:
        for name in KEY_NAMES:
            t.ask(c, "add " + name, capture("add-" + name), SUCCESS_REPLY)
        comments = ["latchkey-test-" + n for n in KEY_NAMES]
        t.ask(c, "list after adding every key type", LIST, expect_list_of(comments))
        for name in KEY_NAMES:
            t.ask(c, "add %s certificate" % name, capture("add-%s-cert" % name), SUCCESS_REPLY)
        t.ask(c, "list in insertion order, certificates after keys", LIST, expect_list_of(comments + comments))
        for name in KEY_NAMES:
            body = capture("sign-" + name)
            if name in DETERMINISTIC:
                reply = t.ask(c, "sign with " + name, body, lambda r: r is not None and r[:1] == bytes([SIGN_RESPONSE]))
            else:
                reply = t.ask(c, "sign with " + name, body, compare=False)
                t.record("sign with %s: signature format" % name, sig_algorithm(reply))
            if name.startswith("rsa"):
                t.check(sig_algorithm(reply) == "ssh-rsa", "sign with " + name, "flags 0 must give ssh-rsa, got %r"
                        % sig_algorithm(reply))
                for flags, alg in [(2, "rsa-sha2-256"), (4, "rsa-sha2-512"), (6, None)]:
                    r = t.ask(c, "sign with %s, flags %d" % (name, flags), with_flags(body, flags))
                    if alg:
                        t.check(sig_algorithm(r) == alg, "sign with %s, flags %d" % (name, flags),
                                "expected %s, got %r" % (alg, sig_algorithm(r)))
            elif name in DETERMINISTIC:
                t.ask(c, "sign with %s, RSA flag 2 (ignored)" % name, with_flags(body, 2), reply)
        t.ask(c, "sign with the ed25519 certificate", capture("sign-ed25519-cert"),
              lambda r: sig_algorithm(r) == "ssh-ed25519")
        before = t.ask(c, "list before re-adding", LIST)
        t.ask(c, "re-add ed25519 (already held)", capture("add-ed25519"), SUCCESS_REPLY)
        t.ask(c, "re-add ed25519 with a lifetime", capture("add-constrained-lifetime"), SUCCESS_REPLY)
        t.ask(c, "list after re-adding keeps one copy in place", LIST, before)
        t.ask(c, "remove ed25519", capture("remove"), SUCCESS_REPLY)
        t.ask(c, "remove ed25519 again", capture("remove"), FAILURE_REPLY)
        t.ask(c, "sign with the removed ed25519 key", capture("sign-ed25519"), FAILURE_REPLY)
        t.ask(c, "sign with the ed25519 certificate, key removed", capture("sign-ed25519-cert"),
              lambda r: sig_algorithm(r) == "ssh-ed25519")
        t.ask(c, "remove ed25519 certificate", capture("remove-cert"), SUCCESS_REPLY)
        t.ask(c, "sign with the removed certificate", capture("sign-ed25519-cert"), FAILURE_REPLY)
        t.ask(c, "list after removals", LIST, expect_list_of(comments[1:] + comments[1:]))
        t.ask(c, "remove all", capture("remove-all"), SUCCESS_REPLY)
        t.ask(c, "list after remove all", LIST, EMPTY_LIST_REPLY)
        t.ask(c, "remove all on an empty agent", capture("remove-all"), SUCCESS_REPLY)
        t.ask(c, "add ed25519 for remove-all-ssh1", capture("add-ed25519"), SUCCESS_REPLY)
        t.ask(c, "legacy type 9 removes all keys", capture("remove-all-ssh1"), SUCCESS_REPLY)
        t.ask(c, "list after type 9", LIST)
        for name in ["add-constrained-confirm", "add-constrained-both", "add-destination",
                     "add-destination-multi", "add-destination-two-hop", "add-destination-ca"]:
            t.ask(c, "constrained add: " + name, capture(name))
            t.ask(c, "list after " + name, LIST)
            if name.startswith("add-destination"):
                t.ask(c, "sign with %s's key on a connection bound to no host" % name, capture("sign-ed25519"),
                      FAILURE_REPLY)
            t.ask(c, "remove all after " + name, capture("remove-all"), SUCCESS_REPLY)


def case_malformed(agent, t):
    """Truncated and malformed requests answer FAILURE, change nothing, and keep the connection."""
    with agent.conn() as c:
        t.ask(c, "add ed25519", capture("add-ed25519"), SUCCESS_REPLY)
        base = t.ask(c, "list", LIST)
        for name in ["add-rsa-2048", "add-ecdsa-256", "add-ed25519-cert", "add-constrained-lifetime",
                     "sign-ed25519", "sign-rsa-2048", "remove", "remove-cert", "add-destination"]:
            body = capture(name)
            for cut in sorted({1, 2, 5, 9, len(body) // 2, len(body) - 1}):
                t.ask(c, "%s truncated to %d of %d bytes" % (name, cut, len(body)), body[:cut], FAILURE_REPLY)
        add = capture("add-ed25519-cert")
        constrained = bytes([ADD_ID_CONSTRAINED]) + add[1:]
        t.ask(c, "add with an unknown constraint type", constrained + bytes([99]), FAILURE_REPLY)
        t.ask(c, "add with a truncated lifetime", constrained + bytes([1, 0, 0]), FAILURE_REPLY)
        t.ask(c, "add with an unknown constraint extension",
              constrained + bytes([255]) + string("unknown-constraint@example.com") + string(""), FAILURE_REPLY)
        t.ask(c, "add with a valid then an unknown constraint", constrained + bytes([1]) + u32(600) + bytes([42]),
              FAILURE_REPLY)
        t.ask(c, "add of an unknown key type",
              bytes([17]) + string("ssh-unknown@example.com") + string("x" * 32) + string("c"), FAILURE_REPLY)
        sign = capture("sign-ed25519")
        t.ask(c, "sign with a key blob length of 2^32-1", bytes([13]) + u32(0xFFFFFFFF) + sign[5:], FAILURE_REPLY)
        t.ask(c, "sign with a garbage key blob", bytes([13]) + string("garbage") + string("data") + u32(0),
              FAILURE_REPLY)
        t.ask(c, "remove with a garbage key blob", bytes([18]) + string("garbage"), FAILURE_REPLY)
        t.ask(c, "extension without a name", bytes([EXTENSION]), FAILURE_REPLY)
        t.ask(c, "extension with an empty name", bytes([EXTENSION]) + string(""), FAILURE_REPLY)
        t.ask(c, "unknown extension", bytes([EXTENSION]) + string("unknown@example.com") + string("x"),
              FAILURE_REPLY)
        t.ask(c, "list after malformed requests (same connection, nothing changed)", LIST, base)


def case_extensions(agent, t):
    """Extensions whose answer legitimately differs across OpenSSH versions: checked, not compared."""
    with agent.conn() as c:
        reply = t.ask(c, "query extension", bytes([EXTENSION]) + string("query"), compare=False)
        ok = reply == FAILURE_REPLY or (reply is not None and reply[:1] == bytes([EXTENSION_RESPONSE])
                                        and reply[1:].startswith(string("query")))
        t.check(ok, "query extension", "expected FAILURE (<= 9.x) or EXTENSION_RESPONSE \"query\" ..., got "
                + describe(reply))
        reply = t.ask(c, "session-bind with garbage", bytes([EXTENSION]) + string("session-bind@openssh.com")
                      + string("not a key") + string("id") + string("sig") + b"\x00", compare=False)
        t.check(reply in (FAILURE_REPLY, bytes([EXTENSION_FAILURE])), "session-bind with garbage",
                "expected FAILURE or EXTENSION_FAILURE, got " + describe(reply))
        t.ask(c, "list after extensions", LIST, EMPTY_LIST_REPLY)


def read_string(data, pos):
    """(bytes, next position) of the RFC 4251 string at data[pos:]."""
    (ln,) = struct.unpack(">I", data[pos:pos + 4])
    return data[pos + 4:pos + 4 + ln], pos + 4 + ln


def add_unencrypted_ed25519(path):
    """The ADD_IDENTITY body for an unencrypted openssh-key-v1 Ed25519 file made by ssh-keygen."""
    with open(path) as f:
        lines = [l for l in f.read().splitlines() if not l.startswith("-----")]
    blob = base64.b64decode("".join(lines))
    magic = b"openssh-key-v1\0"
    assert blob.startswith(magic), path
    pos = len(magic)
    for _ in range(3):  # cipher "none", kdf "none", empty kdf options
        _, pos = read_string(blob, pos)
    pos += 4  # one key
    public, pos = read_string(blob, pos)
    private, _ = read_string(blob, pos)
    pos = 8  # two check integers
    fields = []
    for _ in range(4):  # type, public point, private scalar||point, comment
        field, pos = read_string(private, pos)
        fields.append(field)
    return bytes([ADD_IDENTITY]) + b"".join(string(f) for f in fields), public


def session_bind(host_blob, session_id, signature, forwarding=False):
    return (bytes([EXTENSION]) + string("session-bind@openssh.com") + string(host_blob) + string(session_id)
            + string(signature) + bytes([1 if forwarding else 0]))


def case_session_bind(agent, t):
    """session-bind with a real host key signature binds (a destination-restricted key is listed); a forged
    signature, or the signature under another host's key, fails."""
    add_host1, host1 = add_unencrypted_ed25519(os.path.join(DATA, "hosts", "host1-ed25519"))
    host2 = base64.b64decode(open(os.path.join(DATA, "hosts", "host2-ecdsa-256.pub")).read().split()[1])
    session_id = bytes(range(32))
    with agent.conn() as c:
        # The agent itself makes the host's signature over the session id (what sshd's key would send).
        t.ask(c, "add host1's key", add_host1, SUCCESS_REPLY)
        reply = t.ask(c, "host1 signs the session id", bytes([SIGN_REQUEST]) + string(host1) + string(session_id)
                      + u32(0), lambda r: sig_algorithm(r) == "ssh-ed25519")
        signature, _ = read_string(reply, 1)
        t.ask(c, "remove host1's key", bytes([REMOVE_IDENTITY]) + string(host1), SUCCESS_REPLY)
        # add-destination: keys/ed25519 restricted to alice@host1.example (host1's key).
        t.ask(c, "add a key restricted to host1", capture("add-destination"), SUCCESS_REPLY)
    forged = signature[:-1] + bytes([signature[-1] ^ 1])
    with agent.conn() as c:
        t.ask(c, "session-bind signed by host1", session_bind(host1, session_id, signature), SUCCESS_REPLY)
        t.ask(c, "list on the connection bound to host1", LIST, expect_list_of(["latchkey-test-ed25519"]))
        t.ask(c, "sign a non-userauth message with the restricted key", capture("sign-ed25519"), FAILURE_REPLY)
    for label, body in [("a forged signature", session_bind(host1, session_id, forged)),
                        ("host1's signature under host2's key", session_bind(host2, session_id, signature)),
                        ("a truncated signature", session_bind(host1, session_id, signature[:-8]))]:
        with agent.conn() as c:
            reply = t.ask(c, "session-bind with " + label, body, compare=False)
            t.check(reply in (FAILURE_REPLY, bytes([EXTENSION_FAILURE])), "session-bind with " + label,
                    "expected FAILURE or EXTENSION_FAILURE, got " + describe(reply))
            # OpenSSH 9.4+ (and latchkeyd) hide restricted keys once a bind failed; 9.2 still lists them.
            reply = t.ask(c, "list after session-bind with " + label, LIST, compare=False)
            t.check(reply == EMPTY_LIST_REPLY or expect_list_of(["latchkey-test-ed25519"])(reply),
                    "list after session-bind with " + label, "expected an empty list (OpenSSH 9.4+) or the restricted "
                    "key (9.2), got " + describe(reply))
    with agent.conn() as c:
        t.ask(c, "list on an unbound connection (local use)", LIST, expect_list_of(["latchkey-test-ed25519"]))


def case_framing(agent, t):
    """Frames split across writes, a frame of exactly 256 KiB, oversize frames, pipelined requests."""
    with agent.conn() as other, agent.conn() as c:
        t.ask(c, "add ed25519", capture("add-ed25519"), SUCCESS_REPLY)
        data = frame(LIST)
        for i in range(len(data)):
            c.send_raw(data[i:i + 1])
            time.sleep(0.005)
        t.record("list sent one byte at a time", c.recv())
        sign = frame(capture("sign-ed25519"))
        c.send_raw(sign[:len(sign) // 2])
        t.check(c.expect_silence(0.3), "half a sign request", "the agent answered or closed before the frame was complete")
        c.send_raw(sign[len(sign) // 2:])
        reply = c.recv()
        t.record("sign request completed after a pause", reply)
        t.check(reply[:1] == bytes([SIGN_RESPONSE]), "sign request completed after a pause", describe(reply))
        c.send_raw(u32(5))
        t.check(c.expect_silence(0.2), "a bare length prefix", "the agent answered or closed on a bare length")
        c.send_raw(bytes([200]) + b"\x00\x00\x00\x00")
        t.check(c.recv() == FAILURE_REPLY, "unknown type completed after a pause that followed its bare length",
                "expected FAILURE")

        t.ask(c, "frame of exactly 256 KiB (unknown type)", bytes([200]) + bytes(MAX_FRAME - 1), FAILURE_REPLY)
        t.ask(c, "list after the 256 KiB frame", LIST)

        pipeline = [LIST, bytes([200]), capture("add-rsa-2048"), LIST, capture("sign-ed25519"),
                    capture("sign-rsa-2048"), capture("remove"), bytes([0]), LIST, capture("remove-all"), LIST]
        c.send_raw(b"".join(frame(b) for b in pipeline))
        for i, body in enumerate(pipeline):
            t.record("pipelined request %d (type %d)" % (i, body[0]), c.recv())
        t.ask(c, "list after the pipeline", LIST, EMPTY_LIST_REPLY)

        for length in [MAX_FRAME + 1, 1 << 20, 0x40000000, 0xFFFFFFFF]:
            with agent.conn() as big:
                big.send_raw(u32(length) + bytes([REQUEST_IDENTITIES]))
                t.record("length %d: connection closed" % length, big.expect_closed(10))
            t.ask(other, "other connection after a %d-byte length" % length, LIST, EMPTY_LIST_REPLY)
        with agent.conn() as fresh:
            t.ask(fresh, "new connection after oversize frames", LIST, EMPTY_LIST_REPLY)


def case_concurrency(agent, t):
    """200 connections open at once, each doing a list and a sign; answers identical and complete."""
    with agent.conn() as c:
        t.ask(c, "add ed25519", capture("add-ed25519"), SUCCESS_REPLY)
        t.ask(c, "add rsa-2048", capture("add-rsa-2048"), SUCCESS_REPLY)
        expected = t.ask(c, "list", LIST)
        signature = t.ask(c, "sign", capture("sign-ed25519"))
    conns = []
    try:
        for _ in range(200):
            conns.append(agent.conn(timeout=30))
        for conn in conns:
            conn.send(LIST)
        lists = [conn.recv() for conn in conns]
        t.record("200 concurrent lists all equal the single list", all(r == expected for r in lists))
        for conn in reversed(conns):
            conn.send(capture("sign-ed25519"))
        sigs = [conn.recv() for conn in conns]
        t.record("200 concurrent signs all equal the single sign", all(r == signature for r in sigs))
        t.check(all(r == expected for r in lists), "200 concurrent lists", "some answer differs")
        t.check(all(r == signature for r in sigs), "200 concurrent signs", "some answer differs")
    finally:
        for conn in conns:
            conn.close()
    with agent.conn() as c:
        t.ask(c, "list after closing 200 connections", LIST, expected)


def case_lock(agent, t):
    """Lock: empty passphrase refused, locked agent lists nothing and refuses everything but unlock."""
    wrong_unlock = bytes([UNLOCK]) + string("wrong-passphrase")
    with agent.conn() as c, agent.conn() as other:
        t.ask(c, "add ed25519", capture("add-ed25519"), SUCCESS_REPLY)
        t.ask(c, "add rsa-2048 certificate", capture("add-rsa-2048-cert"), SUCCESS_REPLY)
        keys = t.ask(c, "list", LIST)
        t.ask(c, "lock with an empty passphrase is refused", bytes([LOCK]) + string(""), FAILURE_REPLY)
        t.ask(c, "list after the refused lock (not locked)", LIST, keys)
        t.ask(c, "unlock an unlocked agent", capture("unlock"), FAILURE_REPLY)
        t.ask(c, "lock", capture("lock"), SUCCESS_REPLY)
        t.ask(c, "list while locked is empty", LIST, EMPTY_LIST_REPLY)
        t.ask(other, "list while locked, other connection", LIST, EMPTY_LIST_REPLY)
        t.ask(c, "sign while locked", capture("sign-ed25519"), FAILURE_REPLY)
        t.ask(c, "add while locked", capture("add-ecdsa-256"), FAILURE_REPLY)
        t.ask(c, "remove while locked", capture("remove"), FAILURE_REPLY)
        t.ask(c, "remove all while locked", capture("remove-all"), FAILURE_REPLY)
        t.ask(c, "legacy type 9 while locked", capture("remove-all-ssh1"), FAILURE_REPLY)
        t.ask(c, "unknown type while locked", bytes([200]), FAILURE_REPLY)
        t.ask(c, "lock while locked", capture("lock"), FAILURE_REPLY)
        t.ask(c, "lock while locked, other passphrase", bytes([LOCK]) + string("other"), FAILURE_REPLY)
        t.ask(c, "unlock with the wrong passphrase", wrong_unlock, FAILURE_REPLY)
        t.ask(c, "unlock with an empty passphrase", bytes([UNLOCK]) + string(""), FAILURE_REPLY)
        t.ask(c, "unlock with the passphrase plus a byte", bytes([UNLOCK]) + string("latchkey-test-passphrase!"),
              FAILURE_REPLY)
        t.ask(c, "list after failed unlocks", LIST, EMPTY_LIST_REPLY)
        t.ask(other, "unlock from another connection", capture("unlock"), SUCCESS_REPLY)
        t.ask(c, "list after unlock: every key back, in order", LIST, keys)
        t.ask(c, "sign after unlock", capture("sign-ed25519"),
              lambda r: r is not None and r[:1] == bytes([SIGN_RESPONSE]))
        t.ask(c, "unlock again", capture("unlock"), FAILURE_REPLY)
        t.ask(c, "lock again with another passphrase", bytes([LOCK]) + string("second"), SUCCESS_REPLY)
        t.ask(c, "the old passphrase does not unlock", capture("unlock"), FAILURE_REPLY)
        t.ask(c, "the new passphrase unlocks", bytes([UNLOCK]) + string("second"), SUCCESS_REPLY)
        t.ask(c, "list at the end", LIST, keys)


CASES = [case_unknown_messages, case_keys, case_malformed, case_extensions, case_session_bind, case_framing,
         case_concurrency, case_lock]


def run_case(case, binary, label):
    t = Transcript(label)
    with Agent(binary, label) as agent:
        try:
            case(agent, t)
        except Exception as e:  # a timeout or an unexpected close: the case stops for this agent
            t.errors.append("aborted: %s: %s\n%s" % (type(e).__name__, e, traceback.format_exc(limit=3)))
        if not agent.alive():
            t.errors.append("the agent died (status %s); log: %s" % (agent.proc.returncode, agent.log()))
    return t


def compare(ref, lk):
    """Differences between the compared entries of two transcripts."""
    diffs = []
    for i in range(max(len(ref.entries), len(lk.entries))):
        r = ref.entries[i] if i < len(ref.entries) else None
        l = lk.entries[i] if i < len(lk.entries) else None
        if r is None or l is None or r[0] != l[0]:
            diffs.append("transcripts diverge at entry %d: %s: %r / %s: %r" % (
                i, ref.label, r and r[0], lk.label, l and l[0]))
            break
        if r[1] != l[1]:
            show = (lambda v: describe(v)) if isinstance(r[1], bytes) or isinstance(l[1], bytes) else repr
            diffs.append("%s: %s answered %s, %s answered %s" % (r[0], ref.label, show(r[1]), lk.label, show(l[1])))
    return diffs


def main():
    lk_binary, ref_binary = agent_under_test(), reference_agent()
    print("agent under test: %s; reference: %s" % (lk_binary, ref_binary))
    failed = 0
    for case in CASES:
        ref = run_case(case, ref_binary, "ssh-agent")
        lk = run_case(case, lk_binary, "agent-under-test")
        problems = ["[%s] %s" % (ref.label, e) for e in ref.errors]
        problems += ["[%s] %s" % (lk.label, e) for e in lk.errors]
        problems += ["[differs] " + d for d in compare(ref, lk)]
        status = "FAIL" if problems else "ok"
        print("%-4s %s — %s (%d compared answers)" % (status, case.__name__, case.__doc__, len(ref.entries)))
        for p in problems:
            print("     " + p.replace("\n", "\n     "))
        failed += bool(problems)
    print("%s: %d of %d cases failed" % ("FAIL" if failed else "PASS", failed, len(CASES)))
    return 1 if failed else 0


if __name__ == "__main__":
    main_guard(main)
