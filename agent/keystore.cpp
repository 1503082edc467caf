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

Result<void> Keystore::lock(const SecretBytes& passphrase)
{
    if (locked())
        return fail(Error(ErrorCode::agent_locked, "the agent is already locked"));
    LATCHKEY_TRY(LockPassphrase hash, LockPassphrase::derive(passphrase, lock_iterations_));
    lock_.emplace(std::move(hash));
    return {};
}

Result<void> Keystore::unlock(const SecretBytes& passphrase)
{
    if (!locked())
        return fail(Error(ErrorCode::refused, "the agent is not locked"));
    if (!lock_->matches(passphrase))
        return fail(Error(ErrorCode::bad_passphrase, "wrong unlock passphrase"));
    lock_.reset();
    return {};
}

}  // namespace latchkey::agent
