// latchkeyd, the agent daemon: reads ssh-agent's command line, places the socket, hardens, and serves.
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <iostream>
#include <memory>

#include "agent/daemon_options.hpp"
#include "agent/host_names.hpp"
#include "agent/locked_secrets.hpp"
#include "agent/server.hpp"
#include "agent/shell_output.hpp"
#include "platform/hardening.hpp"
#include "platform/posix/process.hpp"
#include "platform/posix/system_log.hpp"
#include "platform/posix/unix_socket.hpp"

namespace {

using namespace latchkey;

// Logs to stderr from `level` up (start-up, -D, -d) or, for a detached agent, warnings up to syslog.
void log_to_stderr(spdlog::level::level_enum level)
{
    auto logger = std::make_shared<spdlog::logger>("latchkeyd", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    logger->set_pattern("latchkeyd: %v");
    logger->set_level(level);
    spdlog::set_default_logger(std::move(logger));
}

void log_to_syslog()
{
    auto logger = std::make_shared<spdlog::logger>("latchkeyd", platform::system_log_sink("latchkeyd"));
    logger->set_level(spdlog::level::warn);
    spdlog::set_default_logger(std::move(logger));
}

platform::AgentSocket open_socket(const agent::DaemonOptions& options)
{
    if (options.bind_address)
        return platform::listen_at(*options.bind_address);
    const std::string parent = platform::private_directory_parent(std::getenv("XDG_RUNTIME_DIR"), std::getenv("TMPDIR"));
    return platform::listen_in_private_directory(parent, platform::current_pid());
}

// Everything that must hold before a key can arrive in this process.
void prepare_to_hold_keys(const agent::DaemonOptions& options, const platform::AgentSocket& socket)
{
    platform::harden_process();
    agent::use_locked_memory_for_secrets(options.locked_memory.value_or(agent::default_locked_heap_size));
    platform::remove_on_termination_signal(socket);
}

int serve(const agent::DaemonOptions& options, platform::AgentSocket& socket)
{
    agent::ServerOptions server;
    server.listen_fd = socket.take_listener().release();
    server.dispatcher.default_lifetime = options.lifetime;
    server.dispatcher.fingerprint_hash = options.fingerprint_hash;
    server.dispatcher.daemon_pid = static_cast<std::uint32_t>(platform::current_pid());
    server.dispatcher.version = LATCHKEY_VERSION;
    server.dispatcher.known_hosts_files = agent::default_known_hosts_files(std::getenv("HOME"));
    server.dispatcher.askpass_program = options.askpass_program;
    if (options.confirm_timeout)
        server.confirm_timeout = *options.confirm_timeout;
    if (options.shield_delay)
        server.dispatcher.keep_clear = *options.shield_delay;
    spdlog::info("listening on {}", socket.path());
    return agent::serve(std::move(server));
}

int serve_in_foreground(const agent::DaemonOptions& options, agent::ShellStyle style, platform::AgentSocket& socket)
{
    prepare_to_hold_keys(options, socket);
    log_to_stderr(options.foreground == agent::Foreground::debug ? spdlog::level::debug : spdlog::level::info);
    std::cout << agent::foreground_lines(style, socket.path(), platform::current_pid()) << std::flush;
    return serve(options, socket);
}

// The forked agent: reports to the parent once it is ready to serve, then serves without a terminal.
int serve_in_background(const agent::DaemonOptions& options, platform::AgentSocket& socket,
                        platform::UniqueFd ready_pipe, int parent_pid)
{
    prepare_to_hold_keys(options, socket);
    if (!options.command.empty() && !platform::terminate_with_parent(parent_pid))
        return 0;  // the command's process is already gone
    platform::detach_from_terminal();
    log_to_syslog();
    platform::report_ready(std::move(ready_pipe));
    return serve(options, socket);
}

int run_agent(const agent::DaemonOptions& options)
{
    const agent::ShellStyle style = agent::choose_shell_style(options.shell, std::getenv("SHELL"));
    platform::AgentSocket socket = open_socket(options);
    if (options.foreground != agent::Foreground::no)
        return serve_in_foreground(options, style, socket);
    const int parent_pid = platform::current_pid();
    platform::ForkedProcess fork = platform::fork_with_ready_pipe();
    if (fork.pid == 0)
        return serve_in_background(options, socket, std::move(fork.ready_pipe), parent_pid);
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
    if (options.mode == agent::DaemonMode::help)
        std::cout << agent::help_text();
    else if (options.mode == agent::DaemonMode::version)
        std::cout << "latchkeyd " LATCHKEY_VERSION "\n";
    else if (options.mode == agent::DaemonMode::kill)
        return kill_agent(options);
    else
        return run_agent(options);
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
