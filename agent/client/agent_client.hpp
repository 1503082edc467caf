// One connection to the agent named by SSH_AUTH_SOCK: send a request, get its decoded reply.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>

#include "platform/client_connection.hpp"
#include "protocol/message.hpp"

namespace latchkey::agent::client {

// The agent cannot be reached or stopped answering (exit status 2, as ssh-add's "Could not open a
// connection to your authentication agent."). what() says why.
class AgentUnreachable : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class AgentClient {
public:
    // Connects to the socket (Windows: pipe) at `path`, or for an empty path (SSH_AUTH_SOCK unset) to
    // platform::default_agent_address(). Throws AgentUnreachable naming the path and the reason (also for
    // an empty path where there is no default).
    static AgentClient connect(const std::string& path);

    // Sends one request and waits for its reply. Throws AgentUnreachable if the connection breaks, the
    // reply is longer than the protocol's 256 KiB, or it does not decode.
    protocol::Reply call(const protocol::Request& request);

    // Sends an extension with no contents and returns the reply's contents, or nullopt if the agent
    // answered FAILURE or EXTENSION_FAILURE (it does not know the extension, or refused it). Throws as call.
    std::optional<protocol::Bytes> call_extension(std::string_view name);

    const std::string& path() const noexcept { return path_; }

private:
    AgentClient(platform::ClientConnection socket, std::string path) : socket_(std::move(socket)), path_(std::move(path)) {}

    platform::ClientConnection socket_;
    std::string path_;
};

}  // namespace latchkey::agent::client
