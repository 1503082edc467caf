// The event loop: one io_context thread for sockets, timers and signals; a worker pool for the
// dispatcher, so a slow signature never stalls another client.
#include "agent/server.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <csignal>
#include <thread>
#include <type_traits>
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

// One received request: its body in locked memory if it may carry a secret, else in ordinary memory.
struct RequestBuffer {
    SecretBytes secret;
    protocol::Bytes plain;
    bool is_secret = false;

    void allocate(std::uint8_t type, std::size_t size)
    {
        is_secret = protocol::carries_secrets(type);
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
    asio::awaitable<protocol::Bytes> dispatch(RequestBuffer& buffer, ConnectionContext& context);
    template <class Work>
    asio::awaitable<std::invoke_result_t<Work&>> on_workers(Work work);
    asio::awaitable<void> expire_keys();
    asio::awaitable<void> stop_on_signal();
    asio::awaitable<void> drop_keys_on_signal();
    asio::awaitable<void> reload_on_signal();
    void stop(int signal);
    void report(ServerEvent event);
    void report_if_keys_changed();
    asio::awaitable<void> delay(std::chrono::steady_clock::duration duration);
    void reschedule_expiry();

    // Declared in destruction order: the io_context (and every coroutine frame in it) goes before
    // the dispatcher it refers to; the worker pool goes before the io_context its handlers point at.
    Keystore keystore_;
    Dispatcher dispatcher_;
    std::chrono::steady_clock::duration confirm_timeout_;
    std::function<void(ServerEvent, std::size_t)> report_;
    std::function<std::optional<LiveSettings>()> reload_;
    std::size_t reported_keys_ = 0;
    asio::io_context io_{1};
    asio::thread_pool workers_;
    asio::local::stream_protocol::acceptor acceptor_;
    asio::steady_timer expiry_timer_;
    asio::signal_set stop_signals_;
    asio::signal_set drop_signals_;
    asio::signal_set reload_signals_;
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
      report_(options.report),
      reload_(options.reload),
      workers_(worker_count(options.worker_threads)),
      acceptor_(io_, asio::local::stream_protocol(), options.listen_fd),
      expiry_timer_(io_),
      stop_signals_(io_, SIGTERM, SIGINT),
      drop_signals_(io_, SIGUSR1),
      reload_signals_(io_, SIGHUP)
{
}

int Server::run()
{
    platform::ignore_broken_pipes();
    asio::co_spawn(io_, accept_connections(), asio::detached);
    asio::co_spawn(io_, expire_keys(), asio::detached);
    asio::co_spawn(io_, stop_on_signal(), asio::detached);
    asio::co_spawn(io_, drop_keys_on_signal(), asio::detached);
    asio::co_spawn(io_, reload_on_signal(), asio::detached);
    report(ServerEvent::ready);
    io_.run();
    workers_.stop();
    workers_.join();
    std::size_t removed = dispatcher_.remove_all();
    spdlog::info("shutting down; wiped {} key(s)", removed);
    return 0;
}

asio::awaitable<void> Server::accept_connections()
{
    for (;;) {
        boost::system::error_code error;
        Socket socket = co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, error));
        if (error == asio::error::operation_aborted)
            co_return;
        if (error) {
            // Out of descriptors or similar: say so and try again shortly, serving existing clients meanwhile.
            spdlog::warn("cannot accept a connection: {}", error.message());
            co_await delay(accept_retry_delay);
            continue;
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
    spdlog::debug("{} connected", describe_peer(context.peer));
    for (;;) {
        RequestBuffer request;
        if (!co_await read_request(socket, request, context.peer))
            break;
        auto started = std::chrono::steady_clock::now();
        unsigned failed_unlocks_before = context.failed_unlocks;
        protocol::Bytes reply = co_await dispatch(request, context);
        reschedule_expiry();
        report_if_keys_changed();
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
        spdlog::warn("closing the connection of {}: {}", describe_peer(peer), protocol::describe(length.error()));
        co_return false;
    }
    if (*length == 0) {
        buffer.allocate(0, 0);
        co_return true;
    }
    co_await asio::async_read(socket, asio::buffer(&head[protocol::frame_header_size], 1),
                              asio::redirect_error(asio::use_awaitable, error));
    if (error)
        co_return false;
    try {
        buffer.allocate(head[protocol::frame_header_size], *length);
    } catch (const SecretHeapExhausted&) {
        spdlog::error("closing the connection of {}: no locked memory left for its request", describe_peer(peer));
        co_return false;
    }
    std::span<std::uint8_t> body = buffer.bytes();
    body[0] = head[protocol::frame_header_size];
    co_await asio::async_read(socket, asio::buffer(body.data() + 1, body.size() - 1),
                              asio::redirect_error(asio::use_awaitable, error));
    co_return !error;
}

// Answers one request on the worker pool. A signature that needs the user's confirmation is asked
// about here, on the io thread without blocking it, then finished on the pool.
asio::awaitable<protocol::Bytes> Server::dispatch(RequestBuffer& buffer, ConnectionContext& context)
{
    auto outcome = co_await on_workers([&] { return dispatcher_.handle_message_or_confirm(buffer.bytes(), context); });
    if (auto* reply = std::get_if<protocol::Bytes>(&outcome))
        co_return std::move(*reply);
    auto& pending = std::get<PendingConfirmation>(outcome);
    bool allowed = co_await ask_confirmation(io_.get_executor(), pending.program, pending.prompt, confirm_timeout_);
    co_return co_await on_workers([&] { return pending.finish(allowed); });
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
        report_if_keys_changed();
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
        stop(signal);
}

void Server::stop(int signal)
{
    spdlog::info("signal {} received", signal);
    report(ServerEvent::stopping);
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
        report_if_keys_changed();
    }
}

// SIGHUP: without a reload function it stops the server, as ssh-agent does; with one it applies the
// settings that function returns and keeps every key.
asio::awaitable<void> Server::reload_on_signal()
{
    for (;;) {
        boost::system::error_code error;
        co_await reload_signals_.async_wait(asio::redirect_error(asio::use_awaitable, error));
        if (error)
            co_return;
        if (!reload_) {
            stop(SIGHUP);
            co_return;
        }
        report(ServerEvent::reloading);
        if (std::optional<LiveSettings> settings = reload_()) {
            dispatcher_.set_defaults(settings->default_lifetime, settings->askpass_program);
            confirm_timeout_ = settings->confirm_timeout;
        }
        report(ServerEvent::ready);
    }
}

void Server::report(ServerEvent event)
{
    reported_keys_ = dispatcher_.key_count();
    if (report_)
        report_(event, reported_keys_);
}

void Server::report_if_keys_changed()
{
    if (dispatcher_.key_count() != reported_keys_)
        report(ServerEvent::keys_changed);
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
