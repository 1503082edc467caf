// Tests of platform/asio_byte_stream's hang-up watch over a real socket pair.
#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/connect_pair.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <chrono>
#include <cstdint>

#include "platform/asio_byte_stream.hpp"

namespace asio = boost::asio;
using Socket = asio::local::stream_protocol::socket;
using Stream = latchkey::platform::AsioByteStream<Socket>;

namespace {

// Our end of a connected pair, wrapped as the server wraps a client's connection, and the client's end.
struct Pair {
    asio::io_context io;
    Socket client{io};
    Stream server;

    Pair() : server(connected(io, client)) {}
    static Socket connected(asio::io_context& io, Socket& client)
    {
        Socket ours(io);
        asio::local::connect_pair(ours, client);
        return ours;
    }

    void client_sends(std::uint8_t byte) { asio::write(client, asio::buffer(&byte, 1)); }
    // Runs handlers until `done` holds or 5 s pass; returns `done`.
    bool run_until(const bool& done)
    {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (!done && std::chrono::steady_clock::now() < deadline)
            io.run_one_for(std::chrono::milliseconds(50));
        return done;
    }
};

}  // namespace

TEST_CASE("a hang-up is seen after the reactor reported the readiness of a request already read")
{
    Pair pair;
    pair.client_sends(42);
    bool hung_up = false;
    // The reactor runs first and sees the request; then, before it hands that readiness on, a handler reads
    // the request outside it and starts the watch, as the server does with a request's body.
    asio::post(pair.io, [&] {
        std::array<std::uint8_t, 4> request{};
        boost::system::error_code error;
        CHECK(pair.server.read_available(request, error) == 1);
        pair.server.watch_hang_up([&] { hung_up = true; });
    });
    REQUIRE(pair.io.run_one() == 1);
    pair.io.poll();  // the readiness of the request reaches the watch, with nothing left to read
    CHECK_FALSE(hung_up);

    pair.client.close();
    CHECK(pair.run_until(hung_up));
}

TEST_CASE("a client that sends its next request has not hung up, and the request stays to be read")
{
    Pair pair;
    bool hung_up = false;
    pair.server.watch_hang_up([&] { hung_up = true; });
    pair.client_sends(7);
    pair.io.run_for(std::chrono::milliseconds(100));  // the watch peeks at the request and ends
    CHECK_FALSE(hung_up);

    std::array<std::uint8_t, 4> request{};
    boost::system::error_code error;
    CHECK(pair.server.read_available(request, error) == 1);
    CHECK_FALSE(error);
    CHECK(request[0] == 7);
}

TEST_CASE("a stopped watch reports nothing")
{
    Pair pair;
    bool hung_up = false;
    pair.server.watch_hang_up([&] { hung_up = true; });
    pair.server.stop_hang_up_watch();
    pair.client.close();
    pair.io.run_for(std::chrono::milliseconds(100));
    CHECK_FALSE(hung_up);
}
