// The agent's lock passphrase, kept only as a salted PBKDF2 hash and compared in constant time.
#pragma once

#include "agent/error.hpp"
#include "protocol/secret_bytes.hpp"

namespace latchkey::agent {

// PBKDF2 iterations: enough to make offline guessing of a stolen hash slow, small enough for an
// interactive unlock. Fewer only where speed matters more than that (the dispatcher fuzz target).
inline constexpr unsigned default_lock_iterations = 100000;

class LockPassphrase {
public:
    // Hashes `passphrase` with a fresh random salt. Fails with bad_passphrase if it is empty,
    // crypto_failure if OpenSSL cannot derive the hash (or iterations is 0).
    static Result<LockPassphrase> derive(const SecretBytes& passphrase, unsigned iterations = default_lock_iterations);

    // True if `candidate` is the passphrase this was derived from. Runs the same KDF, then a
    // constant-time comparison.
    bool matches(const SecretBytes& candidate) const;

private:
    LockPassphrase(SecretBytes salt, SecretBytes hash, unsigned iterations)
        : salt_(std::move(salt)), hash_(std::move(hash)), iterations_(iterations)
    {
    }

    SecretBytes salt_;
    SecretBytes hash_;
    unsigned iterations_;
};

}  // namespace latchkey::agent
