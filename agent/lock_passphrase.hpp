// The agent's lock passphrase, kept only as a salted PBKDF2 verifier compared in constant time; the
// same derivation gives the key that seals the identities while the agent is locked.
#pragma once

#include "agent/error.hpp"
#include "protocol/secret_bytes.hpp"

namespace latchkey::agent {

// PBKDF2 iterations of a lock passphrase: enough to make offline guessing of a stolen verifier slow,
// small enough for an interactive unlock. (The dispatcher fuzz target uses fewer.)
inline constexpr unsigned default_lock_iterations = 100000;

class LockPassphrase {
public:
    // What locking derives: the verifier to keep, and the 32-byte key that seals the identities,
    // to be used at once and then dropped (it is never kept while the agent is locked).
    struct Derived;

    // Derives from `passphrase` with a fresh random salt and `iterations` of PBKDF2. Fails with
    // bad_passphrase if it is empty, crypto_failure if OpenSSL cannot derive (or iterations is 0).
    static Result<Derived> derive(const SecretBytes& passphrase, unsigned iterations = default_lock_iterations);

    // The sealing key that derive() gave, if `candidate` is the passphrase it was derived from (the
    // same KDF, then a constant-time comparison of the verifiers). Fails with bad_passphrase if it
    // is not, crypto_failure if OpenSSL cannot derive.
    Result<SecretBytes> sealing_key(const SecretBytes& candidate) const;

    // True if `other` is a copy of this lock (the same random salt), not of a later one. Never fails.
    bool same_lock(const LockPassphrase& other) const noexcept { return salt_ == other.salt_; }

private:
    LockPassphrase(SecretBytes salt, SecretBytes verifier, unsigned iterations)
        : salt_(std::move(salt)), verifier_(std::move(verifier)), iterations_(iterations)
    {
    }

    SecretBytes salt_;
    SecretBytes verifier_;
    unsigned iterations_;
};

struct LockPassphrase::Derived {
    LockPassphrase passphrase;
    SecretBytes sealing_key;
};

}  // namespace latchkey::agent
