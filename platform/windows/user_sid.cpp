// Users as SIDs: reading a process's token, comparing SIDs, a DACL for one user.
#include "platform/windows/user_sid.hpp"

#include <system_error>

namespace latchkey::platform {

namespace {

[[noreturn]] void throw_last_error(const char* what)
{
    throw std::system_error(static_cast<int>(GetLastError()), std::system_category(), what);
}

// Closes a HANDLE when it goes out of scope.
struct HandleCloser {
    HANDLE handle = nullptr;
    ~HandleCloser()
    {
        if (handle != nullptr && handle != INVALID_HANDLE_VALUE)
            CloseHandle(handle);
    }
};

// The SID a token information class of `kind` holds (TokenUser, TokenOwner), or empty.
SidBuffer token_sid(HANDLE token, TOKEN_INFORMATION_CLASS kind)
{
    DWORD size = 0;
    GetTokenInformation(token, kind, nullptr, 0, &size);
    if (size < sizeof(PSID) || size > 64 * 1024)
        return {};
    std::vector<std::uint8_t> info(size);
    if (!GetTokenInformation(token, kind, info.data(), size, &size))
        return {};
    // TOKEN_USER and TOKEN_OWNER both start with the SID's pointer.
    PSID sid = kind == TokenUser ? reinterpret_cast<TOKEN_USER*>(info.data())->User.Sid
                                 : reinterpret_cast<TOKEN_OWNER*>(info.data())->Owner;
    if (sid == nullptr || !IsValidSid(sid))
        return {};
    const DWORD length = GetLengthSid(sid);
    const auto* bytes = static_cast<const std::uint8_t*>(sid);
    return SidBuffer(bytes, bytes + length);
}

}  // namespace

SidBuffer process_user_sid(DWORD process_id)
{
    HandleCloser process{process_id == 0 ? nullptr : OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, process_id)};
    if (process_id != 0 && process.handle == nullptr)
        return {};
    HandleCloser token;
    if (!OpenProcessToken(process_id == 0 ? GetCurrentProcess() : process.handle, TOKEN_QUERY, &token.handle))
        return {};
    return token_sid(token.handle, TokenUser);
}

SidBuffer process_default_owner_sid()
{
    HandleCloser token;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token.handle))
        return {};
    return token_sid(token.handle, TokenOwner);
}

bool same_sid(const SidBuffer& a, const SidBuffer& b) noexcept
{
    if (a.empty() || b.empty())
        return false;
    auto* left = const_cast<std::uint8_t*>(a.data());
    auto* right = const_cast<std::uint8_t*>(b.data());
    return IsValidSid(left) && IsValidSid(right) && EqualSid(left, right);
}

UserOnlySecurity::UserOnlySecurity(const SidBuffer& user) : owner_(user)
{
    auto* sid = const_cast<std::uint8_t*>(user.data());
    if (user.empty() || !IsValidSid(sid))
        throw std::system_error(ERROR_INVALID_SID, std::system_category(), "the user's SID");
    acl_.resize(sizeof(ACL) + sizeof(ACCESS_ALLOWED_ACE) + GetLengthSid(sid));
    auto* acl = reinterpret_cast<ACL*>(acl_.data());
    if (!InitializeAcl(acl, static_cast<DWORD>(acl_.size()), ACL_REVISION))
        throw_last_error("InitializeAcl");
    if (!AddAccessAllowedAce(acl, ACL_REVISION, GENERIC_ALL, sid))
        throw_last_error("AddAccessAllowedAce");
    if (!InitializeSecurityDescriptor(&descriptor_, SECURITY_DESCRIPTOR_REVISION))
        throw_last_error("InitializeSecurityDescriptor");
    if (!SetSecurityDescriptorDacl(&descriptor_, TRUE, acl, FALSE))
        throw_last_error("SetSecurityDescriptorDacl");
    // PuTTY connects only to a pipe owned by the user itself, which the token's default owner need not be.
    if (!SetSecurityDescriptorOwner(&descriptor_, owner_.data(), FALSE))
        throw_last_error("SetSecurityDescriptorOwner");
    attributes_.nLength = sizeof attributes_;
    attributes_.lpSecurityDescriptor = &descriptor_;
    attributes_.bInheritHandle = FALSE;
}

}  // namespace latchkey::platform
