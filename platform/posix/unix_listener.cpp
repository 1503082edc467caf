// Accepting connections on the agent's Unix socket: peer uid check before any byte is read.
#include "platform/posix/unix_listener.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "platform/asio_byte_stream.hpp"
#include "platform/posix/peer_credentials.hpp"
#include "platform/posix/process.hpp"

namespace latchkey::platform {

namespace {

namespace asio = boost::asio;
using Socket = asio::local::stream_protocol::socket;

using UnixStream = AsioByteStream<Socket>;

class UnixListener final : public Listener {
public:
    UnixListener(asio::io_context& io, int listen_fd) : acceptor_(io, asio::local::stream_protocol(), listen_fd) {}

    asio::awaitable<AcceptedStream> accept(asio::io_context& loop, boost::system::error_code& error) override
    {
        for (;;) {
            Socket socket = co_await acceptor_.async_accept(loop, asio::redirect_error(asio::use_awaitable, error));
            if (error)
                co_return AcceptedStream{};
            auto credentials = peer_credentials(socket.native_handle());
            if (!credentials || !peer_may_connect(credentials->uid)) {
                spdlog::warn("refused a connection from uid {} ({}): only the agent's own user and root are served",
                             credentials ? std::to_string(credentials->uid) : "unknown",
                             credentials ? process_name(credentials->pid) : "unknown process");
                continue;  // the socket closes as it goes out of scope, unread
            }
            PeerProcess peer{credentials->uid, credentials->pid,
                             spdlog::should_log(spdlog::level::debug) ? process_name(credentials->pid) : std::string()};
            co_return AcceptedStream{std::make_unique<UnixStream>(std::move(socket)), std::move(peer)};
        }
    }

private:
    asio::local::stream_protocol::acceptor acceptor_;
};

}  // namespace

ListenerFactory unix_socket_listener(int listen_fd)
{
    return [listen_fd](asio::io_context& io) -> std::unique_ptr<Listener> {
        ignore_broken_pipes();
        return std::make_unique<UnixListener>(io, listen_fd);
    };
}

}  // namespace latchkey::platform
