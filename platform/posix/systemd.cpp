// Socket activation and readiness, spoken directly (sd_listen_fds(3), sd_notify(3)): both are a few documented
// environment variables and one datagram, and doing them here keeps libsystemd out of the agent's address space.
#include "platform/posix/systemd.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace latchkey::platform {

namespace {

constexpr int first_passed_fd = 3;  // SD_LISTEN_FDS_START

// The environment variable `name` as a non-negative number; nullopt if unset or not a number.
std::optional<long> number_from_environment(const char* name)
{
    const char* text = std::getenv(name);
    if (text == nullptr)
        return std::nullopt;
    std::string_view digits(text);
    long value = 0;
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (error != std::errc() || end != digits.data() + digits.size() || value < 0)
        return std::nullopt;
    return value;
}

int socket_option(int fd, int option)
{
    int value = 0;
    socklen_t length = sizeof value;
    return ::getsockopt(fd, SOL_SOCKET, option, &value, &length) == 0 ? value : -1;
}

// The path a listening AF_UNIX socket is bound to; "" for an unnamed or abstract one; nullopt if `fd` is not an
// AF_UNIX socket at all.
std::optional<std::string> unix_bound_path(int fd)
{
    sockaddr_un address {};
    socklen_t length = sizeof address;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0 || address.sun_family != AF_UNIX)
        return std::nullopt;
    if (length <= offsetof(sockaddr_un, sun_path) || address.sun_path[0] == '\0')
        return std::string();
    return std::string(address.sun_path, ::strnlen(address.sun_path, sizeof address.sun_path));
}

// NOTIFY_SOCKET as an address: a path, or an abstract name written with a leading '@'. nullopt if unset or
// not one of those (systemd's vsock form is not used for user services).
std::optional<std::pair<sockaddr_un, socklen_t>> notify_address()
{
    const char* name = std::getenv("NOTIFY_SOCKET");
    if (name == nullptr || (name[0] != '/' && name[0] != '@'))
        return std::nullopt;
    sockaddr_un address {};
    address.sun_family = AF_UNIX;
    const std::size_t length = std::strlen(name);
    if (length >= sizeof address.sun_path)
        return std::nullopt;
    std::memcpy(address.sun_path, name, length);
    if (name[0] == '@')
        address.sun_path[0] = '\0';
    // A path counts its terminating NUL; an abstract name is exactly its bytes.
    const auto size = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + length + (name[0] == '/' ? 1 : 0));
    return std::pair{address, size};
}

}  // namespace

std::optional<AgentSocket> socket_from_service_manager()
{
    const std::optional<long> pid = number_from_environment("LISTEN_PID");
    const std::optional<long> count = number_from_environment("LISTEN_FDS");
    ::unsetenv("LISTEN_PID");
    ::unsetenv("LISTEN_FDS");
    ::unsetenv("LISTEN_FDNAMES");
    if (!pid || !count || *pid != ::getpid() || *count == 0)
        return std::nullopt;  // nothing passed, or passed to another process (our parent)
    for (long fd = first_passed_fd; fd < first_passed_fd + *count; ++fd) {
        int flags = ::fcntl(static_cast<int>(fd), F_GETFD);
        if (flags < 0 || ::fcntl(static_cast<int>(fd), F_SETFD, flags | FD_CLOEXEC) != 0)
            throw SocketSetupError("cannot read the sockets systemd passed: descriptor " + std::to_string(fd) + ": " +
                                   std::strerror(errno));
    }
    if (*count > 1)
        throw SocketSetupError("systemd passed " + std::to_string(*count) +
                               " sockets; latchkeyd serves one: give latchkeyd.socket a single ListenStream=");
    const std::optional<std::string> path = unix_bound_path(first_passed_fd);
    if (!path || socket_option(first_passed_fd, SO_TYPE) != SOCK_STREAM ||
        socket_option(first_passed_fd, SO_ACCEPTCONN) != 1)
        throw SocketSetupError("the socket systemd passed is not a listening Unix stream socket: "
                               "latchkeyd.socket needs ListenStream= with a path");
    AgentSocket socket(UniqueFd(first_passed_fd), *path, "");
    socket.disown();
    return socket;
}

bool notify_service_manager(const std::string& state) noexcept
{
    const auto address = notify_address();
    if (!address)
        return false;
    const UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (fd.get() < 0)
        return false;
    const ssize_t sent = ::sendto(fd.get(), state.data(), state.size(), MSG_NOSIGNAL,
                                  reinterpret_cast<const sockaddr*>(&address->first), address->second);
    return sent == static_cast<ssize_t>(state.size());
}

}  // namespace latchkey::platform
