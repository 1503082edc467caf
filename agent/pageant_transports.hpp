// Pageant's two transports for latchkeyd.exe (Windows only): its window, hosted by the server, and its pipe.
#pragma once

#include "agent/server.hpp"

namespace latchkey::agent {

// Which of Pageant's transports latchkeyd.exe serves (--no-pageant-window, --no-pageant-pipe turn them off).
struct PageantTransports {
    bool window = true;  // the hidden window PuTTY, WinSCP and older clients find (WM_COPYDATA)
    bool pipe = true;    // the named pipe PuTTY 0.75 and later try first
};

// The peer recorded for a request over Pageant's window: the message does not say which process sent it.
inline constexpr const char* pageant_window_peer = "a Pageant window client";

// Adds the enabled transports to `options`: the window to options.hosted (platform::PageantWindow, its
// requests answered with pageant_window_peer as the peer) and the pipe to options.more_listeners
// (platform::named_pipe_listener on platform::pageant_pipe_name()). Throws std::system_error if the pipe's
// name cannot be computed; the server throws when it makes them if Pageant (or another agent) holds either.
void add_pageant_transports(ServerOptions& options, PageantTransports enabled);

}  // namespace latchkey::agent
