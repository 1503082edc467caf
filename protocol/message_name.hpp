// Names of message types for logs: "SIGN_REQUEST", "IDENTITIES_ANSWER", ...
#pragma once

#include <cstdint>
#include <string_view>

namespace latchkey::protocol {

// The RFC 9987 name of message type `type` without its SSH_AGENT(C)_ prefix, or "UNKNOWN".
std::string_view message_type_name(std::uint8_t type) noexcept;

}  // namespace latchkey::protocol
