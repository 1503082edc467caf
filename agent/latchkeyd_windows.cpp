// latchkeyd.exe, the agent on Windows: ssh-agent's options that make sense there, one agent per user,
// hardening and locked memory, then the server on OpenSSH's named pipe and Pageant's window and pipe until
// Ctrl+C, logoff or shutdown; or start at login installed or removed.
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/config_options.hpp"
#include "agent/daemon_options.hpp"
#include "agent/daemon_setup.hpp"
#include "agent/pageant_transports.hpp"
#include "agent/server.hpp"
#include "platform/current_process.hpp"
#include "platform/windows/autostart.hpp"
#include "platform/windows/pipe_listener.hpp"
#include "platform/windows/single_instance.hpp"

namespace {

using namespace latchkey;

// What latchkeyd.exe takes of ssh-agent's command line; the rest is refused with this message.
constexpr const char* windows_usage =
    "usage: latchkeyd [-Dd] [-a pipe] [-E fingerprint_hash] [-O option] [-t life]\n"
    "                 [--askpass program] [--confirm-timeout time]\n"
    "                 [--no-pageant-window] [--no-pageant-pipe]\n"
    "       latchkeyd --install-autostart [options] | --uninstall-autostart\n"
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
           "  --no-pageant-window  do not answer PuTTY and WinSCP on Pageant's window\n"
           "  --no-pageant-pipe    do not serve Pageant's named pipe (PuTTY 0.75 and later try it first)\n"
           "  --install-autostart  start latchkeyd at login with the other options given (the per-user Run key)\n"
           "  --uninstall-autostart  remove that entry\n"
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

// latchkeyd.exe's own options, taken out of the command line before ssh-agent's are parsed.
struct WindowsOptions {
    agent::PageantTransports pageant;
    bool install_autostart = false;
    bool uninstall_autostart = false;
    std::vector<std::string> rest;  // the other arguments, in order
};

WindowsOptions take_windows_options(int argc, char** argv)
{
    WindowsOptions options;
    for (int i = 1; i < argc; ++i) {
        const std::string argument = argv[i];
        if (argument == "--no-pageant-window")
            options.pageant.window = false;
        else if (argument == "--no-pageant-pipe")
            options.pageant.pipe = false;
        else if (argument == "--install-autostart")
            options.install_autostart = true;
        else if (argument == "--uninstall-autostart")
            options.uninstall_autostart = true;
        else
            options.rest.push_back(argument);
    }
    if (options.install_autostart && options.uninstall_autostart)
        throw agent::UsageError("latchkeyd: --install-autostart and --uninstall-autostart exclude each other", true);
    return options;
}

// Writes the Run value that starts latchkeyd.exe at login with the options given besides
// --install-autostart (each quoted if it holds a space), once they parse, and says what it wrote.
int install_autostart(const WindowsOptions& options)
{
    agent::parse_daemon_options(options.rest);  // throws UsageError: nothing is written for a typo
    std::vector<std::string> arguments = options.rest;
    if (!options.pageant.window)
        arguments.emplace_back("--no-pageant-window");
    if (!options.pageant.pipe)
        arguments.emplace_back("--no-pageant-pipe");
    std::string line;
    for (const std::string& argument : arguments) {
        line += line.empty() ? "" : " ";
        line += argument.find(' ') == std::string::npos ? argument : '"' + argument + '"';
    }
    std::wstring wide(static_cast<std::size_t>(MultiByteToWideChar(CP_ACP, 0, line.c_str(), -1, nullptr, 0)), L'\0');
    MultiByteToWideChar(CP_ACP, 0, line.c_str(), -1, wide.data(), static_cast<int>(wide.size()));
    wide.resize(wide.empty() ? 0 : wide.size() - 1);  // the terminating NUL
    std::wcout << L"latchkeyd will start at login: " << platform::install_autostart(wide) << L"\n";
    return 0;
}

int serve(agent::DaemonSettings& settings, agent::PageantTransports pageant)
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
        settings, static_cast<std::uint32_t>(platform::current_pid()), LATCHKEY_VERSION);
    server.listen = platform::named_pipe_listener(pipe);
    agent::add_pageant_transports(server, pageant);
    server.report = [pipe](agent::ServerEvent event, std::size_t) {
        if (event == agent::ServerEvent::ready)
            spdlog::info("listening on {}", pipe);  // the pipes and Pageant's window exist: clients may connect
    };
    return agent::serve(std::move(server));
}

int run(const agent::DaemonOptions& options, const WindowsOptions& windows)
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
        return serve(settings, windows.pageant);
    }
}

}  // namespace

int main(int argc, char** argv)
{
    log_to_stderr(spdlog::level::warn);
    try {
        const WindowsOptions windows = take_windows_options(argc, argv);
        if (windows.uninstall_autostart) {
            std::cout << (platform::uninstall_autostart() ? "latchkeyd will no longer start at login\n"
                                                          : "latchkeyd was not set to start at login\n");
            return 0;
        }
        if (windows.install_autostart)
            return install_autostart(windows);
        return run(agent::parse_daemon_options(windows.rest), windows);
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
