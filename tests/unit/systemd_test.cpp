// Tests of platform/posix/systemd: the socket-activation variables and NOTIFY_SOCKET datagrams, spoken directly.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "platform/posix/systemd.hpp"

using namespace latchkey::platform;

namespace {

// A datagram socket bound to `name` (a path, or an abstract name given with a leading '@'), as systemd's.
UniqueFd bound_datagram_socket(const std::string& name)
{
    UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    sockaddr_un address {};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, name.data(), name.size());
    socklen_t length = offsetof(sockaddr_un, sun_path) + name.size();
    if (name[0] == '@')
        address.sun_path[0] = '\0';
    else
        length += 1;
    REQUIRE(::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), length) == 0);
    return fd;
}

std::string received(const UniqueFd& fd)
{
    char buffer[256];
    ssize_t got = ::recv(fd.get(), buffer, sizeof buffer, MSG_DONTWAIT);
    return got < 0 ? std::string("(nothing)") : std::string(buffer, static_cast<std::size_t>(got));
}

// Puts `fd` at descriptor 3, where systemd passes sockets, for one test; puts back what was there.
struct AtFirstPassedFd {
    int saved = ::fcntl(3, F_DUPFD_CLOEXEC, 10);
    explicit AtFirstPassedFd(int fd) { REQUIRE(::dup2(fd, 3) == 3); }
    ~AtFirstPassedFd()
    {
        if (saved >= 0) {
            ::dup2(saved, 3);
            ::close(saved);
        } else {
            ::close(3);
        }
    }
};

void pass_sockets(long pid, int count)
{
    ::setenv("LISTEN_PID", std::to_string(pid).c_str(), 1);
    ::setenv("LISTEN_FDS", std::to_string(count).c_str(), 1);
}

}  // namespace

TEST_CASE("notify sends one datagram to a NOTIFY_SOCKET path, and to an abstract name")
{
    const std::string path = "/tmp/latchkey-systemd-test-" + std::to_string(::getpid());
    const std::string abstract = "@latchkey-systemd-test-" + std::to_string(::getpid());
    for (const std::string& name : {path, abstract}) {
        CAPTURE(name);
        UniqueFd manager = bound_datagram_socket(name);
        ::setenv("NOTIFY_SOCKET", name.c_str(), 1);
        CHECK(notify_service_manager("READY=1\nSTATUS=2 keys"));
        CHECK(received(manager) == "READY=1\nSTATUS=2 keys");
    }
    std::filesystem::remove(path);
    ::unsetenv("NOTIFY_SOCKET");
    CHECK_FALSE(notify_service_manager("READY=1"));
}

TEST_CASE("sockets passed to another process (the parent) are not taken, and the variables are unset")
{
    pass_sockets(::getppid(), 1);
    CHECK_FALSE(socket_from_service_manager().has_value());
    CHECK(std::getenv("LISTEN_PID") == nullptr);
    CHECK(std::getenv("LISTEN_FDS") == nullptr);
}

TEST_CASE("a listening Unix socket at descriptor 3 is taken with its path and made close-on-exec")
{
    const std::string path = "/tmp/latchkey-systemd-listen-" + std::to_string(::getpid());
    UniqueFd listener(::socket(AF_UNIX, SOCK_STREAM, 0));
    sockaddr_un address {};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
    REQUIRE(::bind(listener.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::listen(listener.get(), 1) == 0);
    {
        AtFirstPassedFd passed(listener.get());
        pass_sockets(::getpid(), 1);
        std::optional<AgentSocket> socket = socket_from_service_manager();
        REQUIRE(socket.has_value());
        CHECK(socket->path() == path);
        CHECK((::fcntl(3, F_GETFD) & FD_CLOEXEC) != 0);
    }
    std::filesystem::remove(path);
}

TEST_CASE("a passed socket that is not listening is refused with what to change in the .socket unit")
{
    int pair[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, pair) == 0);
    UniqueFd ours(pair[0]), theirs(pair[1]);
    AtFirstPassedFd passed(ours.get());
    pass_sockets(::getpid(), 1);
    CHECK_THROWS_WITH_AS(socket_from_service_manager(), doctest::Contains("ListenStream="), SocketSetupError);
}
