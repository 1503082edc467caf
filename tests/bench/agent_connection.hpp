// A blocking client connection to an agent's Unix socket: one framed request out, one framed reply in.
#pragma once

#include <string>

#include "agent/asio.hpp"
#include "protocol/wire.hpp"

namespace latchkey::bench {

class AgentConnection {
public:
    // Connects to the agent listening at socket_path. Throws boost::system::system_error if it cannot.
    AgentConnection(boost::asio::io_context& io, const std::string& socket_path);

    // Sends one request body (framed here) and returns the reply body. Throws
    // boost::system::system_error if the connection breaks, std::runtime_error if the reply's length
    // is over the protocol's limit. The returned view is valid until the next call.
    protocol::ByteView request(protocol::ByteView body);

private:
    boost::asio::local::stream_protocol::socket socket_;
    protocol::Bytes out_;
    protocol::Bytes in_;
};

}  // namespace latchkey::bench
