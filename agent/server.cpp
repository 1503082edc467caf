// The event loop: one io_context thread for connections, timers, control events and prompts; a worker
// pool (one thread per core) for the dispatcher, so a slow signature never stalls another client.
#include "agent/server.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <memory>
#include <thread>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "agent/asio.hpp"
#include "agent/askpass_prompt.hpp"
#include "protocol/message.hpp"
#include "protocol/message_name.hpp"

namespace latchkey::agent {

namespace {

namespace asio = boost::asio;
using Stream = platform::ByteStream;

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
    asio::awaitable<void> serve_connection(std::unique_ptr<Stream> stream, ConnectionContext context);
    asio::awaitable<bool> read_request(Stream& stream, RequestBuffer& buffer, const Peer& peer);
    asio::awaitable<protocol::Bytes> dispatch(RequestBuffer& buffer, ConnectionContext& context);
    template <class Step>
    asio::awaitable<void> run_on_timer(asio::steady_timer& timer, Step step);
    asio::awaitable<void> expire_keys();
    asio::awaitable<void> shield_idle_keys();
    asio::awaitable<void> handle_control_events();
    void reload();
    void stop(const std::string& cause);
    void report(ServerEvent event);
    void report_if_keys_changed();
    asio::awaitable<void> delay(std::chrono::steady_clock::duration duration);
    void reschedule_expiry();
    void reschedule_shielding();

    template <class Work>
    asio::awaitable<std::invoke_result_t<Work&>> on_workers(Work work);

    // Declared in destruction order: the io_contexts (and every coroutine frame in them) go before
    // the dispatcher they refer to.
    Keystore keystore_;
    Dispatcher dispatcher_;
    std::chrono::steady_clock::duration unlock_delay_step_;
    std::function<void(ServerEvent, std::size_t)> report_;
    std::function<std::optional<LiveSettings>()> reload_;
    std::size_t reported_keys_ = 0;
    asio::io_context io_{1};  // accepting, connections, expiry, shielding, control events, prompts, reports
    asio::thread_pool workers_;
    SharedPrompts prompts_;  // used on io_ only
    std::size_t max_connections_;
    std::size_t connections_ = 0;           // open client connections
    bool connection_limit_logged_ = false;  // the limit was logged and not left since
    std::unique_ptr<platform::Listener> listener_;
    asio::steady_timer expiry_timer_;
    asio::steady_timer shield_timer_;  // at the instant the next clear key is to be shielded
    std::unique_ptr<platform::ControlEvents> control_events_;
};

std::size_t worker_count(std::size_t requested)
{
    return requested != 0 ? requested : std::max<std::size_t>(1, std::thread::hardware_concurrency());
}

// False for the frequent requests (list, sign), which never add a key and so never bring the next
// expiry forward; they skip the expiry check.
bool may_add_keys(protocol::ByteView body)
{
    if (body.empty())
        return false;
    const auto type = static_cast<protocol::MessageType>(body[0]);
    return type != protocol::MessageType::sign_request && type != protocol::MessageType::request_identities;
}

std::string describe_peer(const Peer& peer)
{
    return "pid " + std::to_string(peer.pid) + " (" + (peer.executable.empty() ? "?" : peer.executable) + ")";
}

Server::Server(const ServerOptions& options)
    : dispatcher_(keystore_, options.dispatcher),
      unlock_delay_step_(options.unlock_delay_step),
      report_(options.report),
      reload_(options.reload),
      workers_(worker_count(options.worker_threads)),
      prompts_(io_.get_executor(), options.confirm_timeout),
      max_connections_(options.max_connections),
      listener_(options.listen(io_)),
      expiry_timer_(io_),
      shield_timer_(io_),
      control_events_(platform::control_events(io_))
{
}

int Server::run()
{
    asio::co_spawn(io_, accept_connections(), asio::detached);
    asio::co_spawn(io_, expire_keys(), asio::detached);
    asio::co_spawn(io_, shield_idle_keys(), asio::detached);
    asio::co_spawn(io_, handle_control_events(), asio::detached);
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
    bool accept_failing = false;
    for (;;) {
        boost::system::error_code error;
        platform::AcceptedStream accepted = co_await listener_->accept(error);
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
            continue;  // the stream closes as it goes out of scope, unread
        }
        Peer peer{accepted.peer.uid, accepted.peer.pid, std::move(accepted.peer.executable)};
        asio::co_spawn(io_, serve_connection(std::move(accepted.stream), ConnectionContext{std::move(peer)}),
                       asio::detached);
    }
}

asio::awaitable<void> Server::serve_connection(std::unique_ptr<Stream> stream, ConnectionContext context)
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
        if (!co_await read_request(*stream, request, context.peer))
            break;
        auto started = std::chrono::steady_clock::now();
        unsigned failed_unlocks_before = context.failed_unlocks;
        protocol::Bytes reply = co_await dispatch(request, context);
        if (may_add_keys(request.bytes())) {
            reschedule_expiry();
            report_if_keys_changed();
        }
        reschedule_shielding();
        if (spdlog::should_log(spdlog::level::debug)) {
            auto micros = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
            spdlog::debug("{}: {} -> {} in {:.3f} ms", describe_peer(context.peer),
                          protocol::message_type_name(request.bytes().empty() ? 0 : request.bytes()[0]),
                          protocol::message_type_name(reply.empty() ? 0 : reply[0]), micros.count() / 1000.0);
        }
        if (context.failed_unlocks > failed_unlocks_before)
            co_await delay(unlock_delay(context.failed_unlocks, unlock_delay_step_));
        boost::system::error_code error;
        protocol::Bytes framed = protocol::frame(reply);
        co_await stream->write(framed, error);
        if (error)
            break;
    }
    spdlog::debug("{} disconnected", describe_peer(context.peer));
}

