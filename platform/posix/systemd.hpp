// The service manager (systemd) side of latchkeyd: a socket it passed (socket activation) and readiness.
#pragma once

#include <optional>
#include <string>

#include "platform/posix/unix_socket.hpp"

namespace latchkey::platform {

// The listening socket the service manager passed to this process (LISTEN_PID and LISTEN_FDS, see
// sd_listen_fds(3)), disowned: systemd made its file and removes it. Unsets those variables, so programs
// the agent starts (askpass) do not take it for theirs. Returns nullopt if no socket was passed to this
// process, or latchkey was built without libsystemd. Throws SocketSetupError, saying what to change in the
// .socket unit, if more than one descriptor was passed or it is not a listening AF_UNIX stream socket.
std::optional<AgentSocket> socket_from_service_manager();

// Sends newline-separated assignments ("READY=1", "STATUS=…", "STOPPING=1", "RELOADING=1") to the service
// manager named by NOTIFY_SOCKET (sd_notify(3)). Returns false, doing nothing, if NOTIFY_SOCKET is unset or
// latchkey was built without libsystemd; false too if sending failed. Never throws.
bool notify_service_manager(const std::string& state) noexcept;

}  // namespace latchkey::platform
