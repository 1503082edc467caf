// Turns a private key decoded from an ADD_IDENTITY request into a SigningKey of the right algorithm.
#pragma once

#include <memory>

#include "agent/error.hpp"
#include "agent/keys/signing_key.hpp"
#include "protocol/private_key.hpp"

namespace latchkey::agent {

// The signer for `key` (for a certificate, the key inside it). Fails with unsupported for FIDO
// security keys (sk-*), and otherwise as the algorithm's make_*_key: key_mismatch when the private
// half does not belong to the public half, locked_memory_full, crypto_failure, malformed.
Result<std::unique_ptr<SigningKey>> make_signing_key(const protocol::PrivateKey& key);

}  // namespace latchkey::agent
