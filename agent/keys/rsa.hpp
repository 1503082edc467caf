// RSA private keys (RFC 8332 "rsa-sha2-256"/"rsa-sha2-512", RFC 4253 "ssh-rsa") on OpenSSL EVP.
#pragma once

#include <memory>

#include "agent/error.hpp"
#include "agent/keys/signing_key.hpp"
#include "protocol/secret_bytes.hpp"
#include "protocol/wire.hpp"

namespace latchkey::agent {

// Modulus sizes accepted, as OpenSSH (SSH_RSA_MINIMUM_MODULUS_SIZE, OPENSSL_RSA_MAX_MODULUS_BITS).
inline constexpr int rsa_min_modulus_bits = 1024;
inline constexpr int rsa_max_modulus_bits = 16384;

// A signing key from the parts in OpenSSH's order (big-endian magnitudes); the CRT exponents are
// computed here. Fails with unsupported for a modulus outside 1024..16384 bits, malformed for a
// degenerate factor, key_mismatch if p·q ≠ n, e·d ≢ 1 modulo p−1 or q−1, or iqmp·q ≢ 1 mod p,
// locked_memory_full if the locked heap has no room, crypto_failure otherwise.
// Primality of p and q is not tested (that takes seconds for large keys).
Result<std::unique_ptr<SigningKey>> make_rsa_key(protocol::ByteView n, protocol::ByteView e, const SecretBytes& d,
                                                 const SecretBytes& iqmp, const SecretBytes& p,
                                                 const SecretBytes& q);

}  // namespace latchkey::agent
