// The security identifiers of this process's user, which decide whose requests the agent answers.
#pragma once

#include <cstdint>
#include <vector>

namespace latchkey::platform::windows {

// Copies of the SIDs in this process's token (each a self-contained SID, or empty if it cannot be read).
struct ProcessSids {
    std::vector<std::uint8_t> user;           // TokenUser: the account the process runs as
    std::vector<std::uint8_t> default_owner;  // TokenOwner: the owner given to objects it creates
};

// Reads both SIDs from the process token. Never throws except std::bad_alloc; a SID it cannot read is
// left empty, so nothing compares equal to it.
ProcessSids process_sids();

}  // namespace latchkey::platform::windows
