// The agent's control events on Windows: Ctrl+C, Ctrl+Break, closing the console, logoff and shutdown stop it.
#include <windows.h>

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <deque>

#include "platform/listener.hpp"

namespace latchkey::platform {

namespace {

namespace asio = boost::asio;

class ConsoleEvents;
std::atomic<ConsoleEvents*> active{nullptr};  // the handler runs on a thread of the system's own

const char* event_name(DWORD type)
{
    switch (type) {
    case CTRL_C_EVENT:
        return "Ctrl+C";
    case CTRL_BREAK_EVENT:
        return "Ctrl+Break";
    case CTRL_CLOSE_EVENT:
        return "console close";
    case CTRL_LOGOFF_EVENT:
        return "logoff";
    default:
        return "shutdown";
    }
}

class ConsoleEvents final : public ControlEvents {
public:
    explicit ConsoleEvents(asio::io_context& io) : io_(io), wake_(io, asio::steady_timer::time_point::max())
    {
        active.store(this);
        SetConsoleCtrlHandler(&ConsoleEvents::handler, TRUE);
    }
    ~ConsoleEvents() override
    {
        SetConsoleCtrlHandler(&ConsoleEvents::handler, FALSE);
        active.store(nullptr);
    }

    asio::awaitable<ControlEvent> next(boost::system::error_code& error) override
    {
        while (pending_.empty()) {
            wake_.expires_at(asio::steady_timer::time_point::max());
            co_await wake_.async_wait(asio::redirect_error(asio::use_awaitable, error));
            if (error && error != asio::error::operation_aborted)
                co_return ControlEvent{};
            error.clear();
            if (io_.stopped()) {
                error = asio::error::operation_aborted;
                co_return ControlEvent{};
            }
        }
        ControlEvent event = pending_.front();
        pending_.pop_front();
        co_return event;
    }

private:
    static BOOL WINAPI handler(DWORD type)
    {
        ConsoleEvents* events = active.load();
        if (events == nullptr)
            return FALSE;
        asio::post(events->io_, [events, type] {
            events->pending_.push_back(ControlEvent{ControlAction::stop, event_name(type)});
            events->wake_.cancel();
        });
        return TRUE;  // handled: the event loop stops the agent and main returns
    }

    asio::io_context& io_;
    asio::steady_timer wake_;  // cancelled when an event is queued
    std::deque<ControlEvent> pending_;  // used on io_ only
};

}  // namespace

std::unique_ptr<ControlEvents> control_events(asio::io_context& io)
{
    return std::make_unique<ConsoleEvents>(io);
}

}  // namespace latchkey::platform
