// latchkeyd's configuration file, $XDG_CONFIG_HOME/latchkey/config.toml: its settings, parsed and validated.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "agent/locked_secrets.hpp"

namespace latchkey::agent {

enum class LogLevel { error, warning, info, debug };

// What happens to the keys when the machine suspends or the session's screen locks. lock: keys added
// encrypted are re-encrypted (listed, passphrase asked at next use), keys added in clear are removed;
// drop: every key is removed.
enum class SessionAction { keep, lock, drop };

// A key file to list at start, decrypted on first use.
struct PreloadKey {
    std::string path;                               // "~/" expanded
    std::optional<std::chrono::seconds> lifetime;   // none = the default lifetime
    bool confirm = false;                           // ask before each use, as ssh-add -c
    std::vector<std::string> destinations;          // as ssh-add -h; empty = unrestricted
};

struct Config {
    std::optional<std::chrono::seconds> lifetime;           // default key lifetime; none = until removed
    std::optional<LogLevel> log_level;                      // none = the mode's default
    std::size_t locked_memory = default_locked_heap_size;   // bytes of locked heap
    std::optional<std::string> socket;                      // none = a fresh private directory
    std::chrono::seconds confirm_timeout{60};               // [confirm] timeout
    std::optional<std::string> askpass;                     // [confirm] askpass; none = $SSH_ASKPASS or PATH
    SessionAction on_suspend = SessionAction::keep;         // [session]
    SessionAction on_screen_lock = SessionAction::keep;     // [session]
    std::optional<std::chrono::seconds> drop_after_idle;    // [session]; none = never
    std::vector<PreloadKey> keys;                           // [[key]] tables
};

// A configuration file latchkeyd refuses; what() is "<file>:<line>: <what is wrong and what is allowed>".
class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Limits that keep a hostile or mistaken file from costing much: bytes of file, and [[key]] tables.
inline constexpr std::size_t max_config_size = 256 * 1024;
inline constexpr std::size_t max_preload_keys = 256;

// Parses the text of a config file; `file` names it in errors and `home` replaces a leading "~/" in
// paths. Unset settings keep Config's defaults. Throws ConfigError naming the first wrong line: TOML
// syntax, an unknown setting or table, a value of the wrong type or out of range, more than
// max_preload_keys keys, or text over max_config_size bytes.
Config parse_config(std::string_view text, const std::string& file, const std::string& home);

// Where the config file is: "$XDG_CONFIG_HOME/latchkey/config.toml", with $HOME/.config when
// XDG_CONFIG_HOME is unset or empty. Arguments are the variables' values (null = unset). Returns ""
// if neither is set. Never fails.
std::string config_path(const char* xdg_config_home, const char* home);

// Reads and parses the file at `path`; a missing file gives the defaults. Throws ConfigError if it
// cannot be read or parse_config refuses it.
Config load_config(const std::string& path, const std::string& home);

// The configuration as a TOML file that parses back to it, unset settings as comments saying what
// applies instead. Never fails.
std::string format_config(const Config& config);

}  // namespace latchkey::agent
