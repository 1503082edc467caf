// The per-user mutex that keeps a second latchkeyd.exe from starting.
#include "platform/windows/single_instance.hpp"

#include <sddl.h>

#include <string>
#include <system_error>

#include "platform/windows/user_sid.hpp"

namespace latchkey::platform {

namespace {

// "S-1-5-21-…" for this process's user. Throws std::system_error if it cannot be read.
std::string user_sid_text()
{
    SidBuffer sid = process_user_sid();
    char* text = nullptr;
    if (sid.empty() || !ConvertSidToStringSidA(sid.data(), &text))
        throw std::system_error(static_cast<int>(GetLastError()), std::system_category(), "reading the user's SID");
    std::string result(text);
    LocalFree(text);
    return result;
}

}  // namespace

SingleInstance::~SingleInstance()
{
    if (mutex_ != nullptr)
        CloseHandle(mutex_);
}

std::optional<SingleInstance> claim_single_instance()
{
    const std::string name = "Local\\latchkeyd." + user_sid_text();
    HANDLE mutex = CreateMutexA(nullptr, TRUE, name.c_str());
    if (mutex == nullptr)
        throw std::system_error(static_cast<int>(GetLastError()), std::system_category(), "CreateMutex " + name);
    if (GetLastError() == ERROR_ALREADY_EXISTS) {
        CloseHandle(mutex);
        return std::nullopt;
    }
    return SingleInstance(mutex);
}

}  // namespace latchkey::platform
