// How config.toml and latchkeyd's command line combine into the settings the daemon runs with.
#pragma once

#include <spdlog/common.h>

#include <optional>
#include <string>

#include "agent/config.hpp"
#include "agent/daemon_options.hpp"
#include "agent/server.hpp"

namespace latchkey::agent {

// The configuration with the command line's choices over the file's: -t sets lifetime, -a socket,
// -O locked-memory= locked_memory, --confirm-timeout and --askpass the [confirm] settings.
// Never fails.
Config apply_command_line(Config config, const DaemonOptions& options);

// The server's settings from the configuration; -E's hash and -O shield-delay= from the options.
// Never fails.
ServerOptions server_options(const Config& config, const DaemonOptions& options);

// The settings a reload hands to the running server. Never fails.
LiveSettings live_settings(const Config& config);

// Refuses (ConfigError naming `file`) on_suspend or on_screen_lock other than "keep" when logind cannot be
// watched (`logind_available` false: built without libsystemd). Returns normally otherwise.
void require_session_support(const Config& config, const std::string& file, bool logind_available);

// The log level: debug with -d, else the file's log_level, else info in the foreground and warnings
// only for a detached agent. Never fails.
spdlog::level::level_enum log_level(const Config& config, Foreground foreground);

}  // namespace latchkey::agent
