// What latchkeyd's mains (Unix: latchkeyd.cpp, Windows: latchkeyd_windows.cpp) do alike: read config.toml
// under the command line, make the server's settings, answer --check-config, prepare to hold keys.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>

#include "agent/config.hpp"
#include "agent/daemon_options.hpp"
#include "agent/server.hpp"

namespace latchkey::agent {

// The command line and the config file it is combined with.
struct DaemonSettings {
    DaemonOptions options;
    std::string config_file;  // "" if the environment names no place for it
    std::string home;         // the user's home, for ~ in the file and known_hosts; "" = none
    bool session_support = false;  // whether [session] on_suspend / on_screen_lock can be followed
    Config config{};          // the file's settings with the command line's over them
};

// Reads settings.config_file (none: the defaults) and puts the command line over it. Throws ConfigError
// naming the wrong line, or [session] policies that cannot be followed (require_session_support).
Config read_daemon_config(const DaemonSettings& settings);

// The server's settings for settings.config, without the listener: the dispatcher's pid, version and
// known_hosts files, and the [[key]] tables to preload. Never fails.
ServerOptions daemon_server_options(const DaemonSettings& settings, std::uint32_t pid, const std::string& version);

// --check-config: prints to `out` whether the file exists and is valid, then the settings in effect;
// `no_place` says why there is no file name (e.g. "neither XDG_CONFIG_HOME nor HOME is set"). Returns 0.
// Throws ConfigError naming the wrong line (the caller prints it and exits 1).
int check_config(const DaemonSettings& settings, const std::string& no_place, std::ostream& out);

// Everything that must hold before a key can arrive in this process: hardening, the locked heap of the
// configured size. Throws std::system_error or platform::SecureHeapError saying what failed.
void prepare_to_hold_keys(const DaemonSettings& settings);

}  // namespace latchkey::agent
