// Parsing of latchkeyd's ssh-agent-compatible command line.
#include "agent/daemon_options.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <climits>
#include <string_view>

#include "agent/duration.hpp"

namespace latchkey::agent {

namespace {

constexpr std::string_view flag_letters = "cDdksV";
constexpr std::string_view argument_letters = "EaOPt";

[[noreturn]] void usage_error(const std::string& message = {})
{
    throw UsageError(message, true);
}

[[noreturn]] void fatal_error(const std::string& message)
{
    throw UsageError(message, false);
}

// Like OpenSSH's ssh_digest_alg_by_name, the name is matched ignoring case.
FingerprintHash parse_hash(const std::string& name)
{
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (lower == "sha256")
        return FingerprintHash::sha256;
    if (lower == "md5")
        return FingerprintHash::md5;
    fatal_error("Invalid hash algorithm \"" + name + "\"");
}

// The -O options of OpenSSH 9.x's ssh-agent.
bool known_agent_option(std::string_view option)
{
    return option == "allow-remote-pkcs11" || option == "no-restrict-websafe" || option.starts_with("websafe-allow=");
}

void set_shell(DaemonOptions& options, ShellStyle style)
{
    if (options.shell && *options.shell != style)
        usage_error();
    options.shell = style;
}

void set_foreground(DaemonOptions& options, Foreground foreground)
{
    if (options.foreground != Foreground::no)
        usage_error();
    options.foreground = foreground;
}

void apply_flag(DaemonOptions& options, char letter)
{
    switch (letter) {
    case 'c': set_shell(options, ShellStyle::csh); break;
    case 's': set_shell(options, ShellStyle::bourne); break;
    case 'D': set_foreground(options, Foreground::quiet); break;
    case 'd': set_foreground(options, Foreground::debug); break;
    case 'k': options.mode = DaemonMode::kill; break;
    default: options.mode = DaemonMode::version; break;  // 'V'
    }
}

void apply_argument(DaemonOptions& options, char letter, const std::string& value)
{
    switch (letter) {
    case 'E': options.fingerprint_hash = parse_hash(value); break;
    case 'a': options.bind_address = value; break;
    case 'O':
        if (!known_agent_option(value))
            fatal_error("Unknown -O option");
        options.agent_options.push_back(value);
        break;
    case 'P':
        if (options.allowed_providers)
            fatal_error("-P option already specified");
        options.allowed_providers = value;
        break;
    default: {  // 't'
        const auto lifetime = parse_duration(value);
        if (!lifetime)
            usage_error("Invalid lifetime");
        options.lifetime = lifetime->count() == 0 ? std::nullopt : lifetime;
    }
    }
}

// Applies one "-xyz" word, taking an option argument from the next word if needed; returns the index of
// the next word to read.
std::size_t apply_word(DaemonOptions& options, const std::vector<std::string>& arguments, std::size_t index)
{
    const std::string& word = arguments[index];
    for (std::size_t i = 1; i < word.size() && options.mode != DaemonMode::version; ++i) {
        const char letter = word[i];
        if (flag_letters.find(letter) != std::string_view::npos) {
            apply_flag(options, letter);
        } else if (argument_letters.find(letter) != std::string_view::npos) {
            if (i + 1 < word.size()) {
                apply_argument(options, letter, word.substr(i + 1));
            } else if (index + 1 < arguments.size()) {
                apply_argument(options, letter, arguments[++index]);
            } else {
                usage_error(std::string("option requires an argument -- ") + letter);
            }
            break;
        } else {
            usage_error(std::string("unknown option -- ") + letter);
        }
    }
    return index + 1;
}

bool conflicts_with_command(const DaemonOptions& options)
{
    return options.mode == DaemonMode::kill || options.mode == DaemonMode::check_config || options.shell ||
           options.foreground != Foreground::no;
}

// What OpenSSH's strtonum(text, 2, INT_MAX) would say about text; empty if pid now holds a good value.
std::string_view pid_problem(std::string_view text, long long& pid)
{
    const char* last = text.data() + text.size();
    const auto [end, error] = std::from_chars(text.data(), last, pid);
    if (error == std::errc::invalid_argument || end != last)
        return "invalid";
    if (error == std::errc::result_out_of_range)
        return text.starts_with('-') ? "too small" : "too large";
    if (pid < 2)
        return "too small";
    return pid > INT_MAX ? "too large" : "";
}

}  // namespace

DaemonOptions parse_daemon_options(const std::vector<std::string>& arguments)
{
    DaemonOptions options;
    std::size_t index = 0;
    while (index < arguments.size() && options.mode != DaemonMode::version) {
        const std::string& word = arguments[index];
        if (word == "--help") {
            options.mode = DaemonMode::help;
            return options;
        }
        if (word == "--check-config") {
            options.mode = DaemonMode::check_config;
            ++index;
            continue;
        }
        if (word == "--") {
            ++index;
            break;
        }
        if (word.size() < 2 || word[0] != '-')
            break;
        index = apply_word(options, arguments, index);
    }
    if (options.mode == DaemonMode::version)
        return options;
    options.command.assign(arguments.begin() + static_cast<std::ptrdiff_t>(index), arguments.end());
    if (!options.command.empty() && conflicts_with_command(options))
        usage_error();
    return options;
}

int agent_pid_to_kill(const char* ssh_agent_pid)
{
    if (ssh_agent_pid == nullptr)
        throw std::runtime_error("SSH_AGENT_PID not set, cannot kill agent");
    long long pid = 0;
    const std::string_view problem = pid_problem(ssh_agent_pid, pid);
    if (!problem.empty())
        throw std::runtime_error("SSH_AGENT_PID=\"" + std::string(ssh_agent_pid) +
                                 "\", which is not a good PID: " + std::string(problem));
    return static_cast<int>(pid);
}

std::string usage_text()
{
    return "usage: latchkeyd [-c | -s] [-Dd] [-a bind_address] [-E fingerprint_hash]\n"
           "                 [-O option] [-P allowed_providers] [-t life]\n"
           "       latchkeyd [-a bind_address] [-E fingerprint_hash] [-O option]\n"
           "                 [-P allowed_providers] [-t life] command [arg ...]\n"
           "       latchkeyd [-c | -s] -k\n"
           "       latchkeyd [-a bind_address] [-t life] --check-config\n"
           "       latchkeyd -V\n";
}

std::string help_text()
{
    return "latchkeyd: an SSH agent that holds private keys in locked memory and answers ssh, ssh-add\n"
           "and git like OpenSSH's ssh-agent, whose command line it takes.\n\n" +
           usage_text() +
           "\n"
           "  -a bind_address  listen on this socket path instead of a fresh private directory\n"
           "  -c, -s           print csh-style or Bourne-style commands (default: by $SHELL)\n"
           "  -D               stay in the foreground\n"
           "  -d               stay in the foreground and log debug messages to stderr\n"
           "  -E hash          fingerprint hash in logs: sha256 (default) or md5\n"
           "  -k               stop the agent named by $SSH_AGENT_PID\n"
           "  -O option        allow-remote-pkcs11, no-restrict-websafe or websafe-allow=list\n"
           "  -P providers     allowed PKCS#11/FIDO provider paths (recorded, not used yet)\n"
           "  -t life          default key lifetime, e.g. 90, 30m, 1h30m, 2d, 1w\n"
           "  -V               print the version\n"
           "  --check-config   check $XDG_CONFIG_HOME/latchkey/config.toml, print the settings in effect\n"
           "  --help           print this help\n"
           "\n"
           "Start it with eval \"$(latchkeyd)\", or run a command under it: latchkeyd bash.\n";
}

}  // namespace latchkey::agent
