// The contents of latchkey's own extension replies (status@latchkey.invalid, list-details@latchkey.invalid),
// built from the keystore.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "agent/keystore.hpp"
#include "protocol/latchkey_extensions.hpp"

namespace latchkey::agent {

// The daemon's pid and version (given by the caller), how many live keys it holds, whether it is locked.
// Never fails.
protocol::AgentStatus agent_status(const Keystore& keystore, Clock::time_point now, std::uint32_t pid,
                                   const std::string& version);

// One entry per identity, in the order given: blob, comment, whole seconds of lifetime left (rounded up),
// confirm (and whether confirming is impossible for want of an askpass program), destinations, state.
// Never fails.
std::vector<protocol::IdentityDetails> identity_details(const std::vector<const Identity*>& identities,
                                                        Clock::time_point now, bool askpass_available);

}  // namespace latchkey::agent
