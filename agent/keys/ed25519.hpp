// Ed25519 private keys (RFC 8709 "ssh-ed25519") on OpenSSL EVP.
#pragma once

#include <memory>

#include "agent/error.hpp"
#include "agent/keys/signing_key.hpp"
#include "protocol/secret_bytes.hpp"
#include "protocol/wire.hpp"

namespace latchkey::agent {

// A signing key from the 32-byte public point A and the 64 bytes seed ‖ A that OpenSSH sends.
// Fails with malformed on wrong lengths, key_mismatch if the seed does not derive A (or the two
// copies of A differ), locked_memory_full if the locked heap has no room, crypto_failure otherwise.
Result<std::unique_ptr<SigningKey>> make_ed25519_key(protocol::ByteView public_point,
                                                     const SecretBytes& seed_and_public);

}  // namespace latchkey::agent
