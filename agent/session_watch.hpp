// logind's session events on the agent's event loop: the sd-bus descriptor waited on with Asio, no extra thread.
#pragma once

#include <functional>

#include "agent/asio.hpp"
#include "platform/posix/logind.hpp"

namespace latchkey::agent {

// Forever: waits on the event loop until `watch`'s connection is readable, reads it and calls on_event
// with each event. Returns (after logging why) when the connection fails or the wait is cancelled.
// `watch` must outlive the coroutine; on_event must not throw.
boost::asio::awaitable<void> watch_session(platform::LogindWatch& watch,
                                           std::function<void(platform::SessionEvent)> on_event);

}  // namespace latchkey::agent
