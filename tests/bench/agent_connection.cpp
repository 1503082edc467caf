// AgentConnection: synchronous Asio reads and writes with the protocol's framing.
#include "tests/bench/agent_connection.hpp"

#include <stdexcept>

#include "protocol/message.hpp"

namespace latchkey::bench {

namespace asio = boost::asio;

// Bytes read at once for a reply: every reply of the sign and list cases but a list of many keys.
constexpr std::size_t reply_room = 16 * 1024;

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

    // One read takes the header and, for all but the largest replies, the body: the agent writes a reply at
    // once, and a request is outstanding alone on its connection, so nothing of a later reply can arrive.
    if (in_.size() < reply_room)
        in_.resize(reply_room);
    std::size_t got = asio::read(socket_, asio::buffer(in_), asio::transfer_at_least(protocol::frame_header_size));
    auto reply_length = protocol::decode_frame_length(
        std::span<const std::uint8_t, protocol::frame_header_size>(in_.data(), protocol::frame_header_size));
    if (!reply_length)
        throw std::runtime_error("reply length over the protocol's limit: " +
                                 std::string(protocol::describe(reply_length.error())));
    const std::size_t total = protocol::frame_header_size + *reply_length;
    if (got > total)
        throw std::runtime_error("the agent sent more than the reply it announced");
    if (in_.size() < total)
        in_.resize(total);
    asio::read(socket_, asio::buffer(in_.data() + got, total - got));
    return protocol::ByteView(in_).subspan(protocol::frame_header_size, *reply_length);
}

}  // namespace latchkey::bench
