// latchkeyd's command line: ssh-agent's options, parsed without touching the process.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "agent/shell_output.hpp"

#include "agent/fingerprint.hpp"

namespace latchkey::agent {

enum class DaemonMode {
    agent,    // run an agent (forked, in the foreground, or around a command)
    kill,     // -k: stop the agent named by $SSH_AGENT_PID
    help,     // --help
    check_config,  // --check-config: validate config.toml and print the effective configuration
    version,  // -V
};

enum class Foreground {
    no,     // fork and detach (or run the command)
    quiet,  // -D: stay in the foreground, log to stderr
    debug,  // -d: as -D with debug logging
};

struct DaemonOptions {
    DaemonMode mode = DaemonMode::agent;
    std::optional<ShellStyle> shell;            // -s / -c; none = choose by $SHELL
    Foreground foreground = Foreground::no;     // -D / -d
    std::optional<std::string> bind_address;    // -a
    FingerprintHash fingerprint_hash = FingerprintHash::sha256;  // -E
    std::optional<std::chrono::seconds> lifetime;                 // -t; -t 0 = none, as in ssh-agent
    std::optional<std::string> allowed_providers;                 // -P, recorded for providers to come
    std::vector<std::string> agent_options;                       // -O, each one validated
    std::optional<std::size_t> locked_memory;                     // -O locked-memory=SIZE, in bytes
    std::optional<std::chrono::seconds> shield_delay;             // -O shield-delay=TIME
    std::vector<std::string> command;                             // command [arg ...]
    // Long options of latchkeyd's own (ssh-agent has neither):
    std::optional<std::chrono::seconds> confirm_timeout;  // --confirm-timeout; none = 60 s
    std::optional<std::string> askpass_program;           // --askpass; none = $SSH_ASKPASS or ssh-askpass
};

// A command line latchkeyd refuses. what() is the message to print (ssh-agent's wording; empty when the
// usage alone says it); show_usage() says whether the usage text follows it.
class UsageError : public std::runtime_error {
public:
    UsageError(const std::string& message, bool show_usage) : std::runtime_error(message), show_usage_(show_usage) {}
    bool show_usage() const noexcept { return show_usage_; }

private:
    bool show_usage_;
};

// Parses the arguments after argv[0] as getopt("+cDdksVE:a:O:P:t:") does — bundled flags ("-Dd" is refused
// as ssh-agent refuses it, "-sD" is fine), attached or separate option arguments ("-P/*", "-t 1h30m"), "--"
// ends the options and so does the first non-option, which starts the command. "--help" and -V stop parsing
// and select their mode; "--check-config" selects its mode and parsing goes on (-t and -a show in what it
// prints). Throws UsageError for an unknown option, a missing argument, -c with -s, -d with -D, a second
// -P, a bad -t, -E or -O value (locked-memory= takes a number of bytes with an optional K, M or G
// suffix, from 64K to 1G; shield-delay= a time as for -t, 0 allowed), or a command together with -c,
// -s, -d, -D, -k or --check-config.
DaemonOptions parse_daemon_options(const std::vector<std::string>& arguments);

// The value of $SSH_AGENT_PID (null if unset) as the pid -k signals. Throws std::runtime_error with
// ssh-agent's message if it is unset or not a number from 2 to INT_MAX.
int agent_pid_to_kill(const char* ssh_agent_pid);

// ssh-agent's usage synopsis with latchkeyd's name and -V, for stderr. Never fails.
std::string usage_text();

// --help: what latchkeyd is, the usage and each option, for stdout. Never fails.
std::string help_text();

}  // namespace latchkey::agent
