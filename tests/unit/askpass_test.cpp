// Askpass plumbing tests: /proc/PID/stat parsing, process ancestry, finding and running the program.
#include <doctest/doctest.h>

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <sstream>
#include <string>
#include <thread>

#include "platform/posix/askpass.hpp"

using namespace latchkey::platform;

TEST_CASE("the parent pid is read past the last parenthesis of the command name")
{
    CHECK(parent_pid_from_stat("12 (bash) S 10 12 12 0 -1") == 10);
    CHECK(parent_pid_from_stat("12 (a) b) (c) R 3 12") == 3);
    CHECK(parent_pid_from_stat("12 (x y) S 1 1") == 1);
    CHECK_FALSE(parent_pid_from_stat("").has_value());
    CHECK_FALSE(parent_pid_from_stat("12 (bash) S").has_value());
    CHECK_FALSE(parent_pid_from_stat("12 bash S 10").has_value());
}

TEST_CASE("the ancestry starts with the process itself and names its parent")
{
    std::string chain = process_ancestry(::getpid());
    CHECK(chain.starts_with("askpass_test (pid " + std::to_string(::getpid()) + ")"));
    if (::getppid() > 1)
        CHECK(chain.find(" ← ") != std::string::npos);
    CHECK(process_ancestry(0) == "an unknown process");
}

TEST_CASE("SSH_ASKPASS is the askpass program when set and non-empty")
{
    ::setenv("SSH_ASKPASS", "/opt/my-askpass", 1);
    CHECK(find_askpass_program() == "/opt/my-askpass");
    ::setenv("SSH_ASKPASS", "", 1);
    CHECK(find_askpass_program() != "");
    ::unsetenv("SSH_ASKPASS");
}

// Polls reap() until the child exits (bounded).
std::optional<int> wait_for(int pid)
{
    for (int i = 0; i < 500; ++i) {
        if (auto status = reap(pid))
            return status;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return std::nullopt;
}

TEST_CASE("the askpass gets the prompt as argv[1], SSH_ASKPASS_PROMPT=confirm, and its stdout is a pipe")
{
    AskpassProcess echo = start_askpass("echo", "Allow use of key k?");
    char buffer[32] = {};
    CHECK(::read(echo.output.get(), buffer, sizeof buffer) == 20);
    CHECK(std::string(buffer) == "Allow use of key k?\n");
    CHECK(wait_for(echo.pid) == 0);
    AskpassProcess printenv = start_askpass("printenv", "SSH_ASKPASS_PROMPT");
    char variable[32] = {};
    CHECK(::read(printenv.output.get(), variable, sizeof variable) == 8);
    CHECK(std::string(variable) == "confirm\n");
    CHECK(wait_for(printenv.pid) == 0);
    CHECK_THROWS_AS(start_askpass("/nonexistent/askpass", "x"), std::system_error);
}

TEST_CASE("a passphrase askpass runs without SSH_ASKPASS_PROMPT, even when the caller has one set")
{
    ::setenv("SSH_ASKPASS_PROMPT", "confirm", 1);
    AskpassProcess printenv = start_askpass("printenv", "SSH_ASKPASS_PROMPT", AskpassPurpose::passphrase);
    char variable[32] = {};
    CHECK(::read(printenv.output.get(), variable, sizeof variable) == 0);
    CHECK(wait_for(printenv.pid) == 1);
    ::unsetenv("SSH_ASKPASS_PROMPT");
}

TEST_CASE("kill ends a running askpass and reap reports the signal")
{
    AskpassProcess child = start_askpass("sleep", "30");
    CHECK_FALSE(reap(child.pid).has_value());
    kill(child.pid);
    CHECK(wait_for(child.pid) == 128 + 9);
    CHECK(reap(child.pid) == -1);
}

TEST_CASE("the askpass inherits no descriptor beyond stdin, stdout and stderr")
{
    int ends[2] = {-1, -1};
    REQUIRE(::pipe(ends) == 0);  // not close-on-exec, like the client sockets Asio accepts
    AskpassProcess ls = start_askpass("ls", "/proc/self/fd");
    std::string listing;
    char chunk[256];
    for (ssize_t got; (got = ::read(ls.output.get(), chunk, sizeof chunk)) > 0;)
        listing.append(chunk, static_cast<std::size_t>(got));
    CHECK(wait_for(ls.pid) == 0);
    ::close(ends[0]);
    ::close(ends[1]);
    std::istringstream names(listing);
    int count = 0;
    for (std::string name; names >> name;)
        ++count;
    CAPTURE(listing);
    CHECK(count == 4);  // 0, 1, 2 and the one ls reads the directory with
}
