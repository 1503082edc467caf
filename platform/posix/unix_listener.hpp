// The agent's listener on a listening AF_UNIX socket, with the peer check by uid.
#pragma once

#include "platform/listener.hpp"

namespace latchkey::platform {

// A factory for the listener on `listen_fd` (bound and listening; the listener owns and closes it).
// It serves the daemon's own uid and root; any other peer is closed unread and logged. Making the
// listener also makes writes to a vanished peer fail with EPIPE instead of killing the process.
ListenerFactory unix_socket_listener(int listen_fd);

}  // namespace latchkey::platform
