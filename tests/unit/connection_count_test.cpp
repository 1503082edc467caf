// ConnectionCount: counts, and says once when a burst of connections has mostly closed.
#include "agent/connection_count.hpp"

#include <doctest/doctest.h>

#include <cstddef>

using latchkey::agent::ConnectionCount;

namespace {

std::size_t close_counting_bursts(ConnectionCount& count, std::size_t closes)
{
    std::size_t bursts = 0;
    for (std::size_t i = 0; i < closes; ++i)
        bursts += count.closed() ? 1 : 0;
    return bursts;
}

}  // namespace

TEST_CASE("a burst of connections ends once, when three quarters of its peak have closed")
{
    ConnectionCount count;
    for (std::size_t i = 0; i < 1000; ++i)
        count.opened();
    CHECK(count.load() == 1000);
    CHECK(close_counting_bursts(count, 749) == 0);
    CHECK(count.closed());  // 250 left: a quarter of 1000
    CHECK(close_counting_bursts(count, 250) == 0);
    CHECK(count.load() == 0);
}

TEST_CASE("fewer connections than a burst never end one, however often they come and go")
{
    ConnectionCount count;
    for (int round = 0; round < 10; ++round) {
        for (std::size_t i = 0; i + 1 < ConnectionCount::burst_size; ++i)
            count.opened();
        CHECK(close_counting_bursts(count, ConnectionCount::burst_size - 1) == 0);
    }
}

TEST_CASE("after a burst has ended, the next one is measured from what was left open")
{
    ConnectionCount count;
    for (std::size_t i = 0; i < 400; ++i)
        count.opened();
    CHECK(close_counting_bursts(count, 300) == 1);  // 100 left
    CHECK(close_counting_bursts(count, 75) == 0);   // the 100 left were no burst
    for (std::size_t i = 0; i < 375; ++i)
        count.opened();  // 400 open again
    CHECK(close_counting_bursts(count, 400) == 1);
}

TEST_CASE("once stopped (the server shutting down), closing a burst's connections ends no burst")
{
    ConnectionCount count;
    for (std::size_t i = 0; i < 1000; ++i)
        count.opened();
    count.stop_bursts();
    CHECK(close_counting_bursts(count, 1000) == 0);
    CHECK(count.load() == 0);
}
