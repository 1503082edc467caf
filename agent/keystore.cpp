// Keystore: a hash map of identities, an ordered map of expiry times, and the lock state.
#include "agent/keystore.hpp"

#include <algorithm>
#include <string_view>

namespace latchkey::agent {

std::size_t Keystore::BlobHash::operator()(protocol::ByteView blob) const noexcept
{
    return std::hash<std::string_view>{}(
        std::string_view(reinterpret_cast<const char*>(blob.data()), blob.size()));
}

bool Keystore::BlobEqual::operator()(protocol::ByteView a, protocol::ByteView b) const noexcept
{
    return std::ranges::equal(a, b);
}

void Keystore::add(Identity identity)
{
    auto found = identities_.find(protocol::ByteView(identity.public_blob));
    if (found != identities_.end()) {
        forget_expiry(found->second);
        found->second.identity = std::move(identity);
    } else {
        protocol::Bytes blob = identity.public_blob;
        found = identities_.emplace(std::move(blob), Entry{std::move(identity), next_sequence_++}).first;
    }
    if (auto expires_at = found->second.identity.constraints.expires_at)
        expiries_.emplace(*expires_at, found->first);
}

const Identity* Keystore::find(protocol::ByteView public_blob, Clock::time_point now) const
{
    auto found = identities_.find(public_blob);
    if (found == identities_.end())
        return nullptr;
    const auto& expires_at = found->second.identity.constraints.expires_at;
    if (expires_at && *expires_at <= now)
        return nullptr;
    return &found->second.identity;
}

bool Keystore::remove(protocol::ByteView public_blob)
{
    auto found = identities_.find(public_blob);
    if (found == identities_.end())
        return false;
    forget_expiry(found->second);
    identities_.erase(found);
    return true;
}

std::size_t Keystore::remove_all()
{
    std::size_t count = identities_.size();
    identities_.clear();
    expiries_.clear();
    return count;
}

std::vector<const Identity*> Keystore::list(Clock::time_point now) const
{
    std::vector<const Entry*> entries;
    entries.reserve(identities_.size());
    for (const auto& [blob, entry] : identities_) {
        const auto& expires_at = entry.identity.constraints.expires_at;
        if (!expires_at || *expires_at > now)
            entries.push_back(&entry);
    }
    std::ranges::sort(entries, {}, &Entry::sequence);
    std::vector<const Identity*> identities;
    identities.reserve(entries.size());
    for (const Entry* entry : entries)
        identities.push_back(&entry->identity);
    return identities;
}

std::size_t Keystore::remove_expired(Clock::time_point now)
{
    std::size_t removed = 0;
    while (!expiries_.empty() && expiries_.begin()->first <= now) {
        auto node = expiries_.extract(expiries_.begin());
        removed += identities_.erase(node.mapped());
    }
    return removed;
}

std::optional<Clock::time_point> Keystore::next_expiry() const
{
    if (expiries_.empty())
        return std::nullopt;
    return expiries_.begin()->first;
}

void Keystore::forget_expiry(const Entry& entry)
{
    const auto& expires_at = entry.identity.constraints.expires_at;
    if (!expires_at)
        return;
    auto [first, last] = expiries_.equal_range(*expires_at);
    for (auto it = first; it != last; ++it) {
        if (it->second == entry.identity.public_blob) {
            expiries_.erase(it);
            return;
        }
    }
}

bool Keystore::install_signer(protocol::ByteView public_blob, const EncryptedKeyFile* file,
                              std::shared_ptr<const SigningKey> signer)
{
    auto found = identities_.find(public_blob);
    if (found == identities_.end() || found->second.identity.encrypted_file.get() != file)
        return false;
    found->second.identity.signer = std::move(signer);
    return true;
}

bool Keystore::reencrypt(protocol::ByteView public_blob)
{
    auto found = identities_.find(public_blob);
    if (found == identities_.end() || !found->second.identity.encrypted_file)
        return false;
    found->second.identity.signer.reset();
    return true;
}

ReencryptCount Keystore::reencrypt_all()
{
    ReencryptCount count;
    for (auto& [blob, entry] : identities_) {
        if (reencrypt(blob))
            ++count.with_encrypted_file;
        else
            ++count.cleartext_only;
    }
    return count;
}

ReencryptCount Keystore::reencrypt_or_remove_all()
{
    ReencryptCount count;
    for (auto it = identities_.begin(); it != identities_.end();) {
        if (reencrypt(it->first)) {
            ++count.with_encrypted_file;
            ++it;
        } else {
            ++count.cleartext_only;
            forget_expiry(it->second);
            it = identities_.erase(it);
        }
    }
    return count;
}

std::optional<Clock::time_point> Keystore::shield_idle(Clock::time_point now) const
{
    std::optional<Clock::time_point> next;
    for (const auto& [blob, entry] : identities_) {
        if (!entry.identity.shielded)
            continue;
        if (auto due = entry.identity.shielded->shield_if_idle(now); due && (!next || *due < *next))
            next = due;
    }
    return next;
}

Result<void> Keystore::lock(const SecretBytes& passphrase)
{
    if (locked())
        return fail(Error(ErrorCode::agent_locked, "the agent is already locked"));
    LATCHKEY_TRY(LockPassphrase::Derived derived, LockPassphrase::derive(passphrase, lock_iterations_));
    std::vector<std::pair<Identity*, SealedKey>> sealed;
    for (auto& [blob, entry] : identities_) {
        if (!entry.identity.shielded)
            continue;
        LATCHKEY_TRY(SecretBytes encoding, entry.identity.shielded->encoding());
        LATCHKEY_TRY(SealedKey key, seal(derived.sealing_key, encoding));
        sealed.emplace_back(&entry.identity, std::move(key));
    }
    for (auto& [identity, key] : sealed) {
        identity->sealed = std::move(key);
        identity->signer.reset();
        identity->shielded.reset();
    }
    reencrypt_all();
    lock_.emplace(std::move(derived.passphrase));
    return {};
}

Result<void> Keystore::unlock(const SecretBytes& passphrase, Clock::duration keep_clear)
{
    if (!locked())
        return fail(Error(ErrorCode::refused, "the agent is not locked"));
    LATCHKEY_TRY(SecretBytes sealing_key, lock_->sealing_key(passphrase));
    return unlock_with(*lock_, sealing_key, keep_clear);
}

Result<void> Keystore::unlock_with(const LockPassphrase& checked, const SecretBytes& sealing_key,
                                   Clock::duration keep_clear)
{
    if (!locked() || !lock_->same_lock(checked))
        return fail(Error(ErrorCode::refused, "the agent was unlocked or locked again meanwhile"));
    std::vector<std::pair<Identity*, std::shared_ptr<ShieldedKey>>> opened;
    for (auto& [blob, entry] : identities_) {
        if (!entry.identity.sealed)
            continue;
        LATCHKEY_TRY(SecretBytes encoding, open(sealing_key, *entry.identity.sealed));
        LATCHKEY_TRY(std::unique_ptr<SigningKey> signer, signer_from_encoding(encoding));
        LATCHKEY_TRY(std::shared_ptr<ShieldedKey> shielded, ShieldedKey::make(encoding, std::move(signer), keep_clear));
        opened.emplace_back(&entry.identity, std::move(shielded));
    }
    for (auto& [identity, shielded] : opened) {
        identity->signer = shielded;
        identity->shielded = std::move(shielded);
        identity->sealed.reset();
    }
    lock_.reset();
    return {};
}

}  // namespace latchkey::agent
