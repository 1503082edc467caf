// The event loop: one io_context thread for sockets, timers and signals; a worker pool for the
// dispatcher, so a slow signature never stalls another client.
#include "agent/server.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <csignal>
#include <thread>
#include <type_traits>
#include <utility>
#include <variant>

#include "agent/asio.hpp"
#include "agent/confirmation.hpp"
#include "platform/posix/peer_credentials.hpp"
#include "platform/posix/process.hpp"
#include "protocol/message.hpp"
#include "protocol/message_name.hpp"

namespace latchkey::agent {

namespace {

namespace asio = boost::asio;
using Socket = asio::local::stream_protocol::socket;

constexpr auto unlock_delay_step = std::chrono::milliseconds(100);
constexpr auto unlock_delay_limit = std::chrono::seconds(10);
constexpr auto accept_retry_delay = std::chrono::milliseconds(50);
constexpr std::size_t first_body_chunk = 4096;  // a request body is read in doubling steps from here

// One received request: its body in locked memory if it may carry a secret, else in ordinary memory.
struct RequestBuffer {
    SecretBytes secret;
    protocol::Bytes plain;
    bool is_secret = false;

    void start(std::uint8_t type) { is_secret = protocol::carries_secrets(type); }
    // Grows (or sets) the body to `size` bytes, keeping what was read; may throw SecretHeapExhausted.
    void resize(std::size_t size)
    {
        if (is_secret)
            secret.resize(size);
        else
            plain.resize(size);
    }
    std::span<std::uint8_t> bytes() { return is_secret ? secret.view() : std::span<std::uint8_t>(plain); }
};

class Server {
public:
    explicit Server(const ServerOptions& options);
    int run();

private:
    asio::awaitable<void> accept_connections();
    asio::awaitable<void> serve_connection(Socket socket, ConnectionContext context);
    asio::awaitable<bool> read_request(Socket& socket, RequestBuffer& buffer, const Peer& peer);
    asio::awaitable<protocol::Bytes> dispatch(Socket& socket, RequestBuffer& buffer, ConnectionContext& context);
    asio::awaitable<void> cancel_on_hangup(Socket& socket, std::shared_ptr<PromptCancellation> cancellation);
    template <class Work>
    asio::awaitable<std::invoke_result_t<Work&>> on_workers(Work work);
    asio::awaitable<void> expire_keys();
    asio::awaitable<void> stop_on_signal();
    asio::awaitable<void> drop_keys_on_signal();
    asio::awaitable<void> delay(std::chrono::steady_clock::duration duration);
    void reschedule_expiry();

    // Declared in destruction order: the io_context (and every coroutine frame in it) goes before
    // the dispatcher it refers to; the worker pool goes before the io_context its handlers point at.
    Keystore keystore_;
    Dispatcher dispatcher_;
    std::chrono::steady_clock::duration confirm_timeout_;
    std::size_t max_connections_;
    std::size_t connections_ = 0;           // open client connections (io thread only)
    bool connection_limit_logged_ = false;  // the limit was logged and not left since
    asio::io_context io_{1};
    asio::thread_pool workers_;
    asio::local::stream_protocol::acceptor acceptor_;
    asio::steady_timer expiry_timer_;
    asio::signal_set stop_signals_;
    asio::signal_set drop_signals_;
};

std::size_t worker_count(std::size_t requested)
{
    if (requested != 0)
        return requested;
    return std::max<std::size_t>(1, std::thread::hardware_concurrency());
}

std::string describe_peer(const Peer& peer)
{
    return "pid " + std::to_string(peer.pid) + " (" + (peer.executable.empty() ? "?" : peer.executable) + ")";
}

Server::Server(const ServerOptions& options)
    : dispatcher_(keystore_, options.dispatcher),
      confirm_timeout_(options.confirm_timeout),
      max_connections_(options.max_connections),
      workers_(worker_count(options.worker_threads)),
      acceptor_(io_, asio::local::stream_protocol(), options.listen_fd),
      expiry_timer_(io_),
      stop_signals_(io_, SIGTERM, SIGINT, SIGHUP),
      drop_signals_(io_, SIGUSR1)
{
}

int Server::run()
{
    platform::ignore_broken_pipes();
    asio::co_spawn(io_, accept_connections(), asio::detached);
    asio::co_spawn(io_, expire_keys(), asio::detached);
    asio::co_spawn(io_, stop_on_signal(), asio::detached);
    asio::co_spawn(io_, drop_keys_on_signal(), asio::detached);
    io_.run();
    workers_.stop();
    workers_.join();
    std::size_t removed = dispatcher_.remove_all();
    spdlog::info("shutting down; wiped {} key(s)", removed);
    return 0;
}

asio::awaitable<void> Server::accept_connections()
{
    bool accept_failing = false;
    for (;;) {
        boost::system::error_code error;
        Socket socket = co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, error));
        if (error == asio::error::operation_aborted)
            co_return;
        if (error) {
            // Out of descriptors or similar: say so once and try again shortly, serving existing clients meanwhile.
            if (!accept_failing)
                spdlog::warn("cannot accept connections: {}; serving the {} open ones and retrying every {} ms",
                             error.message(), connections_, accept_retry_delay.count());
            accept_failing = true;
            co_await delay(accept_retry_delay);
            continue;
        }
        if (std::exchange(accept_failing, false))
            spdlog::info("accepting connections again");
        if (connections_ >= max_connections_) {
            if (!std::exchange(connection_limit_logged_, true))
                spdlog::warn("closing new connections: {} are open, the most latchkeyd serves at once; "
                             "they are accepted again when one ends", connections_);
            continue;  // the socket closes as it goes out of scope, unread
        }
        auto credentials = platform::peer_credentials(socket.native_handle());
        if (!credentials || !platform::peer_may_connect(credentials->uid)) {
            spdlog::warn("refused a connection from uid {} ({}): only the agent's own user and root are served",
                         credentials ? std::to_string(credentials->uid) : "unknown",
                         credentials ? platform::process_name(credentials->pid) : "unknown process");
            continue;  // the socket closes as it goes out of scope, unread
        }
        Peer peer{credentials->uid, credentials->pid,
                  spdlog::should_log(spdlog::level::debug) ? platform::process_name(credentials->pid) : std::string()};
        asio::co_spawn(io_, serve_connection(std::move(socket), ConnectionContext{std::move(peer)}), asio::detached);
    }
}

