// latchkey's own agent extensions (namespace "@latchkey.invalid", a reserved TLD): what `latchkey status`
// and `latchkey list` need beyond the stock protocol. Pure encoders and decoders of their reply contents.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/constraint.hpp"
#include "protocol/wire.hpp"

namespace latchkey::protocol {

// Request: 27 EXTENSION, string "status@latchkey.invalid", no contents. Answered even while locked.
inline constexpr std::string_view status_extension_name = "status@latchkey.invalid";
// Request: 27 EXTENSION, string "list-details@latchkey.invalid", no contents.
inline constexpr std::string_view list_details_extension_name = "list-details@latchkey.invalid";

// Reply contents of status@latchkey.invalid (after 29 and the name):
// uint32 daemon pid, string version, uint32 key count, bool locked.
struct AgentStatus {
    std::uint32_t pid = 0;
    std::string version;
    std::uint32_t key_count = 0;
    bool locked = false;
    bool operator==(const AgentStatus&) const = default;
};

// Whether a key is usable now ("decrypted") or held encrypted until first use ("deferred"), or was
// deferred and has been decrypted since ("deferred-decrypted").
enum class KeyState { decrypted, deferred, deferred_decrypted };

// "decrypted", "deferred", "deferred-decrypted".
std::string_view key_state_name(KeyState state);

// One identity in the reply of list-details@latchkey.invalid:
// string key blob, string comment, bool has lifetime, uint32 seconds left (0 when it has none),
// bool confirm, bool confirm without an askpass program, string destination constraints (the
// constraint encoding of ADD_ID_CONSTRAINED: empty, or one restrict-destination-v00@openssh.com),
// string state.
struct IdentityDetails {
    Bytes key_blob;
    std::string comment;
    std::optional<std::uint32_t> seconds_left;
    bool confirm = false;
    bool confirm_without_askpass = false;
    std::vector<DestinationConstraint> destinations;
    KeyState state = KeyState::decrypted;
    bool operator==(const IdentityDetails&) const = default;
};

// Most identities one list-details reply may announce (a bound for the decoder's count).
inline constexpr std::uint32_t max_listed_identities = 100000;

Bytes encode_agent_status(const AgentStatus& status);
// Fails with truncated, trailing_bytes.
Result<AgentStatus> decode_agent_status(ByteView contents);

// Reply contents: uint32 count, then count identities as above.
Bytes encode_identity_details(const std::vector<IdentityDetails>& identities);
// Fails with truncated, trailing_bytes, length_too_large (a count over max_listed_identities or more
// than the contents could hold), invalid_value (an unknown state, or other constraints than
// restrict-destination in the destinations field) or the constraint decoder's errors.
Result<std::vector<IdentityDetails>> decode_identity_details(ByteView contents);

}  // namespace latchkey::protocol
