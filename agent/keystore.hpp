// The keystore: identities keyed by public blob, their constraints, expiry and the agent lock.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "agent/deferred_key.hpp"
#include "agent/error.hpp"
#include "agent/keys/signing_key.hpp"
#include "agent/lock_passphrase.hpp"
#include "agent/sealed_key.hpp"
#include "agent/shielded_key.hpp"
#include "protocol/constraint.hpp"
#include "protocol/wire.hpp"

namespace latchkey::agent {

using Clock = std::chrono::steady_clock;

// What an identity may be used for, from ADD_ID_CONSTRAINED (and the daemon's defaults).
struct IdentityConstraints {
    std::optional<Clock::time_point> expires_at;  // lifetime: gone at this instant
    bool confirm = false;                          // ask the user before each signature
    std::vector<protocol::DestinationConstraint> destinations;  // restrict-destination hops
};

// One key or one certificate the agent holds. A key and its certificate are separate identities,
// as in OpenSSH; each has its own signer.
struct Identity {
    protocol::Bytes public_blob;  // the key or certificate blob, canonical encoding
    std::string comment;
    std::shared_ptr<const SigningKey> signer;  // null while locked, and while a deferred key is not decrypted
    IdentityConstraints constraints;
    // Set for a key added deferred (add-ppk, add-encrypted): decrypted into `signer` at first use,
    // and back to the encrypted state by re-encryption or LOCK.
    std::shared_ptr<const EncryptedKeyFile> encrypted_file{};
    // The same key as `signer`, shielded: lock() takes its encoding out and seals it under the
    // passphrase. Null while locked, and for an identity whose key is held some other way (deferred).
    std::shared_ptr<const ShieldedKey> shielded{};
    std::optional<SealedKey> sealed{};  // the private key while the agent is locked
};

// What re-encrypting every key did (PuTTY's reencrypt-all).
struct ReencryptCount {
    std::size_t with_encrypted_file = 0;  // now held encrypted only (some may already have been)
    std::size_t cleartext_only = 0;       // left decrypted: they were not added deferred
};

class Keystore {
public:
    // `lock_iterations`: PBKDF2 iterations of the lock passphrase's hash (LockPassphrase).
    explicit Keystore(unsigned lock_iterations = default_lock_iterations) : lock_iterations_(lock_iterations) {}

    // Adds an identity, or replaces the comment, signer and constraints of the one with the same
    // blob (OpenSSH's behaviour when a key is added twice). Never fails.
    void add(Identity identity);

    // The identity with exactly this blob, or nullptr if there is none or it has expired by `now`.
    // Average constant time (hash lookup).
    const Identity* find(protocol::ByteView public_blob, Clock::time_point now) const;

    // Removes the identity with this blob; false if there was none. Its key is wiped when the last
    // signature using it has finished.
    bool remove(protocol::ByteView public_blob);

    // Removes every identity; returns how many there were.
    std::size_t remove_all();

    // Live identities in the order they were first added (as ssh-add -l shows them).
    std::vector<const Identity*> list(Clock::time_point now) const;

    // Removes identities whose lifetime has ended by `now`; returns how many. The caller arms one
    // timer for next_expiry() instead of polling.
    std::size_t remove_expired(Clock::time_point now);
    std::optional<Clock::time_point> next_expiry() const;

    std::size_t size() const noexcept { return identities_.size(); }

    // Gives a deferred identity the signer decrypted from its file. False, and nothing changes, if
    // the identity has gone or was added again (its encrypted file is no longer `file`) meanwhile.
    bool install_signer(protocol::ByteView public_blob, const EncryptedKeyFile* file,
                        std::shared_ptr<const SigningKey> signer);
    // Drops (and so wipes, once no signature uses it) the decrypted signer of a deferred identity.
    // False if there is no such identity or it has no encrypted file (it was not added deferred).
    bool reencrypt(protocol::ByteView public_blob);
    // reencrypt on every identity.
    ReencryptCount reencrypt_all();
    // What a session lock (config.toml's "lock") does: re-encrypts every identity added deferred and
    // removes every other one, which has no encrypted form to go back to. The counts say how many of
    // each (cleartext_only: removed). Never fails.
    ReencryptCount reencrypt_or_remove_all();

    // Shields every key unused for its keep-clear time by `now` (ShieldedKey::shield_if_idle);
    // returns when the next clear key is due, nothing when all are shielded. Never fails.
    std::optional<Clock::time_point> shield_idle(Clock::time_point now) const;

    // Locks with a passphrase: seals every shielded identity's private key under a key derived from
    // it and drops the clear copies (a signer still in use by a signature is wiped when that ends),
    // and re-encrypts every deferred key. Fails, leaving the agent unlocked and every key as it was,
    // with agent_locked if already locked, bad_passphrase if empty, crypto_failure if a key cannot
    // be sealed.
    Result<void> lock(const SecretBytes& passphrase);
    // Unlocks: opens every sealed key, rebuilds its signer and shields it again. Fails, leaving the
    // agent locked, with refused if not locked, bad_passphrase if it does not match,
    // locked_memory_full (or as make_signing_key) if a key cannot be rebuilt.
    // Each key then stays clear for `keep_clear` after its last use (ShieldedKey).
    Result<void> unlock(const SecretBytes& passphrase, Clock::duration keep_clear = default_keep_clear);

    // The two halves of unlock(), so that the slow passphrase check can run without holding the
    // keystore: a copy of the lock (nothing if not locked), to call sealing_key() on; then
    // unlock_with() that key. unlock_with fails with refused if the agent is no longer locked by
    // that same lock, otherwise as unlock().
    std::optional<LockPassphrase> current_lock() const { return lock_; }
    Result<void> unlock_with(const LockPassphrase& checked, const SecretBytes& sealing_key,
                             Clock::duration keep_clear = default_keep_clear);
    bool locked() const noexcept { return lock_.has_value(); }

private:
    struct BlobHash {
        using is_transparent = void;
        std::size_t operator()(protocol::ByteView blob) const noexcept;
    };
    struct BlobEqual {
        using is_transparent = void;
        bool operator()(protocol::ByteView a, protocol::ByteView b) const noexcept;
    };
    struct Entry {
        Identity identity;
        std::uint64_t sequence;  // order of first addition, for listing
    };

    void forget_expiry(const Entry& entry);

    std::unordered_map<protocol::Bytes, Entry, BlobHash, BlobEqual> identities_;
    std::multimap<Clock::time_point, protocol::Bytes> expiries_;
    std::uint64_t next_sequence_ = 0;
    std::optional<LockPassphrase> lock_;
    unsigned lock_iterations_;
};

}  // namespace latchkey::agent
