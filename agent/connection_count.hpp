// The number of open client connections, and the moment a burst of them has mostly closed.
#pragma once

#include <atomic>
#include <cstddef>

namespace latchkey::agent {

// Counts connections as they open (on the accepting thread) and close (on any thread). A burst is a peak of
// at least burst_size open connections; once the count falls to a quarter of that peak, closed() says so, once,
// so that the server can hand the heap pages the burst used back to the system. Never fails.
class ConnectionCount {
public:
    static constexpr std::size_t burst_size = 256;

    std::size_t load() const noexcept { return open_.load(); }

    void opened() noexcept
    {
        std::size_t now = ++open_;
        std::size_t peak = peak_.load();
        while (now > peak && !peak_.compare_exchange_weak(peak, now)) {
        }
    }

    // True when this close ends a burst: the count is now at most a quarter of a peak of burst_size or more
    // (never after stop_bursts).
    bool closed() noexcept
    {
        std::size_t now = --open_;
        std::size_t peak = peak_.load();
        return !stopped_.load() && peak >= burst_size && now <= peak / 4 && peak_.compare_exchange_strong(peak, now);
    }

    // From now on no close ends a burst: the server is shutting down and closes everything.
    void stop_bursts() noexcept { stopped_ = true; }

private:
    std::atomic<std::size_t> open_ = 0;
    std::atomic<std::size_t> peak_ = 0;  // the most open since the last burst ended
    std::atomic<bool> stopped_ = false;
};

}  // namespace latchkey::agent
