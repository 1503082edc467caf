// The agent's control events on Unix: SIGTERM and SIGINT stop, SIGUSR1 drops keys, SIGHUP reloads.
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <csignal>

#include "platform/listener.hpp"

namespace latchkey::platform {

namespace {

namespace asio = boost::asio;

class SignalEvents final : public ControlEvents {
public:
    explicit SignalEvents(asio::io_context& io) : signals_(io, SIGTERM, SIGINT, SIGUSR1) { signals_.add(SIGHUP); }

    asio::awaitable<ControlEvent> next(boost::system::error_code& error) override
    {
        int signal = co_await signals_.async_wait(asio::redirect_error(asio::use_awaitable, error));
        switch (signal) {
        case SIGUSR1:
            co_return ControlEvent{ControlAction::drop_keys, "SIGUSR1"};
        case SIGHUP:
            co_return ControlEvent{ControlAction::reload, "SIGHUP"};
        case SIGINT:
            co_return ControlEvent{ControlAction::stop, "SIGINT"};
        default:
            co_return ControlEvent{ControlAction::stop, "SIGTERM"};
        }
    }

private:
    asio::signal_set signals_;
};

}  // namespace

std::unique_ptr<ControlEvents> control_events(asio::io_context& io)
{
    return std::make_unique<SignalEvents>(io);
}

}  // namespace latchkey::platform
