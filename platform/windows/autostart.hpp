// Start at login: the per-user Run key entry that starts this program when the user logs in.
#pragma once

#include <optional>
#include <string>

namespace latchkey::platform {

// HKEY_CURRENT_USER\<autostart_key>, value <autostart_value>.
inline constexpr const wchar_t* autostart_key = L"Software\\Microsoft\\Windows\\CurrentVersion\\Run";
inline constexpr const wchar_t* autostart_value = L"latchkeyd";

// Writes the Run value: this program's full path in quotes, then `arguments` if not empty. Replaces an
// earlier entry. Returns the command line written. Throws std::system_error if the path or the key cannot
// be read or written.
std::wstring install_autostart(const std::wstring& arguments);

// Removes the Run value. Returns false if there was none. Throws std::system_error if it cannot be removed.
bool uninstall_autostart();

// The command line the Run value holds now, or nullopt if there is none. Throws std::system_error if the
// key exists but cannot be read.
std::optional<std::wstring> autostart_command();

}  // namespace latchkey::platform
