// Confirmation tests: OpenSSH's rule for an askpass answer, and ask_confirmation on a real io_context.
#include <doctest/doctest.h>

#include <chrono>
#include <optional>

#include "agent/confirmation.hpp"

using namespace latchkey::agent;
namespace asio = boost::asio;

TEST_CASE("allowed iff the askpass exits 0 and prints nothing or starts with yes")
{
    CHECK(confirmation_allowed(0, ""));
    CHECK(confirmation_allowed(0, "\n"));
    CHECK(confirmation_allowed(0, "yes\n"));
    CHECK(confirmation_allowed(0, "YeS"));
    CHECK_FALSE(confirmation_allowed(0, "no\n"));
    CHECK_FALSE(confirmation_allowed(0, "ye"));
    CHECK_FALSE(confirmation_allowed(1, "yes\n"));
    CHECK_FALSE(confirmation_allowed(-1, ""));
}

// Runs ask_confirmation to completion on a fresh io_context.
std::optional<bool> ask(const std::string& program, const std::string& prompt, std::chrono::milliseconds timeout)
{
    asio::io_context io;
    std::optional<bool> answer;
    asio::co_spawn(io, ask_confirmation(io.get_executor(), program, prompt, timeout),
                   [&](std::exception_ptr, bool allowed) { answer = allowed; });
    io.run();
    return answer;
}

TEST_CASE("ask_confirmation: yes, no, a program that cannot start, and a timeout")
{
    CHECK(ask("echo", "yes", std::chrono::seconds(10)) == true);
    CHECK(ask("echo", "no", std::chrono::seconds(10)) == false);
    CHECK(ask("false", "", std::chrono::seconds(10)) == false);
    CHECK(ask("/nonexistent/askpass", "x", std::chrono::seconds(10)) == false);
    auto started = std::chrono::steady_clock::now();
    CHECK(ask("sleep", "30", std::chrono::milliseconds(200)) == false);
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
}
