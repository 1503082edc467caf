// AgentConnection: synchronous Asio reads and writes with the protocol's framing.
#include "tests/bench/agent_connection.hpp"

#include <array>
#include <stdexcept>

#include "protocol/message.hpp"

namespace latchkey::bench {

namespace asio = boost::asio;

AgentConnection::AgentConnection(asio::io_context& io, const std::string& socket_path) : socket_(io)
{
    socket_.connect(asio::local::stream_protocol::endpoint(socket_path));
}

protocol::ByteView AgentConnection::request(protocol::ByteView body)
{
    out_.clear();
    const auto length = static_cast<std::uint32_t>(body.size());
    for (int shift = 24; shift >= 0; shift -= 8)
        out_.push_back(static_cast<std::uint8_t>(length >> shift));
    out_.insert(out_.end(), body.begin(), body.end());
    asio::write(socket_, asio::buffer(out_));

    std::array<std::uint8_t, protocol::frame_header_size> header{};
    asio::read(socket_, asio::buffer(header));
    auto reply_length = protocol::decode_frame_length(header);
    if (!reply_length)
        throw std::runtime_error("reply length over the protocol's limit: " +
                                 std::string(protocol::describe(reply_length.error())));
    in_.resize(*reply_length);
    asio::read(socket_, asio::buffer(in_));
    return in_;
}

}  // namespace latchkey::bench
