// The agent's event loop: accepts connections on a listening Unix socket and answers requests.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "agent/dispatcher.hpp"

namespace latchkey::agent {

struct ServerOptions {
    // A bound, listening AF_UNIX stream socket; serve() owns and closes it.
    int listen_fd = -1;
    DispatcherOptions dispatcher;
    // Threads that run signing and other slow work; 0 = one per core.
    std::size_t worker_threads = 0;
    // How long a confirmation prompt (ssh-add -c) waits for the user before it counts as refused.
    std::chrono::steady_clock::duration confirm_timeout = std::chrono::seconds(60);
    // Most client connections served at once; a new one beyond it is closed unread (logged once
    // until the count drops). Below the usual descriptor limit of 1024, so accept rarely hits EMFILE.
    std::size_t max_connections = 1000;
};

// Serves the ssh-agent protocol on options.listen_fd until SIGTERM, SIGINT or SIGHUP arrives;
// SIGUSR1 drops every key and keeps serving. Connections from a uid other than the daemon's own
// or root are closed unread and logged. Every key is wiped before it returns. Returns the process
// exit status (0 after a signal). Throws std::system_error if the event loop cannot be set up.
int serve(ServerOptions options);

}  // namespace latchkey::agent
