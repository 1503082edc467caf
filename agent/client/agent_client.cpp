// The client's blocking request/reply exchange over the agent socket, framed as RFC 9987 §3.
#include "agent/client/agent_client.hpp"

#include <array>
#include <system_error>

#include "platform/client_connection.hpp"

namespace latchkey::agent::client {

AgentClient AgentClient::connect(const std::string& given_path)
{
    const std::string path = given_path.empty() ? platform::default_agent_address().value_or("") : given_path;
    if (path.empty())
        throw AgentUnreachable("Could not open a connection to your authentication agent: SSH_AUTH_SOCK is not set "
                               "(start one with: eval \"$(latchkeyd -s)\")");
    try {
        return AgentClient(platform::ClientConnection::connect(path), path);
    } catch (const std::system_error& error) {
        throw AgentUnreachable(std::string("Could not open a connection to your authentication agent at ") +
                               error.what());
    }
}

protocol::Reply AgentClient::call(const protocol::Request& request)
{
    try {
        SecretBytes body = protocol::encode_request(request);
        SecretBytes framed = protocol::frame_secret(body.view());
        socket_.write_all(framed.view());
        std::array<std::uint8_t, protocol::frame_header_size> header{};
        if (!socket_.read_exact(header))
            throw AgentUnreachable("the agent at " + path_ + " closed the connection without answering");
        auto length = protocol::decode_frame_length(header);
        if (!length)
            throw AgentUnreachable("the agent at " + path_ + " sent a reply longer than 256 KiB");
        protocol::Bytes reply_body(*length);
        if (!socket_.read_exact(reply_body))
            throw AgentUnreachable("the agent at " + path_ + " closed the connection in the middle of a reply");
        auto reply = protocol::decode_reply(reply_body);
        if (!reply)
            throw AgentUnreachable("the agent at " + path_ + " sent a reply that does not decode: " +
                                   std::string(protocol::describe(reply.error())));
        return std::move(*reply);
    } catch (const std::system_error& error) {
        throw AgentUnreachable("lost the connection to the agent at " + path_ + ": " + error.what());
    }
}

std::optional<protocol::Bytes> AgentClient::call_extension(std::string_view name)
{
    protocol::Reply reply = call(protocol::Extension{std::string(name), protocol::OpaqueExtension{}});
    if (auto* response = std::get_if<protocol::ExtensionResponse>(&reply); response != nullptr && response->name == name)
        return std::move(response->contents);
    return std::nullopt;
}

}  // namespace latchkey::agent::client
