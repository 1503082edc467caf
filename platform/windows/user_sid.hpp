// The Windows user of this process and of other processes, as SIDs, and a DACL that admits only one user.
#pragma once

#include <windows.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace latchkey::platform {

// A SID copied out of a token, in a buffer of its own.
using SidBuffer = std::vector<std::uint8_t>;

// The user SID of the token of process `process_id` (this process when 0), or an empty buffer if the
// process cannot be opened or its token read. Never throws except std::bad_alloc.
SidBuffer process_user_sid(DWORD process_id = 0);

// The default owner SID of this process's token (what objects it creates are owned by; an
// administrator's may be the Administrators group), or an empty buffer if the token cannot be read.
// Never throws except std::bad_alloc.
SidBuffer process_default_owner_sid();

// True if both buffers hold the same, valid SID. Never fails.
bool same_sid(const SidBuffer& a, const SidBuffer& b) noexcept;

// A self-contained security descriptor owned by `user` whose DACL grants GENERIC_ALL to `user` and
// nothing to anyone else (so no Everyone, no Administrators). Throws std::system_error if it cannot be built.
class UserOnlySecurity {
public:
    explicit UserOnlySecurity(const SidBuffer& user);
    UserOnlySecurity(const UserOnlySecurity&) = delete;  // the descriptor points into this object
    UserOnlySecurity& operator=(const UserOnlySecurity&) = delete;
    SECURITY_ATTRIBUTES* attributes() noexcept { return &attributes_; }

private:
    SidBuffer owner_;  // the descriptor points to it
    std::vector<std::uint8_t> acl_;
    SECURITY_DESCRIPTOR descriptor_{};
    SECURITY_ATTRIBUTES attributes_{};
};

}  // namespace latchkey::platform
