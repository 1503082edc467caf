// The sd-bus descriptor as an Asio stream_descriptor that is waited on, never read by Asio and never closed by it.
#include "agent/session_watch.hpp"

#include <spdlog/spdlog.h>

namespace latchkey::agent {

namespace asio = boost::asio;

asio::awaitable<void> watch_session(platform::LogindWatch& watch, std::function<void(platform::SessionEvent)> on_event)
{
    asio::posix::stream_descriptor descriptor(co_await asio::this_coro::executor, watch.fd());
    // sd-bus owns the descriptor: hand it back, not closed, however this coroutine ends.
    struct Release {
        asio::posix::stream_descriptor& descriptor;
        ~Release() { descriptor.release(); }
    } release{descriptor};
    for (;;) {
        try {
            for (platform::SessionEvent event : watch.read_events())
                on_event(event);
        } catch (const platform::LogindError& error) {
            spdlog::error("{}; suspend and screen lock are no longer followed", error.what());
            co_return;
        }
        boost::system::error_code error;
        co_await descriptor.async_wait(asio::posix::stream_descriptor::wait_read,
                                       asio::redirect_error(asio::use_awaitable, error));
        if (error)
            co_return;
    }
}

}  // namespace latchkey::agent
