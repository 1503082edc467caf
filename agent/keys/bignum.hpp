// Conversions between big-endian byte strings and OpenSSL BIGNUMs; secret ones live in the secure heap.
#pragma once

#include <cstddef>

#include "agent/error.hpp"
#include "agent/keys/openssl_handles.hpp"
#include "protocol/wire.hpp"

namespace latchkey::agent {

// A BIGNUM holding the public big-endian magnitude. Fails with crypto_failure if OpenSSL cannot allocate.
Result<Bignum> public_bignum(protocol::ByteView magnitude);

// A BIGNUM whose digits are in the locked arena (made inside a platform::SecretAllocationScope, so
// OSSL_PARAM_BLD also puts them in the secure part of its parameters), flagged constant-time, holding
// the secret big-endian magnitude (empty = zero). Fails with crypto_failure if the locked arena or
// OpenSSL has no room.
Result<Bignum> secret_bignum(protocol::ByteView magnitude = {});

// The magnitude of a public number, big-endian, left-padded with zeros to `width` bytes (0 = no
// padding). Fails with crypto_failure if the number does not fit in `width` bytes.
Result<protocol::Bytes> bignum_bytes(const BIGNUM& number, std::size_t width = 0);

}  // namespace latchkey::agent
