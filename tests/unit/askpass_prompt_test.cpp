// Askpass prompt tests: ask_user on a real io_context (answers, failures, timeout) and SharedPrompts
// (one prompt for requests that ask the same thing).
#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>
#include <unistd.h>

#include "agent/askpass_prompt.hpp"

using namespace latchkey;
using namespace latchkey::agent;
namespace asio = boost::asio;
using platform::AskpassPurpose;

namespace {

// Runs ask_user to completion on a fresh io_context.
PromptAnswer ask(const std::string& program, const std::string& prompt, std::chrono::milliseconds timeout)
{
    asio::io_context io;
    std::optional<PromptAnswer> answer;
    asio::co_spawn(io, ask_user(io.get_executor(), program, prompt, AskpassPurpose::passphrase, timeout),
                   [&](std::exception_ptr, PromptAnswer given) { answer = std::move(given); });
    io.run();
    REQUIRE(answer.has_value());
    return std::move(*answer);
}

// A temporary directory, removed at the end of the test.
struct TempDir {
    std::filesystem::path path;
    TempDir()
    {
        std::string pattern = (std::filesystem::temp_directory_path() / "latchkey-prompt-XXXXXX").string();
        REQUIRE(mkdtemp(pattern.data()) != nullptr);
        path = pattern;
    }
    ~TempDir() { std::filesystem::remove_all(path); }
};

}  // namespace

TEST_CASE("ask_user: the output and exit status, a program that cannot start, and a timeout")
{
    PromptAnswer yes = ask("echo", "yes", std::chrono::seconds(10));
    CHECK(yes.exit_status == 0);
    CHECK(yes.output == SecretBytes::from_text("yes\n"));
    CHECK(ask("false", "", std::chrono::seconds(10)).exit_status == 1);
    CHECK(ask("/nonexistent/askpass", "x", std::chrono::seconds(10)).exit_status == -1);
    auto started = std::chrono::steady_clock::now();
    CHECK(ask("sleep", "30", std::chrono::milliseconds(200)).exit_status == -1);
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
}

TEST_CASE("SharedPrompts: two requests with one share key run one askpass and get the same answer")
{
    TempDir dir;
    auto script = dir.path / "askpass";
    auto log = dir.path / "runs";
    {
        std::ofstream out(script);
        out << "#!/bin/sh\necho run >> '" << log.string() << "'\nsleep 0.3\necho \"$1\"\n";
    }
    std::filesystem::permissions(script, std::filesystem::perms::owner_all);

    asio::io_context io;
    SharedPrompts prompts(io.get_executor(), std::chrono::seconds(10));
    std::vector<std::string> answers;
    auto ask_shared = [&](std::string prompt, std::string key) {
        asio::co_spawn(io, prompts.ask(script.string(), std::move(prompt), AskpassPurpose::passphrase, std::move(key)),
                       [&](std::exception_ptr, PromptAnswer given) {
                           answers.emplace_back(given.output.view().begin(), given.output.view().end());
                       });
    };
    ask_shared("first", "key A");
    ask_shared("second", "key A");   // waits for the first
    ask_shared("other", "key B");    // its own prompt
    io.run();

    REQUIRE(answers.size() == 3);
    CHECK(std::count(answers.begin(), answers.end(), "first\n") == 2);
    CHECK(std::count(answers.begin(), answers.end(), "other\n") == 1);
    std::ifstream runs(log);
    std::string line;
    int count = 0;
    while (std::getline(runs, line))
        ++count;
    CHECK(count == 2);
}

TEST_CASE("SharedPrompts: a prompt is cancelled, its askpass killed, once every request waiting for it withdraws")
{
    asio::io_context io;
    SharedPrompts prompts(io.get_executor(), std::chrono::seconds(60));
    auto first = std::make_shared<PromptCanceller>();
    auto second = std::make_shared<PromptCanceller>();
    std::vector<int> statuses;
    for (const auto& canceller : {first, second})
        asio::co_spawn(io, prompts.ask("sleep", "60", AskpassPurpose::confirm, "key A", canceller),
                       [&](std::exception_ptr, PromptAnswer given) { statuses.push_back(given.exit_status); });
    std::optional<std::size_t> answered_after_one_withdrew;
    asio::steady_timer first_hangs_up(io, std::chrono::milliseconds(200));
    asio::steady_timer second_hangs_up(io, std::chrono::milliseconds(600));
    first_hangs_up.async_wait([&](boost::system::error_code) { first->cancel(); });
    second_hangs_up.async_wait([&](boost::system::error_code) {
        answered_after_one_withdrew = statuses.size();
        second->cancel();
    });
    auto started = std::chrono::steady_clock::now();
    io.run();

    CHECK(answered_after_one_withdrew == 0u);  // the other request still waited on the prompt
    CHECK(statuses == std::vector<int>{-1, -1});
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));  // not the 60 s sleep
}

TEST_CASE("ask_user: a cancelled prompt is refused without starting its askpass")
{
    asio::io_context io;
    auto canceller = std::make_shared<PromptCanceller>();
    canceller->cancel();
    std::optional<PromptAnswer> answer;
    asio::co_spawn(io,
                   ask_user(io.get_executor(), "echo", "yes", AskpassPurpose::confirm, std::chrono::seconds(10),
                            canceller),
                   [&](std::exception_ptr, PromptAnswer given) { answer = std::move(given); });
    io.run();
    REQUIRE(answer.has_value());
    CHECK(answer->exit_status == -1);
    CHECK(answer->output.size() == 0u);
}
