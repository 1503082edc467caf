#!/usr/bin/env python3
"""Test helper: checks an agent's list and sign replies end to end. Usage:
  verify_pageant_sign.py request-sign IDENTITIES_REPLY_HEX DATA_HEX  -> prints a SIGN_REQUEST body (hex) for the
      first Ed25519 key the identities answer lists
  verify_pageant_sign.py check IDENTITIES_REPLY_HEX DATA_HEX SIGN_REPLY_HEX -> exits 0 only if the reply is an
      SSH2_AGENT_SIGN_RESPONSE whose ssh-ed25519 signature over DATA verifies with that key"""
import struct
import sys

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def string(data, offset):
    (length,) = struct.unpack_from(">I", data, offset)
    end = offset + 4 + length
    if end > len(data):
        raise ValueError("string runs past the message")
    return data[offset + 4:end], end


def first_ed25519(identities):
    if identities[0] != 12:  # SSH2_AGENT_IDENTITIES_ANSWER
        raise ValueError(f"not an identities answer: type {identities[0]}")
    (count,) = struct.unpack_from(">I", identities, 1)
    offset = 5
    for _ in range(count):
        blob, offset = string(identities, offset)
        _comment, offset = string(identities, offset)
        kind, rest = string(blob, 0)
        if kind == b"ssh-ed25519":
            return blob, string(blob, rest)[0]
    raise ValueError("the agent lists no Ed25519 key")


def main():
    mode, identities, data = sys.argv[1], bytes.fromhex(sys.argv[2]), bytes.fromhex(sys.argv[3])
    blob, public = first_ed25519(identities)
    if mode == "request-sign":
        body = bytes([13]) + struct.pack(">I", len(blob)) + blob + struct.pack(">I", len(data)) + data
        print((body + struct.pack(">I", 0)).hex())
        return 0
    reply = bytes.fromhex(sys.argv[4])
    if reply[0] != 14:  # SSH2_AGENT_SIGN_RESPONSE
        print(f"not a sign response: type {reply[0]}", file=sys.stderr)
        return 1
    signature, _ = string(reply, 1)
    kind, offset = string(signature, 0)
    raw, _ = string(signature, offset)
    if kind != b"ssh-ed25519":
        print(f"signature of type {kind!r}", file=sys.stderr)
        return 1
    Ed25519PublicKey.from_public_bytes(public).verify(raw, data)  # raises InvalidSignature
    return 0


if __name__ == "__main__":
    sys.exit(main())
