// The client end of the agent's Unix socket: a blocking connect, and reading and writing whole buffers.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "platform/unique_fd.hpp"

namespace latchkey::platform {

// A close-on-exec AF_UNIX stream socket connected to `path`. Throws std::system_error "<path>" with the
// reason (ENAMETOOLONG for a path that does not fit sockaddr_un, ENOENT, ECONNREFUSED, ...).
UniqueFd connect_unix_socket(const std::string& path);

// Writes every byte of `bytes`, retrying after EINTR and short writes; a peer that has gone fails with
// EPIPE instead of raising SIGPIPE. Throws std::system_error "write" with the reason.
void write_all(const UniqueFd& fd, std::span<const std::uint8_t> bytes);

// Reads exactly buffer.size() bytes, retrying after EINTR and short reads. Returns false if the peer
// closed the connection first. Throws std::system_error "read" with the reason.
bool read_exact(const UniqueFd& fd, std::span<std::uint8_t> buffer);

}  // namespace latchkey::platform
