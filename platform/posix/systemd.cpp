// Socket activation and readiness through libsystemd (sd_listen_fds, sd_is_socket_unix, sd_notify).
#include "platform/posix/systemd.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>

#include <cstring>

namespace latchkey::platform {

namespace {

// The path a listening AF_UNIX socket is bound to; "" for an unnamed or abstract one.
std::string bound_path(int fd)
{
    sockaddr_un address {};
    socklen_t length = sizeof address;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0 ||
        length <= offsetof(sockaddr_un, sun_path) || address.sun_path[0] == '\0')
        return {};
    return std::string(address.sun_path, ::strnlen(address.sun_path, sizeof address.sun_path));
}

}  // namespace

std::optional<AgentSocket> socket_from_service_manager()
{
    const int count = ::sd_listen_fds(1);  // also marks them close-on-exec
    if (count < 0)
        throw SocketSetupError(std::string("cannot read the sockets systemd passed: ") + std::strerror(-count));
    if (count == 0)
        return std::nullopt;
    if (count > 1)
        throw SocketSetupError("systemd passed " + std::to_string(count) +
                               " sockets; latchkeyd serves one: give latchkeyd.socket a single ListenStream=");
    const int fd = SD_LISTEN_FDS_START;
    if (::sd_is_socket_unix(fd, SOCK_STREAM, 1, nullptr, 0) <= 0)
        throw SocketSetupError("the socket systemd passed is not a listening Unix stream socket: "
                               "latchkeyd.socket needs ListenStream= with a path");
    AgentSocket socket(UniqueFd(fd), bound_path(fd), "");
    socket.disown();
    return socket;
}

bool notify_service_manager(const std::string& state) noexcept
{
    return ::sd_notify(0, state.c_str()) > 0;
}

}  // namespace latchkey::platform