asio::awaitable<void> Server::serve_connection(Socket socket, ConnectionContext context)
{
    ++connections_;
    struct Counted {
        Server& server;
        ~Counted()
        {
            if (--server.connections_ < server.max_connections_)
                server.connection_limit_logged_ = false;
        }
    } counted{*this};
    spdlog::debug("{} connected", describe_peer(context.peer));
    for (;;) {
        RequestBuffer request;
        if (!co_await read_request(socket, request, context.peer))
            break;
        auto started = std::chrono::steady_clock::now();
        unsigned failed_unlocks_before = context.failed_unlocks;
        protocol::Bytes reply = co_await dispatch(socket, request, context);
        reschedule_expiry();
        if (spdlog::should_log(spdlog::level::debug)) {
            auto micros = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
            spdlog::debug("{}: {} -> {} in {:.3f} ms", describe_peer(context.peer),
                          protocol::message_type_name(request.bytes().empty() ? 0 : request.bytes()[0]),
                          protocol::message_type_name(reply.empty() ? 0 : reply[0]), micros.count() / 1000.0);
        }
        if (context.failed_unlocks > failed_unlocks_before)
            co_await delay(std::min<std::chrono::steady_clock::duration>(unlock_delay_step * context.failed_unlocks,
                                                                        unlock_delay_limit));
        boost::system::error_code error;
        protocol::Bytes framed = protocol::frame(reply);
        co_await asio::async_write(socket, asio::buffer(framed), asio::redirect_error(asio::use_awaitable, error));
        if (error)
            break;
    }
    spdlog::debug("{} disconnected", describe_peer(context.peer));
}

asio::awaitable<bool> Server::read_request(Socket& socket, RequestBuffer& buffer, const Peer& peer)
{
    boost::system::error_code error;
    std::array<std::uint8_t, protocol::frame_header_size + 1> head{};
    std::size_t got = co_await asio::async_read(socket, asio::buffer(head.data(), protocol::frame_header_size),
                                                asio::redirect_error(asio::use_awaitable, error));
    if (error || got != protocol::frame_header_size)
        co_return false;
    auto length = protocol::decode_frame_length(std::span<const std::uint8_t, protocol::frame_header_size>(
        head.data(), protocol::frame_header_size));
    if (!length) {
        spdlog::warn("closing the connection of {}: its request frame is over the {} KiB limit ({})",
                     describe_peer(peer), protocol::max_message_size / 1024, protocol::describe(length.error()));
        co_return false;
    }
    if (*length == 0)
        co_return true;
    co_await asio::async_read(socket, asio::buffer(&head[protocol::frame_header_size], 1),
                              asio::redirect_error(asio::use_awaitable, error));
    if (error)
        co_return false;
    buffer.start(head[protocol::frame_header_size]);
    // The body grows as its bytes arrive, so a client that announces a large frame and stalls holds
    // only what it has sent, not the whole announced length.
    std::size_t filled = 0;
    while (filled < *length) {
        std::size_t size = std::min<std::size_t>(*length, std::max(2 * filled, first_body_chunk));
        try {
            buffer.resize(size);
        } catch (const SecretHeapExhausted&) {
            spdlog::error("closing the connection of {}: no locked memory left for its request", describe_peer(peer));
            co_return false;
        }
        std::span<std::uint8_t> body = buffer.bytes();
        if (filled == 0) {
            body[0] = head[protocol::frame_header_size];
            filled = 1;
        }
        filled += co_await asio::async_read(socket, asio::buffer(body.data() + filled, size - filled),
                                            asio::redirect_error(asio::use_awaitable, error));
        if (error)
            co_return false;
    }
    co_return true;
}

