// ECDSA private keys on the NIST curves (RFC 5656 "ecdsa-sha2-nistp256/384/521") on OpenSSL EVP.
#pragma once

#include <memory>
#include <string_view>

#include "agent/error.hpp"
#include "agent/keys/signing_key.hpp"
#include "protocol/secret_bytes.hpp"
#include "protocol/wire.hpp"

namespace latchkey::agent {

// A signing key on `curve` ("nistp256", "nistp384" or "nistp521") from the uncompressed public point
// 0x04 ‖ X ‖ Y and the private scalar (big-endian). Fails with unsupported for another curve,
// malformed for a badly sized point or a scalar/coordinate OpenSSH would reject as too small,
// key_mismatch if the scalar does not give the point, locked_memory_full if the locked heap has no
// room, crypto_failure otherwise (including a point that is not on the curve).
Result<std::unique_ptr<SigningKey>> make_ecdsa_key(std::string_view curve, protocol::ByteView public_point,
                                                   const SecretBytes& scalar);

}  // namespace latchkey::agent
