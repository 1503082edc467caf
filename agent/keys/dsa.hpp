// Legacy DSA private keys (RFC 4253 "ssh-dss": 1024-bit p, 160-bit q, SHA-1) on OpenSSL EVP.
#pragma once

#include <memory>

#include "agent/error.hpp"
#include "agent/keys/signing_key.hpp"
#include "protocol/secret_bytes.hpp"
#include "protocol/wire.hpp"

namespace latchkey::agent {

// A signing key from the public p, q, g, y and the private x (big-endian magnitudes). Fails with
// unsupported unless p has 1024 bits and q 160 (as OpenSSH requires), key_mismatch if g^x mod p ≠ y,
// locked_memory_full if the locked heap has no room, crypto_failure otherwise.
Result<std::unique_ptr<SigningKey>> make_dsa_key(protocol::ByteView p, protocol::ByteView q, protocol::ByteView g,
                                                 protocol::ByteView y, const SecretBytes& x);

}  // namespace latchkey::agent
