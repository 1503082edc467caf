// Blocking Unix-socket I/O for the latchkey client.
#include "platform/client_connection.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>

#include "platform/unique_fd.hpp"

namespace latchkey::platform {

namespace {

[[noreturn]] void throw_errno(const std::string& what)
{
    throw std::system_error(errno, std::generic_category(), what);
}

}  // namespace

struct ClientConnection::Handle {
    explicit Handle(UniqueFd socket) : fd(std::move(socket)) {}  // clang 14 has no parenthesised aggregate init
    UniqueFd fd;
};

std::optional<std::string> default_agent_address()
{
    return std::nullopt;
}

ClientConnection::ClientConnection(std::unique_ptr<Handle> handle) noexcept : handle_(std::move(handle)) {}
ClientConnection::ClientConnection(ClientConnection&&) noexcept = default;
ClientConnection& ClientConnection::operator=(ClientConnection&&) noexcept = default;
ClientConnection::~ClientConnection() = default;

ClientConnection ClientConnection::connect(const std::string& path)
{
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof(address.sun_path))
        throw std::system_error(ENAMETOOLONG, std::generic_category(), path);
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd)
        throw_errno(path);
    int result = 0;
    do
        result = ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address));
    while (result != 0 && errno == EINTR);
    if (result != 0)
        throw_errno(path);
    return ClientConnection(std::make_unique<Handle>(std::move(fd)));
}

void ClientConnection::write_all(std::span<const std::uint8_t> bytes)
{
    while (!bytes.empty()) {
        ssize_t written = ::send(handle_->fd.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (written < 0 && errno == EINTR)
            continue;
        if (written < 0)
            throw_errno("write");
        bytes = bytes.subspan(static_cast<std::size_t>(written));
    }
}

bool ClientConnection::read_exact(std::span<std::uint8_t> buffer)
{
    while (!buffer.empty()) {
        ssize_t got = ::read(handle_->fd.get(), buffer.data(), buffer.size());
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            throw_errno("read");
        if (got == 0)
            return false;
        buffer = buffer.subspan(static_cast<std::size_t>(got));
    }
    return true;
}

}  // namespace latchkey::platform
