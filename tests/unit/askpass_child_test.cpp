// The Windows askpass child (platform/windows/askpass_child.cpp): the prompt reaches the program intact
// (quotes, backslashes, spaces), SSH_ASKPASS_PROMPT says what for, its stdout is read through Asio and its
// exit status polled. Runs tests/windows/test_askpass.exe, built beside this test.
#include <doctest/doctest.h>

#include <windows.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <system_error>

#include "platform/askpass_child.hpp"

using namespace latchkey::platform;
namespace asio = boost::asio;

namespace {

// tests/windows/test_askpass.exe, from this test's own path (build-win/tests/askpass_child_test.exe).
std::string test_askpass()
{
    char path[MAX_PATH];
    GetModuleFileNameA(nullptr, path, MAX_PATH);
    return (std::filesystem::path(path).parent_path() / "windows" / "test_askpass.exe").string();
}

// The answers directory test_askpass.exe reads (LATCHKEY_TEST_ANSWERS), removed at the end of the test.
struct Answers {
    std::filesystem::path path = std::filesystem::temp_directory_path() /
                                 ("askpass-child-test-" + std::to_string(GetCurrentProcessId()));
    Answers()
    {
        std::filesystem::create_directories(path);
        SetEnvironmentVariableA("LATCHKEY_TEST_ANSWERS", path.string().c_str());  // the askpass inherits it
    }
    ~Answers() { std::filesystem::remove_all(path); }
    void write(const std::string& name, const std::string& text) const { std::ofstream(path / name) << text << "\n"; }
    std::string log() const
    {
        std::ifstream in(path / "prompts.log");
        return std::string(std::istreambuf_iterator<char>(in), {});
    }
};

struct Finished {
    std::string output;
    std::optional<int> status;
};

// Runs the askpass to its end on a fresh io_context: all its output, then its exit status (polled).
Finished run(const std::string& prompt, AskpassPurpose purpose)
{
    asio::io_context io;
    Finished finished;
    auto child = start_askpass_child(io.get_executor(), test_askpass(), prompt, purpose);
    asio::co_spawn(io, [&]() -> asio::awaitable<void> {
        std::uint8_t buffer[64];
        for (;;) {
            boost::system::error_code error;
            std::size_t got = co_await child->read_some(buffer, error);
            finished.output.append(reinterpret_cast<const char*>(buffer), got);
            if (error)
                break;
        }
        asio::steady_timer timer(io);
        for (int poll = 0; poll < 500 && !(finished.status = child->exit_status()); ++poll) {
            timer.expires_after(std::chrono::milliseconds(10));
            co_await timer.async_wait(asio::use_awaitable);
        }
    }, asio::detached);
    io.run();
    return finished;
}

}  // namespace

TEST_CASE("a passphrase askpass gets the prompt intact and its stdout is read")
{
    Answers answers;
    answers.write("passphrase", "s3cret \"with\" quotes");
    const std::string prompt = R"(Enter passphrase for C:\dir with space\key "q" \\ end\)";
    Finished finished = run(prompt, AskpassPurpose::passphrase);
    CHECK(finished.output == "s3cret \"with\" quotes\r\n");  // std::cout in text mode: CR LF
    CHECK(finished.status == 0);
    CHECK(answers.log() == "passphrase: " + prompt + "\n");
}

TEST_CASE("a confirmation askpass runs with SSH_ASKPASS_PROMPT=confirm and answers by its exit status")
{
    Answers answers;
    answers.write("confirm", "yes");
    CHECK(run("Allow use of key k?", AskpassPurpose::confirm).status == 0);
    answers.write("confirm", "no");
    CHECK(run("Allow use of key k?", AskpassPurpose::confirm).status == 1);
    CHECK(answers.log() == "confirm: Allow use of key k?\nconfirm: Allow use of key k?\n");
}

TEST_CASE("a program that does not exist cannot be started")
{
    asio::io_context io;
    CHECK_THROWS_AS(start_askpass_child(io.get_executor(), "C:\\no\\such\\askpass.exe", "x", AskpassPurpose::confirm),
                    std::system_error);
}
