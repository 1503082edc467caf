// The agent's lock passphrase, kept only as a salted PBKDF2 hash and compared in constant time.
#pragma once

#include "agent/error.hpp"
#include "protocol/secret_bytes.hpp"

namespace latchkey::agent {

class LockPassphrase {
public:
    // Hashes `passphrase` with a fresh random salt. Fails with bad_passphrase if it is empty,
    // crypto_failure if OpenSSL cannot derive the hash.
    static Result<LockPassphrase> derive(const SecretBytes& passphrase);

    // True if `candidate` is the passphrase this was derived from. Runs the same KDF, then a
    // constant-time comparison.
    bool matches(const SecretBytes& candidate) const;

private:
    LockPassphrase(SecretBytes salt, SecretBytes hash) : salt_(std::move(salt)), hash_(std::move(hash)) {}

    SecretBytes salt_;
    SecretBytes hash_;
};

}  // namespace latchkey::agent
