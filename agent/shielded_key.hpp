// Key shielding at rest, as OpenSSH's sshkey_shield_private: a held key is kept sealed under a key
// derived from a large random pre-key, and its clear signer exists only for a short time after use.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>

#include "agent/error.hpp"
#include "agent/keys/signing_key.hpp"
#include "agent/sealed_key.hpp"

namespace latchkey::agent {

// How long a key stays clear after its last signature: long enough that a burst of signatures (a
// git rebase signing each commit, many ssh logins) unshields once, short enough that an idle key
// is shielded again within a second. README "Key shielding" has the measurements.
inline constexpr std::chrono::milliseconds default_keep_clear{1000};

// A SigningKey that holds its private key shielded and rebuilds the clear signer on demand.
// Thread-safe: signatures from several threads share one clear signer.
class ShieldedKey final : public SigningKey {
public:
    using Clock = std::chrono::steady_clock;

    // Shields `encoding` (sealed_key.hpp) and keeps `signer`, built from it, clear until `keep_clear`
    // after now. Fails with crypto_failure if the shield cannot be made, locked_memory_full if the
    // pre-key finds no room in the locked heap.
    static Result<std::shared_ptr<ShieldedKey>> make(const SecretBytes& encoding, std::unique_ptr<SigningKey> signer,
                                                     Clock::duration keep_clear = default_keep_clear);

    // Signs with the clear signer, first rebuilding it from the shield if it was dropped. Fails as
    // SigningKey::sign, or as signer_from_encoding when the signer cannot be rebuilt.
    Result<protocol::Bytes> sign(protocol::ByteView data, std::uint32_t flags) const override;

    // The private key encoding, taken out of the shield (for sealing it under the lock passphrase).
    // Fails with crypto_failure or bad_passphrase if the shield cannot be opened.
    Result<SecretBytes> encoding() const;

    // Drops the clear signer if it has not been used for keep_clear by `now` (a signature still in
    // progress keeps its own reference, wiped when it ends). Returns when to ask again, or nothing
    // when the key is shielded. Never fails.
    std::optional<Clock::time_point> shield_if_idle(Clock::time_point now) const;

    // True while a clear signer is held. Never fails.
    bool clear() const;

    // Use make().
    ShieldedKey(SealedKey shielded, std::unique_ptr<SigningKey> signer, Clock::duration keep_clear);

private:
    SealedKey shielded_;
    Clock::duration keep_clear_;
    mutable std::mutex mutex_;  // guards clear_ and last_use_
    mutable std::shared_ptr<const SigningKey> clear_;
    mutable Clock::time_point last_use_;
};

}  // namespace latchkey::agent
