// Who is connected to a Unix socket: uid and pid from the kernel, and the process's name.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace latchkey::platform {

struct PeerCredentials {
    std::uint32_t uid = 0;
    std::int64_t pid = 0;  // 0 where the platform does not report it (getpeereid)
};

// The peer of a connected AF_UNIX socket (SO_PEERCRED on Linux, getpeereid elsewhere), or nullopt
// if the kernel cannot say.
std::optional<PeerCredentials> peer_credentials(int socket_fd) noexcept;

// True for the uids an agent serves: its own effective uid and root.
bool peer_may_connect(std::uint32_t uid) noexcept;

// The short name of process `pid` (Linux /proc/PID/comm), or "" if unknown.
std::string process_name(std::int64_t pid);

}  // namespace latchkey::platform
