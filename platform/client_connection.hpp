// The client's end of the agent's endpoint: a blocking connection to a Unix socket or a Windows named pipe,
// reading and writing whole buffers.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

namespace latchkey::platform {

// Where the agent is when SSH_AUTH_SOCK is not set: nullopt on Unix (no default socket), OpenSSH's pipe
// \\.\pipe\openssh-ssh-agent on Windows. Never fails.
std::optional<std::string> default_agent_address();

class ClientConnection {
public:
    // Connects to the agent at `address`: a Unix socket path, or a Windows pipe name. Throws
    // std::system_error "<address>" with the reason (a path too long for sockaddr_un, no such socket or
    // pipe, refused, every pipe instance busy for 5 s, ...).
    static ClientConnection connect(const std::string& address);

    ClientConnection(ClientConnection&&) noexcept;
    ClientConnection& operator=(ClientConnection&&) noexcept;
    ~ClientConnection();

    // Writes every byte of `bytes`, retrying after interruptions and short writes; a peer that has gone
    // fails (EPIPE, never SIGPIPE). Throws std::system_error "write" with the reason.
    void write_all(std::span<const std::uint8_t> bytes);

    // Reads exactly buffer.size() bytes, retrying after interruptions and short reads. Returns false if the
    // peer closed the connection first. Throws std::system_error "read" with the reason.
    bool read_exact(std::span<std::uint8_t> buffer);

private:
    struct Handle;  // the descriptor or HANDLE, defined by the platform's implementation
    explicit ClientConnection(std::unique_ptr<Handle> handle) noexcept;
    std::unique_ptr<Handle> handle_;
};

}  // namespace latchkey::platform