// Answers one request on the worker pool. A signature that needs the user's confirmation is asked
// about here, on the io thread without blocking it, then finished on the pool; the prompt is
// cancelled (refused) if the client hangs up meanwhile.
asio::awaitable<protocol::Bytes> Server::dispatch(Socket& socket, RequestBuffer& buffer, ConnectionContext& context)
{
    auto outcome = co_await on_workers([&] { return dispatcher_.handle_message_or_confirm(buffer.bytes(), context); });
    if (auto* reply = std::get_if<protocol::Bytes>(&outcome))
        co_return std::move(*reply);
    auto& pending = std::get<PendingConfirmation>(outcome);
    auto cancellation = std::make_shared<PromptCancellation>();
    asio::co_spawn(io_, cancel_on_hangup(socket, cancellation), asio::detached);
    bool allowed = co_await ask_confirmation(io_.get_executor(), pending.program, pending.prompt, confirm_timeout_,
                                             cancellation);
    boost::system::error_code ignored;
    socket.cancel(ignored);  // ends cancel_on_hangup's wait
    co_return co_await on_workers([&] { return pending.finish(allowed); });
}

// Cancels a confirmation prompt if its client hangs up while it is open. Stops watching when the
// client sends more (its next request) or the wait is cancelled; touches the socket only before that.
asio::awaitable<void> Server::cancel_on_hangup(Socket& socket, std::shared_ptr<PromptCancellation> cancellation)
{
    boost::system::error_code error;
    co_await socket.async_wait(Socket::wait_read, asio::redirect_error(asio::use_awaitable, error));
    if (error == asio::error::operation_aborted)
        co_return;
    std::uint8_t next = 0;
    if (!error)
        socket.receive(asio::buffer(&next, 1), Socket::message_peek, error);  // end of file is an error
    if (error)
        cancellation->cancel();
}

// Runs work() on the worker pool and resumes on the io thread with its result.
template <class Work>
asio::awaitable<std::invoke_result_t<Work&>> Server::on_workers(Work work)
{
    co_return co_await asio::co_spawn(
        workers_, [&]() -> asio::awaitable<std::invoke_result_t<Work&>> { co_return work(); }, asio::use_awaitable);
}

asio::awaitable<void> Server::expire_keys()
{
    for (;;) {
        auto next = dispatcher_.next_expiry();
        expiry_timer_.expires_at(next ? *next : Clock::time_point::max());
        boost::system::error_code error;
        co_await expiry_timer_.async_wait(asio::redirect_error(asio::use_awaitable, error));
        dispatcher_.remove_expired();
    }
}

void Server::reschedule_expiry()
{
    auto next = dispatcher_.next_expiry();
    if (next && *next < expiry_timer_.expiry())
        expiry_timer_.cancel();  // expire_keys() wakes up and re-arms for the earlier instant
}

asio::awaitable<void> Server::stop_on_signal()
{
    boost::system::error_code error;
    int signal = co_await stop_signals_.async_wait(asio::redirect_error(asio::use_awaitable, error));
    if (!error)
        spdlog::info("signal {} received", signal);
    io_.stop();
}

asio::awaitable<void> Server::drop_keys_on_signal()
{
    for (;;) {
        boost::system::error_code error;
        co_await drop_signals_.async_wait(asio::redirect_error(asio::use_awaitable, error));
        if (error)
            co_return;
        std::size_t removed = dispatcher_.remove_all();
        spdlog::info("SIGUSR1: removed all {} key(s)", removed);
    }
}

asio::awaitable<void> Server::delay(std::chrono::steady_clock::duration duration)
{
    asio::steady_timer timer(io_, duration);
    boost::system::error_code error;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, error));
}

}  // namespace

int serve(ServerOptions options)
{
    Server server(options);
    return server.run();
}

}  // namespace latchkey::agent
