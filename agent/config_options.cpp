// The config file and the command line, combined: a flag given on the command line wins.
#include "agent/config_options.hpp"

namespace latchkey::agent {

Config apply_command_line(Config config, const DaemonOptions& options)
{
    if (options.lifetime)
        config.lifetime = options.lifetime;
    if (options.bind_address)
        config.socket = options.bind_address;
    if (options.locked_memory)
        config.locked_memory = *options.locked_memory;
    if (options.confirm_timeout)
        config.confirm_timeout = *options.confirm_timeout;
    if (options.askpass_program)
        config.askpass = options.askpass_program;
    return config;
}

ServerOptions server_options(const Config& config, const DaemonOptions& options)
{
    ServerOptions server;
    server.dispatcher.default_lifetime = config.lifetime;
    server.dispatcher.fingerprint_hash = options.fingerprint_hash;
    server.dispatcher.askpass_program = config.askpass;
    server.confirm_timeout = config.confirm_timeout;
    if (options.shield_delay)
        server.dispatcher.keep_clear = *options.shield_delay;
    return server;
}

LiveSettings live_settings(const Config& config)
{
    return LiveSettings{config.lifetime, config.askpass, config.confirm_timeout};
}

void require_session_support(const Config& config, const std::string& file, bool logind_available)
{
    if (logind_available || (config.on_suspend == SessionAction::keep && config.on_screen_lock == SessionAction::keep))
        return;
    throw ConfigError(file + ": [session] on_suspend and on_screen_lock need logind, and this latchkeyd was built "
                             "without libsystemd: set them to \"keep\", or rebuild latchkey with libsystemd-dev "
                             "installed (drop_after_idle works without it)");
}

spdlog::level::level_enum log_level(const Config& config, Foreground foreground)
{
    if (foreground == Foreground::debug)
        return spdlog::level::debug;
    if (!config.log_level)
        return foreground == Foreground::no ? spdlog::level::warn : spdlog::level::info;
    switch (*config.log_level) {
    case LogLevel::error: return spdlog::level::err;
    case LogLevel::warning: return spdlog::level::warn;
    case LogLevel::info: return spdlog::level::info;
    case LogLevel::debug: break;
    }
    return spdlog::level::debug;
}

}  // namespace latchkey::agent
