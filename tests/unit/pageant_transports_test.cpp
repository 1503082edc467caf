// Tests of agent/pageant_transports (run under Wine): what latchkeyd.exe hands the server for Pageant.
#include <doctest/doctest.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "agent/pageant_transports.hpp"
#include "tests/support/pageant_client.hpp"

using namespace latchkey;
using Bytes = std::vector<std::uint8_t>;

TEST_CASE("the window is a hosted transport whose requests reach the server's answer, the peer named")
{
    agent::ServerOptions options;
    agent::add_pageant_transports(options, {.window = true, .pipe = false});
    REQUIRE(options.hosted.size() == 1);
    CHECK(options.more_listeners.empty());

    std::mutex mutex;
    std::vector<Bytes> requests;
    std::vector<std::string> peers;
    const Bytes reply{12, 0, 0, 0, 0};  // SSH2_AGENT_IDENTITIES_ANSWER with no keys
    std::shared_ptr<void> window = options.hosted[0]([&](SecretBytes request, const agent::Peer& peer) {
        const std::scoped_lock lock(mutex);
        requests.emplace_back(request.view().begin(), request.view().end());
        peers.push_back(peer.executable);
        return reply;
    });
    CHECK(tests::pageant_window_query(Bytes{11}) == reply);
    const std::scoped_lock lock(mutex);
    CHECK(requests == std::vector<Bytes>{Bytes{11}});
    CHECK(peers == std::vector<std::string>{agent::pageant_window_peer});
}

TEST_CASE("the pipe is one more listener, and nothing is added for a transport turned off")
{
    agent::ServerOptions options;
    agent::add_pageant_transports(options, {.window = false, .pipe = true});
    CHECK(options.more_listeners.size() == 1);
    CHECK(options.hosted.empty());
    agent::ServerOptions none;
    agent::add_pageant_transports(none, {.window = false, .pipe = false});
    CHECK(none.more_listeners.empty());
    CHECK(none.hosted.empty());
}
