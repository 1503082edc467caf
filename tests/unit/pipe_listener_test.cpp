// Tests of platform/windows/pipe_listener and single_instance (run under Wine): several clients at once,
// bytes both ways, the peer's process id, and the per-user mutex.
#include <doctest/doctest.h>

#include <windows.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <array>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "platform/windows/pipe_listener.hpp"
#include "platform/windows/single_instance.hpp"

using namespace latchkey::platform;
namespace asio = boost::asio;

namespace {

std::string unique_pipe_name()
{
    return R"(\\.\pipe\latchkey-test-)" + std::to_string(GetCurrentProcessId());
}

// A client: connects (waiting for a free instance), writes `message`, reads back as many bytes.
std::string echo_client(const std::string& name, const std::string& message)
{
    HANDLE pipe = INVALID_HANDLE_VALUE;
    for (int attempt = 0; attempt < 200 && pipe == INVALID_HANDLE_VALUE; ++attempt) {
        pipe = CreateFileA(name.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING, 0, nullptr);
        if (pipe == INVALID_HANDLE_VALUE)
            WaitNamedPipeA(name.c_str(), 50);
    }
    if (pipe == INVALID_HANDLE_VALUE)
        return "connect failed";
    DWORD done = 0;
    WriteFile(pipe, message.data(), static_cast<DWORD>(message.size()), &done, nullptr);
    std::string reply(message.size(), '\0');
    DWORD got = 0;
    std::size_t filled = 0;
    while (filled < reply.size() && ReadFile(pipe, reply.data() + filled, static_cast<DWORD>(reply.size() - filled), &got, nullptr) && got > 0)
        filled += got;
    CloseHandle(pipe);
    reply.resize(filled);
    return reply;
}

}  // namespace

TEST_CASE("the pipe serves several clients at once and names each one's process")
{
    const std::string name = unique_pipe_name();
    asio::io_context io;
    auto listener = named_pipe_listener(name)(io);
    std::vector<std::int64_t> peers;
    int served = 0;
    constexpr int clients = 3;
    // Accepts every client first, holding them all open, then echoes to each: so all are connected at once.
    asio::co_spawn(io, [&]() -> asio::awaitable<void> {
        std::vector<AcceptedStream> open;
        for (int i = 0; i < clients; ++i) {
            boost::system::error_code error;
            AcceptedStream accepted = co_await listener->accept(io, error);
            REQUIRE_FALSE(error);
            peers.push_back(accepted.peer.pid);
            open.push_back(std::move(accepted));
        }
        for (auto& client : open) {
            std::array<std::uint8_t, 5> bytes{};
            boost::system::error_code error;
            co_await client.stream->read(bytes, error);
            REQUIRE_FALSE(error);
            co_await client.stream->write(bytes, error);
            REQUIRE_FALSE(error);
            ++served;
        }
    }, asio::detached);
    std::vector<std::string> replies(clients);
    std::vector<std::thread> threads;
    for (int i = 0; i < clients; ++i)
        threads.emplace_back([&, i] { replies[i] = echo_client(name, "ping" + std::to_string(i)); });
    io.run();
    for (auto& thread : threads)
        thread.join();
    CHECK(served == clients);
    for (int i = 0; i < clients; ++i) {
        CHECK(replies[i] == "ping" + std::to_string(i));
        CHECK(peers[i] == static_cast<std::int64_t>(GetCurrentProcessId()));
    }
}

// Wine ignores FILE_FLAG_FIRST_PIPE_INSTANCE (a second listener on the same name succeeds there), so
// the per-user mutex is what keeps a second agent out; it is checked here.
TEST_CASE("a second claim of the per-user agent mutex is refused while the first holds it")
{
    auto first = claim_single_instance();
    REQUIRE(first.has_value());
    CHECK_FALSE(claim_single_instance().has_value());
    first.reset();
    CHECK(claim_single_instance().has_value());
}
