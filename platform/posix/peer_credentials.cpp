// Peer credentials of Unix socket connections and process names.
#include "platform/posix/peer_credentials.hpp"

#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <fstream>

namespace latchkey::platform {

std::optional<PeerCredentials> peer_credentials(int socket_fd) noexcept
{
#if defined(SO_PEERCRED)
    struct ucred credentials {};
    socklen_t size = sizeof credentials;
    if (getsockopt(socket_fd, SOL_SOCKET, SO_PEERCRED, &credentials, &size) != 0 || size != sizeof credentials)
        return std::nullopt;
    return PeerCredentials{static_cast<std::uint32_t>(credentials.uid), credentials.pid};
#else
    uid_t uid = 0;
    gid_t gid = 0;
    if (getpeereid(socket_fd, &uid, &gid) != 0)
        return std::nullopt;
    return PeerCredentials{static_cast<std::uint32_t>(uid), 0};
#endif
}

bool peer_may_connect(std::uint32_t uid) noexcept
{
    return uid == 0 || uid == static_cast<std::uint32_t>(geteuid());
}

std::string process_name(std::int64_t pid)
{
    if (pid <= 0)
        return {};
    std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
    std::string name;
    std::getline(comm, name);
    return name;
}

}  // namespace latchkey::platform
