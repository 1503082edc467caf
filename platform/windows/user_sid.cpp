// Reads the user and default-owner SIDs from this process's access token.
#include "platform/windows/user_sid.hpp"

#include <windows.h>

#include <memory>

namespace latchkey::platform::windows {
namespace {

struct HandleCloser {
    void operator()(HANDLE handle) const noexcept { CloseHandle(handle); }
};

// The token information of `kind` as raw bytes, or empty if it cannot be read.
std::vector<std::uint8_t> token_information(HANDLE token, TOKEN_INFORMATION_CLASS kind)
{
    DWORD size = 0;
    GetTokenInformation(token, kind, nullptr, 0, &size);
    if (size == 0) {
        return {};
    }
    std::vector<std::uint8_t> bytes(size);
    if (!GetTokenInformation(token, kind, bytes.data(), size, &size)) {
        return {};
    }
    return bytes;
}

std::vector<std::uint8_t> copy_sid(PSID sid)
{
    if (sid == nullptr || !IsValidSid(sid)) {
        return {};
    }
    const auto* first = static_cast<const std::uint8_t*>(sid);
    return {first, first + GetLengthSid(sid)};
}

}  // namespace

ProcessSids process_sids()
{
    HANDLE raw = nullptr;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &raw)) {
        return {};
    }
    const std::unique_ptr<void, HandleCloser> token(raw);
    ProcessSids sids;
    if (const auto user = token_information(token.get(), TokenUser); user.size() >= sizeof(TOKEN_USER)) {
        sids.user = copy_sid(reinterpret_cast<const TOKEN_USER*>(user.data())->User.Sid);
    }
    if (const auto owner = token_information(token.get(), TokenOwner); owner.size() >= sizeof(TOKEN_OWNER)) {
        sids.default_owner = copy_sid(reinterpret_cast<const TOKEN_OWNER*>(owner.data())->Owner);
    }
    return sids;
}

}  // namespace latchkey::platform::windows