asio::awaitable<bool> Server::read_request(Stream& stream, RequestBuffer& buffer, const Peer& peer)
{
    boost::system::error_code error;
    std::array<std::uint8_t, protocol::frame_header_size + 1> head{};
    std::size_t got = co_await stream.read(std::span(head.data(), protocol::frame_header_size), error);
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
    co_await stream.read(std::span(&head[protocol::frame_header_size], 1), error);
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
        filled += co_await stream.read(body.subspan(filled, size - filled), error);
        if (error)
            co_return false;
    }
    co_return true;
}

// Answers one request on the worker pool. A request that needs the user (a deferred key's passphrase,
// a confirmation) is asked about here, on the io thread without blocking it, then finished on the
// pool, as many times as it asks.
asio::awaitable<protocol::Bytes> Server::dispatch(RequestBuffer& buffer, ConnectionContext& context)
{
    Outcome outcome = co_await on_workers([&] { return dispatcher_.handle_message_or_prompt(buffer.bytes(), context); });
    while (auto* pending = std::get_if<PendingPrompt>(&outcome)) {
        PendingPrompt prompt = std::move(*pending);
        PromptAnswer answer = co_await prompts_.ask(prompt.program, prompt.prompt, prompt.purpose, prompt.share_key);
        outcome = co_await on_workers([&] { return prompt.finish(answer); });
    }
    co_return std::move(std::get<protocol::Bytes>(outcome));
}

// Runs work() on the worker pool and resumes on the io thread with its result.
template <class Work>
asio::awaitable<std::invoke_result_t<Work&>> Server::on_workers(Work work)
{
    co_return co_await asio::co_spawn(
        workers_, [&]() -> asio::awaitable<std::invoke_result_t<Work&>> { co_return work(); }, asio::use_awaitable);
}

// Forever: calls step(), then sleeps on `timer` until the instant it returned (none = until cancelled).
template <class Step>
asio::awaitable<void> Server::run_on_timer(asio::steady_timer& timer, Step step)
{
    for (;;) {
        auto next = step();
        timer.expires_at(next ? *next : Clock::time_point::max());
        boost::system::error_code error;
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, error));
    }
}

asio::awaitable<void> Server::expire_keys()
{
    co_await run_on_timer(expiry_timer_, [this] {
        dispatcher_.remove_expired();
        report_if_keys_changed();
        return dispatcher_.next_expiry();
    });
}

void Server::reschedule_expiry()
{
    auto next = dispatcher_.next_expiry();
    if (next && *next < expiry_timer_.expiry())
        expiry_timer_.cancel();  // expire_keys() wakes up and re-arms for the earlier instant
}

// Shields keys as their keep-clear time after the last signature ends; sleeps while all are shielded.
asio::awaitable<void> Server::shield_idle_keys()
{
    co_await run_on_timer(shield_timer_, [this] { return dispatcher_.shield_idle_keys(); });
}

// After a request that may have unshielded a key, wakes shield_idle_keys() if it is sleeping.
void Server::reschedule_shielding()
{
    if (shield_timer_.expiry() == Clock::time_point::max())
        shield_timer_.cancel();
}

// Stop events end the server; drop-keys events remove every key; reload events apply what reload_
// returns, or without it stop the server, as ssh-agent does on SIGHUP.
asio::awaitable<void> Server::handle_control_events()
{
    for (;;) {
        boost::system::error_code error;
        platform::ControlEvent event = co_await control_events_->next(error);
        if (error)
            co_return;
        if (event.action == platform::ControlAction::stop || (event.action == platform::ControlAction::reload && !reload_)) {
            stop(event.cause);
            co_return;
        }
        if (event.action == platform::ControlAction::reload) {
            reload();
            continue;
        }
        std::size_t removed = dispatcher_.remove_all();
        spdlog::info("{}: removed all {} key(s)", event.cause, removed);
        report_if_keys_changed();
    }
}

void Server::stop(const std::string& cause)
{
    spdlog::info("{} received", cause);
    report(ServerEvent::stopping);
    io_.stop();
}

// Applies the settings reload_ returns, keeping every key.
void Server::reload()
{
    report(ServerEvent::reloading);
    if (std::optional<LiveSettings> settings = reload_()) {
        dispatcher_.set_defaults(settings->default_lifetime, settings->askpass_program);
        prompts_.set_timeout(settings->confirm_timeout);
    }
    report(ServerEvent::ready);
}

void Server::report(ServerEvent event)
{
    reported_keys_ = dispatcher_.key_count();
    if (report_)
        report_(event, reported_keys_);
}

// After a request that may have added or removed keys: a status report if the number of keys changed.
void Server::report_if_keys_changed()
{
    if (dispatcher_.key_count() != reported_keys_)
        report(ServerEvent::keys_changed);
}

asio::awaitable<void> Server::delay(std::chrono::steady_clock::duration duration)
{
    asio::steady_timer timer(co_await asio::this_coro::executor, duration);
    boost::system::error_code error;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, error));
}

}  // namespace

std::chrono::steady_clock::duration unlock_delay(unsigned failures, std::chrono::steady_clock::duration step) noexcept
{
    if (step.count() <= 0)
        return {};
    if (failures >= unlock_delay_limit / step)
        return unlock_delay_limit;
    return step * failures;
}

int serve(ServerOptions options)
{
    Server server(options);
    return server.run();
}

}  // namespace latchkey::agent
