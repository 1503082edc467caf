// Pageant's shared-memory request: checks and answers the file mapping one WM_COPYDATA message names.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/secret_bytes.hpp"

namespace latchkey::platform {

// WM_COPYDATA's dwData for an agent request (PuTTY's AGENT_COPYDATA_ID).
inline constexpr std::uintptr_t pageant_copydata_id = 0x804e50ba;

// The longest Pageant message, length field included (PuTTY's AGENT_MAX_MSGLEN since 0.71).
inline constexpr std::size_t pageant_max_message = 256 * 1024;

// Answers one agent request: gets the message body (type byte and payload, the length field removed) in
// locked memory and returns the reply body. Runs on the thread that serves the window and may block it.
// If it throws, the window refuses the request (WM_COPYDATA returns 0) and logs what() — never request bytes.
using PageantAnswer = std::function<std::vector<std::uint8_t>(SecretBytes request)>;

// Why a mapping was refused; the client then sees WM_COPYDATA return 0.
enum class MappingRefusal {
    none,             // answered
    cannot_open,      // no mapping of that name, or no access to it
    cannot_read_owner,
    foreign_owner,    // the mapping's owner is neither this user nor this user's default owner
    cannot_map,
    too_small,        // fewer than 5 bytes: not even a length and a type
};

// A short English description for logs. Never fails.
std::string_view describe(MappingRefusal refusal) noexcept;

// Opens the file mapping called `name`, refuses it unless its owner SID is this process's user (or the
// token's default owner, as Pageant does), measures it with VirtualQuery, and answers the request it holds
// in place: `uint32 length ‖ body` in, `uint32 length ‖ reply` out. A length beyond the mapping or beyond
// pageant_max_message, and a reply that would not fit, are answered with SSH_AGENT_FAILURE without calling
// `answer`. Returns none once the reply is written, otherwise why nothing was written. Never throws except
// what `answer` or allocating the request's copy throws.
MappingRefusal answer_pageant_mapping(const std::string& name, const PageantAnswer& answer);

}  // namespace latchkey::platform
