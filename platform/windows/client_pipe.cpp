// Blocking named-pipe I/O for latchkey.exe: the agent's pipe opened with CreateFile, read and written whole.
#include <windows.h>

#include <system_error>
#include <utility>

#include "platform/client_connection.hpp"
#include "platform/windows/pipe_listener.hpp"
#include "platform/windows/unique_handle.hpp"

namespace latchkey::platform {

namespace {

constexpr DWORD busy_wait_ms = 5000;  // how long to wait for a free instance of a busy pipe

[[noreturn]] void throw_last_error(const std::string& what)
{
    throw std::system_error(static_cast<int>(GetLastError()), std::system_category(), what);
}

}  // namespace

struct ClientConnection::Handle {
    explicit Handle(UniqueHandle handle) : pipe(std::move(handle)) {}  // clang 14 has no parenthesised aggregate init
    UniqueHandle pipe;
};

std::optional<std::string> default_agent_address()
{
    return std::string(openssh_agent_pipe);
}

ClientConnection::ClientConnection(std::unique_ptr<Handle> handle) noexcept : handle_(std::move(handle)) {}
ClientConnection::ClientConnection(ClientConnection&&) noexcept = default;
ClientConnection& ClientConnection::operator=(ClientConnection&&) noexcept = default;
ClientConnection::~ClientConnection() = default;

ClientConnection ClientConnection::connect(const std::string& name)
{
    for (;;) {
        // SECURITY_IDENTIFICATION: the agent may learn who connects, not act as this user.
        UniqueHandle pipe(CreateFileA(name.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING,
                                      SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION, nullptr));
        if (pipe)
            return ClientConnection(std::make_unique<Handle>(std::move(pipe)));
        if (GetLastError() != ERROR_PIPE_BUSY || !WaitNamedPipeA(name.c_str(), busy_wait_ms))
            throw_last_error(name);
    }
}

void ClientConnection::write_all(std::span<const std::uint8_t> bytes)
{
    while (!bytes.empty()) {
        DWORD written = 0;
        if (!WriteFile(handle_->pipe.get(), bytes.data(), static_cast<DWORD>(bytes.size()), &written, nullptr))
            throw_last_error("write");
        bytes = bytes.subspan(written);
    }
}

bool ClientConnection::read_exact(std::span<std::uint8_t> buffer)
{
    while (!buffer.empty()) {
        DWORD got = 0;
        if (!ReadFile(handle_->pipe.get(), buffer.data(), static_cast<DWORD>(buffer.size()), &got, nullptr)) {
            if (GetLastError() == ERROR_BROKEN_PIPE)
                return false;
            throw_last_error("read");
        }
        if (got == 0)
            return false;
        buffer = buffer.subspan(got);
    }
    return true;
}

}  // namespace latchkey::platform
