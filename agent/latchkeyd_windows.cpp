// latchkeyd.exe, the agent on Windows: ssh-agent's options that make sense there, one agent per user,
// hardening and locked memory, then the server on OpenSSH's named pipe until Ctrl+C, logoff or shutdown.
#include <windows.h>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "agent/config_options.hpp"
#include "agent/daemon_options.hpp"
#include "agent/daemon_setup.hpp"
#include "agent/server.hpp"
#include "platform/windows/pipe_listener.hpp"
#include "platform/windows/single_instance.hpp"

namespace {

using namespace latchkey;

// What latchkeyd.exe takes of ssh-agent's command line; the rest is refused with this message.
constexpr const char* windows_usage =
    "usage: latchkeyd [-Dd] [-a pipe] [-E fingerprint_hash] [-O option] [-t life]\n"
    "                 [--askpass program] [--confirm-timeout time]\n"
    "       latchkeyd --check-config | --help | -V\n";

std::string windows_help()
{
    return std::string("latchkeyd: an SSH agent that holds private keys in locked memory and answers Windows'\n"
                       "OpenSSH (ssh, ssh-add, git) on its named pipe, like its ssh-agent service.\n\n") +
           windows_usage +
           "\n"
           "  -a pipe          serve this named pipe instead of \\\\.\\pipe\\openssh-ssh-agent\n"
           "  -D               log informational messages to stderr (the default logs warnings only)\n"
           "  -d               log debug messages to stderr\n"
           "  -E hash          fingerprint hash in logs and prompts: sha256 (default) or md5\n"
           "  -O option        locked-memory=SIZE, shield-delay=TIME (see latchkeyd(1))\n"
           "  -t life          default lifetime of added keys (e.g. 3600, 1h30m)\n"
           "  --askpass prog   program that asks for confirmations and passphrases (default: %SSH_ASKPASS%)\n"
           "  --confirm-timeout time  how long a prompt waits for the user (default 60s)\n"
           "  --check-config   check %APPDATA%\\latchkey\\config.toml and print the settings in effect\n"
           "  -V               print the version\n\n"
           "It serves in the foreground of its console until Ctrl+C, the console closing, logoff or shutdown.\n"
           "Only one latchkeyd.exe runs per user; stop Windows' own ssh-agent service first, which holds the\n"
           "same pipe.\n";
}

void log_to_stderr(spdlog::level::level_enum level)
{
    auto logger = std::make_shared<spdlog::logger>("latchkeyd", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    logger->set_pattern("latchkeyd: %v");
    logger->set_level(level);
    spdlog::set_default_logger(std::move(logger));
}

std::string environment_value(const char* name)
{
    const char* value = std::getenv(name);
    return value != nullptr ? value : "";
}

// Refuses what a Windows agent cannot do: no fork, no shell to set variables in, no pid to signal.
void refuse_unix_only(const agent::DaemonOptions& options)
{
    if (options.mode == agent::DaemonMode::kill)
        throw agent::UsageError("latchkeyd: -k is not available on Windows; stop the agent with Ctrl+C in its "
                                "console or: taskkill /im latchkeyd.exe",
                                false);
    if (options.shell || !options.command.empty())
        throw agent::UsageError("latchkeyd: -c, -s and a command are not available on Windows: clients find the "
                                "agent by its pipe name, without environment variables",
                                true);
}

int serve(agent::DaemonSettings& settings)
{
    settings.config = agent::read_daemon_config(settings);
    log_to_stderr(agent::log_level(settings.config, settings.options.foreground));
    std::optional<platform::SingleInstance> instance = platform::claim_single_instance();
    if (!instance) {
        std::cerr << "latchkeyd: another latchkeyd.exe of this user is already running\n";
        return 1;
    }
    agent::prepare_to_hold_keys(settings);
    const std::string pipe = settings.config.socket.value_or(platform::openssh_agent_pipe);
    agent::ServerOptions server = agent::daemon_server_options(
        settings, static_cast<std::uint32_t>(GetCurrentProcessId()), LATCHKEY_VERSION);
    server.listen = platform::named_pipe_listener(pipe);
    server.report = [pipe](agent::ServerEvent event, std::size_t) {
        if (event == agent::ServerEvent::ready)
            spdlog::info("listening on {}", pipe);  // the pipe exists: clients may connect
    };
    return agent::serve(std::move(server));
}

int run(const agent::DaemonOptions& options)
{
    refuse_unix_only(options);
    const std::string profile = environment_value("USERPROFILE");
    const std::string app_data = environment_value("APPDATA");
    agent::DaemonSettings settings{options, app_data.empty() ? "" : app_data + "\\latchkey\\config.toml", profile,
                                   false};
    switch (options.mode) {
    case agent::DaemonMode::check_config:
        return agent::check_config(settings, "APPDATA is not set", std::cout);
    case agent::DaemonMode::help:
        std::cout << windows_help();
        return 0;
    case agent::DaemonMode::version:
        std::cout << "latchkeyd " LATCHKEY_VERSION "\n";
        return 0;
    default:
        return serve(settings);
    }
}

}  // namespace

int main(int argc, char** argv)
{
    log_to_stderr(spdlog::level::warn);
    try {
        return run(agent::parse_daemon_options({argv + 1, argv + argc}));
    } catch (const agent::UsageError& error) {
        if (*error.what() != '\0')
            std::cerr << error.what() << '\n';
        if (error.show_usage())
            std::cerr << windows_usage;
    } catch (const std::exception& error) {
        spdlog::critical("{}", error.what());
    }
    return 1;
}
