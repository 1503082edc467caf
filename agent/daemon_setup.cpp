// The parts of latchkeyd's start-up that are the same on every operating system.
#include "agent/daemon_setup.hpp"

#include <filesystem>
#include <ostream>

#include "agent/config_options.hpp"
#include "agent/host_names.hpp"
#include "agent/locked_secrets.hpp"
#include "platform/hardening.hpp"

namespace latchkey::agent {

Config read_daemon_config(const DaemonSettings& settings)
{
    Config config;
    if (!settings.config_file.empty())
        config = load_config(settings.config_file, settings.home);
    require_session_support(config, settings.config_file, settings.session_support);
    return apply_command_line(std::move(config), settings.options);
}

ServerOptions daemon_server_options(const DaemonSettings& settings, std::uint32_t pid, const std::string& version)
{
    ServerOptions server = server_options(settings.config, settings.options);
    server.dispatcher.daemon_pid = pid;
    server.dispatcher.version = version;
    server.dispatcher.known_hosts_files =
        default_known_hosts_files(settings.home.empty() ? nullptr : settings.home.c_str());
    server.preload = settings.config.keys;
    return server;
}

int check_config(const DaemonSettings& settings, const std::string& no_place, std::ostream& out)
{
    const Config config = read_daemon_config(settings);
    if (settings.config_file.empty())
        out << "# no config file (" << no_place << "): the defaults\n";
    else if (!std::filesystem::exists(settings.config_file))
        out << "# no " << settings.config_file << ": the defaults\n";
    else
        out << "# " << settings.config_file << " is valid; the settings in effect:\n";
    out << format_config(config);
    return 0;
}

void prepare_to_hold_keys(const DaemonSettings& settings)
{
    platform::harden_process();
    use_locked_memory_for_secrets(settings.config.locked_memory);
}

}  // namespace latchkey::agent
