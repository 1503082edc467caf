// Tests of agent/shell_output, byte for byte against the lines /usr/bin/ssh-agent prints.
#include <doctest/doctest.h>
#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <regex>
#include <string>

#include "agent/shell_output.hpp"

using namespace latchkey::agent;

namespace {

constexpr const char* ssh_agent = "/usr/bin/ssh-agent";

struct Printed {
    std::string socket;
    int pid = 0;
};

// The socket path and pid in ssh-agent's output.
Printed parse(const std::string& output)
{
    std::smatch match;
    REQUIRE(std::regex_search(output, match, std::regex("SSH_AUTH_SOCK[= ]([^;]+);")));
    Printed printed {match[1], 0};
    REQUIRE(std::regex_search(output, match, std::regex("echo Agent pid ([0-9]+);")));
    printed.pid = std::stoi(match[1]);
    return printed;
}

// What a shell command prints on stdout. With lines > 0, reads that many lines of a foreground agent's
// output, then stops that agent (pclose waits for it).
std::string run(const std::string& command, int lines = 0)
{
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
    REQUIRE(pipe);
    std::string output;
    char buffer[512];
    for (int n = 0; (lines == 0 || n < lines) && std::fgets(buffer, sizeof buffer, pipe.get()) != nullptr; ++n)
        output += buffer;
    if (lines > 0)
        ::kill(parse(output).pid, SIGTERM);
    return output;
}

}  // namespace

TEST_CASE("the style follows -c/-s, else $SHELL")
{
    CHECK(choose_shell_style(ShellStyle::bourne, "/bin/tcsh") == ShellStyle::bourne);
    CHECK(choose_shell_style(ShellStyle::csh, "/bin/bash") == ShellStyle::csh);
    CHECK(choose_shell_style(std::nullopt, "/bin/tcsh") == ShellStyle::csh);
    CHECK(choose_shell_style(std::nullopt, "/usr/bin/csh") == ShellStyle::csh);
    CHECK(choose_shell_style(std::nullopt, "csh") == ShellStyle::csh);
    CHECK(choose_shell_style(std::nullopt, "/bin/bash") == ShellStyle::bourne);
    CHECK(choose_shell_style(std::nullopt, "/bin/cshell") == ShellStyle::bourne);
    CHECK(choose_shell_style(std::nullopt, "") == ShellStyle::bourne);
    CHECK(choose_shell_style(std::nullopt, nullptr) == ShellStyle::bourne);
}

TEST_CASE("the lines, spelled out")
{
    CHECK(agent_started_lines(ShellStyle::bourne, "/run/a/agent.1", 42) ==
          "SSH_AUTH_SOCK=/run/a/agent.1; export SSH_AUTH_SOCK;\nSSH_AGENT_PID=42; export SSH_AGENT_PID;\n"
          "echo Agent pid 42;\n");
    CHECK(agent_started_lines(ShellStyle::csh, "/run/a/agent.1", 42) ==
          "setenv SSH_AUTH_SOCK /run/a/agent.1;\nsetenv SSH_AGENT_PID 42;\necho Agent pid 42;\n");
    CHECK(foreground_lines(ShellStyle::bourne, "/s", 7) == "SSH_AUTH_SOCK=/s; export SSH_AUTH_SOCK;\necho Agent pid 7;\n");
    CHECK(foreground_lines(ShellStyle::csh, "/s", 7) == "setenv SSH_AUTH_SOCK /s;\necho Agent pid 7;\n");
    CHECK(agent_killed_lines(ShellStyle::bourne, 9) == "unset SSH_AUTH_SOCK;\nunset SSH_AGENT_PID;\necho Agent pid 9 killed;\n");
    CHECK(agent_killed_lines(ShellStyle::csh, 9) == "unsetenv SSH_AUTH_SOCK;\nunsetenv SSH_AGENT_PID;\necho Agent pid 9 killed;\n");
}

TEST_CASE("a socket path a shell would split or expand is single-quoted")
{
    CHECK(foreground_lines(ShellStyle::bourne, "/tmp/my dir/s", 1) ==
          "SSH_AUTH_SOCK='/tmp/my dir/s'; export SSH_AUTH_SOCK;\necho Agent pid 1;\n");
    CHECK(foreground_lines(ShellStyle::bourne, "/tmp/a'b;$(x)", 1) ==
          "SSH_AUTH_SOCK='/tmp/a'\\''b;$(x)'; export SSH_AUTH_SOCK;\necho Agent pid 1;\n");
    CHECK(foreground_lines(ShellStyle::csh, "/tmp/x y", 1) == "setenv SSH_AUTH_SOCK '/tmp/x y';\necho Agent pid 1;\n");
    CHECK(foreground_lines(ShellStyle::bourne, "/run/user/1000/latchkey/latchkey-Ab_9.x-+,:@%/agent.5", 1)
              .starts_with("SSH_AUTH_SOCK=/run/user/1000/latchkey/latchkey-Ab_9.x-+,:@%/agent.5;"));
}

TEST_CASE("byte for byte what ssh-agent prints for -s, -c, -k and -D")
{
    if (!std::filesystem::exists(ssh_agent)) {
        MESSAGE("skipped: no ", ssh_agent);
        return;
    }
    for (ShellStyle style : {ShellStyle::bourne, ShellStyle::csh}) {
        const std::string flag = style == ShellStyle::csh ? " -c" : " -s";
        CAPTURE(flag);

        const std::string started = run(std::string(ssh_agent) + flag);
        const Printed agent = parse(started);
        CHECK(agent_started_lines(style, agent.socket, agent.pid) == started);

        const std::string killed = run("SSH_AGENT_PID=" + std::to_string(agent.pid) + " " + ssh_agent + flag + " -k");
        CHECK(agent_killed_lines(style, agent.pid) == killed);

        const std::string foreground = run("exec " + std::string(ssh_agent) + flag + " -D 2>/dev/null", 2);
        const Printed in_foreground = parse(foreground);
        CHECK(foreground_lines(style, in_foreground.socket, in_foreground.pid) == foreground);
    }
}
