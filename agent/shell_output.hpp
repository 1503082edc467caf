// The shell commands latchkeyd prints for eval, byte for byte as OpenSSH's ssh-agent prints them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace latchkey::agent {

enum class ShellStyle {
    bourne,  // NAME=value; export NAME;   (-s)
    csh,     // setenv NAME value;         (-c)
};

// The style asked for with -c or -s; without one, csh if $SHELL (shell, may be null) ends in "csh", else
// Bourne. Never fails.
ShellStyle choose_shell_style(std::optional<ShellStyle> requested, const char* shell);

// What a forked agent's parent prints: SSH_AUTH_SOCK, SSH_AGENT_PID and "echo Agent pid <pid>;". A socket
// path with characters a shell would interpret is single-quoted (ssh-agent prints it raw). Never fails.
std::string agent_started_lines(ShellStyle style, std::string_view socket_path, int pid);

// What a foreground agent (-D, -d) prints: the SSH_AUTH_SOCK line and the echo line, no SSH_AGENT_PID.
// Never fails.
std::string foreground_lines(ShellStyle style, std::string_view socket_path, int pid);

// What -k prints after it has signalled the agent: unset both variables, "echo Agent pid <pid> killed;".
// Never fails.
std::string agent_killed_lines(ShellStyle style, int pid);

}  // namespace latchkey::agent
