// Formatting of the -s / -c / -k shell lines.
#include "agent/shell_output.hpp"

namespace latchkey::agent {

namespace {

constexpr std::string_view socket_variable = "SSH_AUTH_SOCK";
constexpr std::string_view pid_variable = "SSH_AGENT_PID";

bool needs_quotes(std::string_view value)
{
    constexpr std::string_view plain = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+,:@%";
    return value.empty() || value.find_first_not_of(plain) != std::string_view::npos;
}

// value as a single shell word: unchanged if it holds nothing special, else in single quotes.
std::string shell_word(std::string_view value)
{
    if (!needs_quotes(value))
        return std::string(value);
    std::string quoted = "'";
    for (char c : value) {
        if (c == '\'')
            quoted += "'\\''";
        else
            quoted += c;
    }
    return quoted + "'";
}

std::string set_line(ShellStyle style, std::string_view name, std::string_view value)
{
    std::string n(name);
    std::string v = shell_word(value);
    if (style == ShellStyle::csh)
        return "setenv " + n + " " + v + ";\n";
    return n + "=" + v + "; export " + n + ";\n";
}

std::string unset_line(ShellStyle style, std::string_view name)
{
    return (style == ShellStyle::csh ? "unsetenv " : "unset ") + std::string(name) + ";\n";
}

std::string echo_line(int pid, std::string_view suffix = "")
{
    return "echo Agent pid " + std::to_string(pid) + std::string(suffix) + ";\n";
}

}  // namespace

ShellStyle choose_shell_style(std::optional<ShellStyle> requested, const char* shell)
{
    if (requested)
        return *requested;
    return shell != nullptr && std::string_view(shell).ends_with("csh") ? ShellStyle::csh : ShellStyle::bourne;
}

std::string agent_started_lines(ShellStyle style, std::string_view socket_path, int pid)
{
    return set_line(style, socket_variable, socket_path) + set_line(style, pid_variable, std::to_string(pid)) +
           echo_line(pid);
}

std::string foreground_lines(ShellStyle style, std::string_view socket_path, int pid)
{
    return set_line(style, socket_variable, socket_path) + echo_line(pid);
}

std::string agent_killed_lines(ShellStyle style, int pid)
{
    return unset_line(style, socket_variable) + unset_line(style, pid_variable) + echo_line(pid, " killed");
}

}  // namespace latchkey::agent
