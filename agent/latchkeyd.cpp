// latchkeyd, the agent daemon: reads ssh-agent's command line, places the socket, hardens, and serves.
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <iostream>
#include <memory>

#include "agent/config.hpp"
#include "agent/config_options.hpp"
#include "agent/daemon_options.hpp"
#include "agent/daemon_setup.hpp"
#include "agent/preload.hpp"
#include "agent/server.hpp"
#include "agent/service_status.hpp"
#include "agent/session_watch.hpp"
#include "agent/shell_output.hpp"
#include "platform/posix/logind.hpp"
#include "platform/posix/process.hpp"
#include "platform/posix/system_log.hpp"
#include "platform/posix/systemd.hpp"
#include "platform/posix/unix_listener.hpp"
#include "platform/posix/unix_socket.hpp"

namespace {

using namespace latchkey;

// Logs to stderr from `level` up (start-up, -D, -d). Under systemd stderr is the journal: each line then
// carries its priority and no name (the journal adds it).
void log_to_stderr(spdlog::level::level_enum level)
{
    const bool journal = platform::stderr_is_journal();
    auto logger = std::make_shared<spdlog::logger>(
        "latchkeyd", journal ? platform::journal_stderr_sink() : std::make_shared<spdlog::sinks::stderr_sink_mt>());
    if (!journal)
        logger->set_pattern("latchkeyd: %v");
    logger->set_level(level);
    spdlog::set_default_logger(std::move(logger));
}

// A detached agent has no stderr: it logs from `level` up (warnings by default) to syslog.
void log_to_syslog(spdlog::level::level_enum level)
{
    auto logger = std::make_shared<spdlog::logger>("latchkeyd", platform::system_log_sink("latchkeyd"));
    logger->set_level(level);
    spdlog::set_default_logger(std::move(logger));
}

using Settings = agent::DaemonSettings;

platform::AgentSocket open_socket(const agent::Config& config)
{
    if (config.socket)
        return platform::listen_at(*config.socket);
    const std::string parent = platform::private_directory_parent(std::getenv("XDG_RUNTIME_DIR"), std::getenv("TMPDIR"));
    return platform::listen_in_private_directory(parent, platform::current_pid());
}

// [session] as the server follows it. When logind cannot be watched (no system bus, no session found) the
// agent still starts, after logging why and what is not followed.
agent::SessionPolicy session_policy(const agent::Config& config)
{
    agent::SessionPolicy policy{config.on_suspend, config.on_screen_lock, nullptr, config.drop_after_idle};
    const bool suspend = config.on_suspend != agent::SessionAction::keep;
    const bool screen_lock = config.on_screen_lock != agent::SessionAction::keep;
    if (!suspend && !screen_lock)
        return policy;
    try {
        auto logind = std::make_shared<platform::LogindWatch>(suspend, screen_lock);
        spdlog::info("following logind:{}{}", suspend ? " suspend" : "",
                     screen_lock ? " and the screen lock of " + logind->session_path() : "");
        policy.follow = [logind](std::function<void(platform::SessionEvent)> on_event) {
            return agent::watch_session(*logind, std::move(on_event));
        };
    } catch (const platform::LogindError& error) {
        spdlog::error("{}: keys will not be locked or dropped on suspend or screen lock", error.what());
    }
    return policy;
}

agent::ServerOptions server_options(const Settings& settings, platform::AgentSocket& socket)
{
    agent::ServerOptions server =
        agent::daemon_server_options(settings, static_cast<std::uint32_t>(platform::current_pid()), LATCHKEY_VERSION);
    server.listen = platform::unix_socket_listener(socket.take_listener().release());
    server.session = session_policy(settings.config);
    server.max_connections = agent::connection_limit(platform::descriptor_limit());
    return server;
}

int serve(const Settings& settings, platform::AgentSocket& socket)
{
    spdlog::info("listening on {}", socket.path());
    return agent::serve(server_options(settings, socket));
}

// SIGHUP under systemd: reads the config file again. A bad file is logged with its line and changes
// nothing; a good one changes the log level and what LiveSettings holds, preloads the [[key]] tables it newly
// lists (keys already loaded stay, those no longer listed too), and says what waits for a restart.
std::optional<agent::LiveSettings> reload_config(Settings& settings)
{
    agent::Config config;
    try {
        config = agent::read_daemon_config(settings);
    } catch (const agent::ConfigError& error) {
        spdlog::error("{}; keeping the configuration in use", error.what());
        return std::nullopt;
    }
    if (config.locked_memory != settings.config.locked_memory || config.socket != settings.config.socket ||
        config.on_suspend != settings.config.on_suspend || config.on_screen_lock != settings.config.on_screen_lock ||
        config.drop_after_idle != settings.config.drop_after_idle)
        spdlog::warn("locked_memory, socket and [session] take effect when latchkeyd restarts");
    spdlog::set_level(agent::log_level(config, settings.options.foreground));
    agent::LiveSettings live = agent::live_settings(config);
    live.new_keys = agent::newly_listed_keys(settings.config.keys, config.keys);
    settings.config = std::move(config);
    spdlog::info("reloaded {}", settings.config_file);
    return live;
}

// -D or -d with the socket systemd passed (latchkeyd.socket): no shell lines, readiness and the key count
// through sd_notify, and SIGHUP reloads the configuration instead of stopping the agent (a user service has
// no terminal to hang up; systemctl --user reload latchkeyd sends it).
int serve_for_service_manager(Settings& settings, platform::AgentSocket& socket)
{
    log_to_stderr(agent::log_level(settings.config, settings.options.foreground));
    agent::prepare_to_hold_keys(settings);
    agent::ServerOptions server = server_options(settings, socket);
    server.report = [](agent::ServerEvent event, std::size_t key_count) {
        platform::notify_service_manager(agent::service_manager_state(event, key_count));
    };
    server.reload = [&settings] { return reload_config(settings); };
    spdlog::info("listening on {} (socket from systemd)", socket.path());
    return agent::serve(std::move(server));
}

int serve_in_foreground(const Settings& settings, agent::ShellStyle style, platform::AgentSocket& socket)
{
    agent::prepare_to_hold_keys(settings);
    platform::remove_on_termination_signal(socket);
    log_to_stderr(agent::log_level(settings.config, settings.options.foreground));
    std::cout << agent::foreground_lines(style, socket.path(), platform::current_pid()) << std::flush;
    return serve(settings, socket);
}

// The forked agent: reports to the parent once it is ready to serve, then serves without a terminal.
int serve_in_background(const Settings& settings, platform::AgentSocket& socket, platform::UniqueFd ready_pipe,
                        int parent_pid)
{
    agent::prepare_to_hold_keys(settings);
    platform::remove_on_termination_signal(socket);
    if (!settings.options.command.empty() && !platform::terminate_with_parent(parent_pid))
        return 0;  // the command's process is already gone
    platform::detach_from_terminal();
    log_to_syslog(agent::log_level(settings.config, settings.options.foreground));
    platform::report_ready(std::move(ready_pipe));
    return serve(settings, socket);
}

int run_agent(Settings& settings)
{
    const agent::DaemonOptions& options = settings.options;
    const agent::ShellStyle style = agent::choose_shell_style(options.shell, std::getenv("SHELL"));
    settings.config = agent::read_daemon_config(settings);
    if (options.foreground != agent::Foreground::no) {
        if (std::optional<platform::AgentSocket> passed = platform::socket_from_service_manager())
            return serve_for_service_manager(settings, *passed);
    }
    platform::AgentSocket socket = open_socket(settings.config);
    if (options.foreground != agent::Foreground::no)
        return serve_in_foreground(settings, style, socket);
    const int parent_pid = platform::current_pid();
    platform::ForkedProcess fork = platform::fork_with_ready_pipe();
    if (fork.pid == 0)
        return serve_in_background(settings, socket, std::move(fork.ready_pipe), parent_pid);
    socket.disown();
    if (!platform::wait_until_ready(fork.ready_pipe))
        return 1;  // the agent has said why on stderr
    if (options.command.empty()) {
        std::cout << agent::agent_started_lines(style, socket.path(), fork.pid);
        return 0;
    }
    platform::exec_command(options.command,
                           {{"SSH_AUTH_SOCK", socket.path()}, {"SSH_AGENT_PID", std::to_string(fork.pid)}});
}

// -k, with ssh-agent's messages.
int kill_agent(const agent::DaemonOptions& options)
{
    try {
        const int pid = agent::agent_pid_to_kill(std::getenv("SSH_AGENT_PID"));
        platform::terminate_process(pid);
        std::cout << agent::agent_killed_lines(agent::choose_shell_style(options.shell, std::getenv("SHELL")), pid);
        return 0;
    } catch (const std::exception& error) {
        std::cerr << error.what() << '\n';
        return 1;
    }
}

int run(const agent::DaemonOptions& options)
{
    const char* home = std::getenv("HOME");
    Settings settings{options, agent::config_path(std::getenv("XDG_CONFIG_HOME"), home), home == nullptr ? "" : home,
                      platform::logind_available()};
    if (options.mode == agent::DaemonMode::check_config)
        return agent::check_config(settings, "neither XDG_CONFIG_HOME nor HOME is set", std::cout);
    if (options.mode == agent::DaemonMode::help)
        std::cout << agent::help_text();
    else if (options.mode == agent::DaemonMode::version)
        std::cout << "latchkeyd " LATCHKEY_VERSION "\n";
    else if (options.mode == agent::DaemonMode::kill)
        return kill_agent(options);
    else
        return run_agent(settings);
    return 0;
}

}  // namespace

int main(int argc, char** argv)
{
    log_to_stderr(spdlog::level::warn);
    try {
        platform::open_standard_descriptors();
        return run(agent::parse_daemon_options({argv + 1, argv + argc}));
    } catch (const agent::UsageError& error) {
        if (*error.what() != '\0')
            std::cerr << error.what() << '\n';
        if (error.show_usage())
            std::cerr << agent::usage_text();
    } catch (const std::exception& error) {
        spdlog::critical("{}", error.what());
    }
    return 1;
}
