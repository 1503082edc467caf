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

#include "agent/error.hpp"
#include "agent/keys/signing_key.hpp"
#include "agent/lock_passphrase.hpp"
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
    std::shared_ptr<const SigningKey> signer;
    IdentityConstraints constraints;
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

    // Locks with a passphrase. Fails with agent_locked if already locked, bad_passphrase if empty.
    Result<void> lock(const SecretBytes& passphrase);
    // Unlocks. Fails with refused if not locked, bad_passphrase if it does not match.
    Result<void> unlock(const SecretBytes& passphrase);
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
