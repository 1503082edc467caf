// Start at login through HKCU's Run key: write, read back and remove latchkeyd's value.
#include "platform/windows/autostart.hpp"

#include <windows.h>

#include <system_error>
#include <vector>

namespace latchkey::platform {
namespace {

std::system_error registry_error(LSTATUS status, const char* what)
{
    return {static_cast<int>(status), std::system_category(), what};
}

std::wstring own_path()
{
    std::vector<wchar_t> path(MAX_PATH);
    for (;;) {
        const DWORD length = GetModuleFileNameW(nullptr, path.data(), static_cast<DWORD>(path.size()));
        if (length == 0) {
            throw std::system_error(static_cast<int>(GetLastError()), std::system_category(),
                                    "cannot read this program's path");
        }
        if (length < path.size()) {
            return {path.data(), length};
        }
        path.resize(path.size() * 2);
    }
}

}  // namespace

std::wstring install_autostart(const std::wstring& arguments)
{
    std::wstring command = L"\"" + own_path() + L"\"";
    if (!arguments.empty()) {
        command += L" " + arguments;
    }
    const auto bytes = static_cast<DWORD>((command.size() + 1) * sizeof(wchar_t));
    const LSTATUS status =
        RegSetKeyValueW(HKEY_CURRENT_USER, autostart_key, autostart_value, REG_SZ, command.c_str(), bytes);
    if (status != ERROR_SUCCESS) {
        throw registry_error(status, "cannot write the Run key entry (HKCU\\Software\\Microsoft\\Windows\\"
                                     "CurrentVersion\\Run)");
    }
    return command;
}

bool uninstall_autostart()
{
    const LSTATUS status = RegDeleteKeyValueW(HKEY_CURRENT_USER, autostart_key, autostart_value);
    if (status == ERROR_FILE_NOT_FOUND) {
        return false;
    }
    if (status != ERROR_SUCCESS) {
        throw registry_error(status, "cannot remove the Run key entry");
    }
    return true;
}

std::optional<std::wstring> autostart_command()
{
    DWORD bytes = 0;
    LSTATUS status =
        RegGetValueW(HKEY_CURRENT_USER, autostart_key, autostart_value, RRF_RT_REG_SZ, nullptr, nullptr, &bytes);
    if (status == ERROR_FILE_NOT_FOUND) {
        return std::nullopt;
    }
    std::vector<wchar_t> value(bytes / sizeof(wchar_t) + 1);
    bytes = static_cast<DWORD>(value.size() * sizeof(wchar_t));
    if (status == ERROR_SUCCESS) {
        status = RegGetValueW(HKEY_CURRENT_USER, autostart_key, autostart_value, RRF_RT_REG_SZ, nullptr,
                              value.data(), &bytes);
    }
    if (status != ERROR_SUCCESS) {
        throw registry_error(status, "cannot read the Run key entry");
    }
    return std::wstring(value.data());
}

}  // namespace latchkey::platform
