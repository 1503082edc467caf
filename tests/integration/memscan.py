#!/usr/bin/env python3
"""tests/integration/memscan.py: finds private key bytes in another process's memory (run as root).

    memscan.py PID KEYFILE...   prints one line per secret: "<key> <secret> <where>", where <where> is
                                "locked" (only in mlock'ed mappings), "unlocked:<mapping>" (in at least
                                one ordinary mapping) or "nowhere".

The secrets come from unencrypted OpenSSH private key files (openssh-key-v1): the Ed25519 seed, the
ECDSA scalar, RSA d, p and q, the DSA x. Each is searched as 16-byte windows of its big-endian
magnitude (as in key files and OpenSSL parameters) and of the byte-reversed magnitude (as in BIGNUM
limbs on little-endian machines); one window anywhere counts as the secret being there.

Every page in RAM or swap (/proc/PID/pagemap) of every readable mapping is read through /proc/PID/mem,
except [vvar] and [vsyscall]. A mapping counts as locked when its VmFlags in /proc/PID/smaps include "lo" (mlock), which
is how OpenSSL's secure heap is mapped.
"""
import base64
import struct
import sys

WINDOW = 16
CHUNK = 1 << 20
PAGE = 4096


class Reader:
    def __init__(self, data):
        self.data, self.at = data, 0

    def take(self, n):
        if n > len(self.data) - self.at:
            raise ValueError("truncated key file")
        out = self.data[self.at:self.at + n]
        self.at += n
        return out

    def u32(self):
        return struct.unpack(">I", self.take(4))[0]

    def string(self):
        return self.take(self.u32())

    def mpint(self):
        return self.string().lstrip(b"\0")


def key_secrets(path):
    """[(name, bytes)] of the secret numbers of an unencrypted openssh-key-v1 file."""
    text = open(path).read()
    body = text.split("-----BEGIN OPENSSH PRIVATE KEY-----")[1].split("-----END OPENSSH PRIVATE KEY-----")[0]
    outer = Reader(base64.b64decode("".join(body.split())))
    if outer.take(15) != b"openssh-key-v1\0":
        raise ValueError(f"{path}: not an openssh-key-v1 file")
    if outer.string() != b"none":
        raise ValueError(f"{path}: encrypted; the scan needs the clear numbers")
    outer.string()  # kdf name
    outer.string()  # kdf options
    if outer.u32() != 1:
        raise ValueError(f"{path}: expected one key")
    outer.string()  # public key
    inner = Reader(outer.string())
    inner.u32(), inner.u32()  # check ints
    kind = inner.string().decode()
    if kind == "ssh-ed25519":
        inner.string()
        return [("seed", inner.string()[:32])]
    if kind.startswith("ecdsa-sha2-"):
        inner.string(), inner.string()
        return [("scalar", inner.mpint())]
    if kind == "ssh-rsa":
        inner.mpint(), inner.mpint()  # n, e
        d, _iqmp, p, q = inner.mpint(), inner.mpint(), inner.mpint(), inner.mpint()
        return [("d", d), ("p", p), ("q", q)]
    if kind == "ssh-dss":
        for _ in range(4):  # p, q, g, y
            inner.mpint()
        return [("x", inner.mpint())]
    raise ValueError(f"{path}: unsupported key type {kind}")


def windows(number):
    """16-byte windows covering `number` and its byte reversal."""
    starts = list(range(0, len(number) - WINDOW + 1, WINDOW))
    if starts[-1] != len(number) - WINDOW:
        starts.append(len(number) - WINDOW)
    reversed_number = number[::-1]
    return [number[s:s + WINDOW] for s in starts] + [reversed_number[s:s + WINDOW] for s in starts]


def mappings(pid):
    """[(begin, end, name, readable, locked, resident_kib)] from /proc/PID/smaps."""
    found = []
    with open(f"/proc/{pid}/smaps") as smaps:
        for line in smaps:
            fields = line.split()
            head = fields[0]
            if "-" in head and head.endswith(tuple("0123456789abcdef")) and not head.endswith(":"):
                begin, end = (int(x, 16) for x in head.split("-"))
                name = fields[5] if len(fields) > 5 else "[anonymous]"
                found.append([begin, end, name, fields[1].startswith("r"), False, 0])
            elif head in ("Rss:", "Swap:"):
                found[-1][5] += int(fields[1])
            elif head == "VmFlags:":
                found[-1][4] = "lo" in fields[1:]
    return found


def resident_runs(pagemap, begin, end):
    """[(start, stop)] address runs of [begin, end) whose pages are in RAM or swap (/proc/PID/pagemap:
    one 64-bit entry per page, bit 63 present, bit 62 swapped). Pages never touched are skipped: they
    hold nothing, and reading them would only make the kernel map zero pages into the process."""
    pagemap.seek(begin // PAGE * 8)
    entries = pagemap.read((end - begin) // PAGE * 8)
    runs, start = [], None
    for index in range(len(entries) // 8):
        (entry,) = struct.unpack_from("<Q", entries, index * 8)
        address = begin + index * PAGE
        if entry >> 62:
            if start is None:
                start = address
        elif start is not None:
            runs.append((start, address))
            start = None
    if start is not None:
        runs.append((start, end))
    return runs


def scan(pid, needles):
    """{needle: "locked" | "unlocked:<mapping>@<address>"} for every needle found."""
    where = {}
    with open(f"/proc/{pid}/mem", "rb", buffering=0) as memory, \
            open(f"/proc/{pid}/pagemap", "rb", buffering=0) as pagemap:
        for begin, end, name, readable, locked, resident in mappings(pid):
            if not readable or resident == 0 or name in ("[vvar]", "[vsyscall]"):
                continue
            for run_begin, run_end in resident_runs(pagemap, begin, end):
                search_range(memory, run_begin, run_end, name, locked, needles, where)
    return where


def search_range(memory, begin, end, name, locked, needles, where):
    """Records in `where` each needle found in [begin, end), read in chunks that overlap by a window."""
    at = begin
    while at < end:
        size = min(CHUNK, end - at)
        try:
            memory.seek(at)
            data = memory.read(size)
        except OSError:
            data = b""
        if not data:
            at = (at // PAGE + 1) * PAGE  # a page the kernel will not read: go on with the next one
            continue
        for needle in needles:
            if where.get(needle, "").startswith("unlocked"):
                continue
            hit = data.find(needle)
            if hit >= 0:
                where[needle] = "locked" if locked else f"unlocked:{name}@{at + hit:#x}"
        if at + len(data) >= end:
            break
        at += len(data) - (WINDOW - 1)


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: memscan.py PID KEYFILE...")
    pid = sys.argv[1]
    secrets = []
    for path in sys.argv[2:]:
        key = path.rsplit("/", 1)[-1]
        for name, number in key_secrets(path):
            if len(number) < WINDOW:
                sys.exit(f"{path}: {name} is shorter than {WINDOW} bytes")
            secrets.append((key, name, windows(number)))
    where = scan(pid, {w for _, _, ws in secrets for w in ws})
    for key, name, ws in secrets:
        places = [where[w] for w in ws if w in where]
        unlocked = [p for p in places if p.startswith("unlocked")]
        print(key, name, unlocked[0] if unlocked else ("locked" if places else "nowhere"))


if __name__ == "__main__":
    main()
