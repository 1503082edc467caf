// Builds the replies of status@latchkey.invalid and list-details@latchkey.invalid from the keystore.
#include "agent/extension_answers.hpp"

#include <algorithm>
#include <limits>

namespace latchkey::agent {

namespace {

// Seconds until `expires_at`, rounded up so that a key with any time left never shows 0; clamped to uint32.
std::uint32_t seconds_until(Clock::time_point expires_at, Clock::time_point now)
{
    if (expires_at <= now)
        return 0;
    auto left = std::chrono::ceil<std::chrono::seconds>(expires_at - now).count();
    return static_cast<std::uint32_t>(std::min<decltype(left)>(left, std::numeric_limits<std::uint32_t>::max()));
}

}  // namespace

protocol::AgentStatus agent_status(const Keystore& keystore, Clock::time_point now, std::uint32_t pid,
                                   const std::string& version)
{
    return {pid, version, static_cast<std::uint32_t>(keystore.list(now).size()), keystore.locked()};
}

std::vector<protocol::IdentityDetails> identity_details(const std::vector<const Identity*>& identities,
                                                        Clock::time_point now, bool askpass_available)
{
    std::vector<protocol::IdentityDetails> details;
    details.reserve(identities.size());
    for (const Identity* identity : identities) {
        const IdentityConstraints& constraints = identity->constraints;
        protocol::IdentityDetails entry;
        entry.key_blob = identity->public_blob;
        entry.comment = identity->comment;
        if (constraints.expires_at)
            entry.seconds_left = seconds_until(*constraints.expires_at, now);
        entry.confirm = constraints.confirm;
        entry.confirm_without_askpass = constraints.confirm && !askpass_available;
        entry.destinations = constraints.destinations;
        if (!identity->encrypted_file)
            entry.state = protocol::KeyState::decrypted;
        else
            entry.state = identity->signer ? protocol::KeyState::deferred_decrypted : protocol::KeyState::deferred;
        details.push_back(std::move(entry));
    }
    return details;
}

}  // namespace latchkey::agent
