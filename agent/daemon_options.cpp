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
// latchkeyd's own -O option: the maximum of the locked arena for keys and passphrases.
constexpr std::string_view locked_memory_option = "locked-memory=";
// latchkeyd's own -O option: how long a key stays unshielded after its last signature.
constexpr std::string_view shield_delay_option = "shield-delay=";

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

// The size of -O locked-memory=SIZE: digits and an optional K, M or G (binary multiples).
std::size_t parse_locked_memory(std::string_view text)
{
    constexpr std::size_t smallest = 64 * 1024;
    constexpr std::size_t largest = 1024 * 1024 * 1024;
    const std::string bad = "Invalid locked-memory size \"" + std::string(text) + "\": give 64K to 1G, e.g. 4M";
    std::size_t number = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
    std::string_view suffix(end, static_cast<std::size_t>(text.data() + text.size() - end));
    if (error != std::errc() || end == text.data() || suffix.size() > 1 || number > largest)
        fatal_error(bad);
    if (!suffix.empty()) {
        const auto shift = std::string_view("KMG").find(static_cast<char>(std::toupper(static_cast<unsigned char>(suffix[0]))));
        if (shift == std::string_view::npos || number > (largest >> (10 * (shift + 1))))
            fatal_error(bad);
        number <<= 10 * (shift + 1);
    }
    if (number < smallest)
        fatal_error(bad);
    return number;
}

// The time of -O shield-delay=TIME, written as for -t ("0" allowed).
std::chrono::seconds parse_shield_delay(std::string_view text)
{
    const auto delay = parse_duration(text);
    if (!delay)
        fatal_error("Invalid shield-delay \"" + std::string(text) + "\": give a time as for -t, e.g. 1, 30s or 0");
    return *delay;
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
        if (value.starts_with(locked_memory_option))
            options.locked_memory = parse_locked_memory(std::string_view(value).substr(locked_memory_option.size()));
        else if (value.starts_with(shield_delay_option))
            options.shield_delay = parse_shield_delay(std::string_view(value).substr(shield_delay_option.size()));
        else if (!known_agent_option(value))
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

// The name of a long option latchkeyd knows in "--name[=value]", or empty.
std::string long_option_name(const std::string& word)
{
    if (!word.starts_with("--"))
        return {};
    const std::string name = word.substr(2, word.find('=') == std::string::npos ? std::string::npos : word.find('=') - 2);
    return name == "confirm-timeout" || name == "askpass" ? name : std::string();
}

// Applies one "--name[=value]" word of a known long option, taking the value from the next word if it
// has no '='; returns the index of the next word to read.
std::size_t apply_long_option(DaemonOptions& options, const std::vector<std::string>& arguments, std::size_t index)
{
    const std::string& word = arguments[index];
    const std::size_t equals = word.find('=');
    const std::string name = long_option_name(word);
    std::string value;
    if (equals != std::string::npos)
        value = word.substr(equals + 1);
    else if (index + 1 < arguments.size())
        value = arguments[++index];
    else
        usage_error("option requires an argument -- " + name);
    if (name == "askpass") {
        if (value.empty())
            usage_error("--askpass needs a program");
        options.askpass_program = value;
    } else {
        const auto timeout = parse_duration(value);
        if (!timeout || timeout->count() == 0)
            usage_error("Invalid confirmation timeout \"" + value + "\": use seconds or a duration such as 2m");
        options.confirm_timeout = timeout;
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
        index = long_option_name(word).empty() ? apply_word(options, arguments, index)
                                               : apply_long_option(options, arguments, index);
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
           "  -O option        allow-remote-pkcs11, no-restrict-websafe or websafe-allow=list, or\n"
           "                   locked-memory=SIZE: locked memory for keys, 64K to 1G (default 2M), or\n"
           "                   shield-delay=TIME: how long a used key stays unshielded (default 1s)\n"
           "  -P providers     allowed PKCS#11/FIDO provider paths (recorded, not used yet)\n"
           "  -t life          default key lifetime, e.g. 90, 30m, 1h30m, 2d, 1w\n"
           "  -V               print the version\n"
           "  --confirm-timeout time\n"
           "                   how long a confirmation prompt (ssh-add -c) waits before it refuses,\n"
           "                   e.g. 30, 2m (default 60 s)\n"
           "  --askpass program\n"
           "                   the program that asks to confirm a key's use or for the passphrase of\n"
           "                   a key decrypted on first use; default $SSH_ASKPASS in\n"
           "                   latchkeyd's environment, else /usr/lib/ssh/x11-ssh-askpass (Debian's\n"
           "                   ssh-askpass package). It runs with SSH_ASKPASS_PROMPT=confirm and the\n"
           "                   question as its argument; exit status 0 with no output or \"yes\" allows it\n"
           "  --check-config   check $XDG_CONFIG_HOME/latchkey/config.toml, print the settings in effect\n"
           "  --help           print this help\n"
           "\n"
           "Start it with eval \"$(latchkeyd)\", or run a command under it: latchkeyd bash.\n";
}

}  // namespace latchkey::agent
