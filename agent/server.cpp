// The event loops: one io_context thread for accepting, timers, control events and prompts, and one
// single-threaded loop per core that runs the read-answer-write loops of the connections dealt to it,
// so a request is answered on the thread that read it, with no handoff between threads; requests that
// may take long (may_take_long: RSA signatures, adds, KDFs) go to a pool so the loop keeps serving.
#include "agent/server.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <future>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "agent/asio.hpp"
#include "agent/askpass_prompt.hpp"
#include "agent/connection_count.hpp"
#include "agent/preload.hpp"
#include "platform/heap.hpp"
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

// Sizes `buffer` for a body of `length` bytes of which `filled` have arrived: doubling steps from
// first_body_chunk, never past `length`. False (logged) if no locked memory is left for a request carrying secrets.
bool grow_body(RequestBuffer& buffer, std::size_t length, std::size_t filled, const Peer& peer);

// Most clients write a request in one piece: takes what has already arrived of a `length`-byte body in one read,
// into locked scratch memory (its type, and so whether it carries secrets, is not known before), and starts
// `buffer` with it. Returns how many bytes it took: 0 if none had arrived (or the stream cannot tell), or with
// `error` set (no_memory, logged, if no locked memory is left for a request carrying secrets).
std::size_t take_arrived_body(Stream& stream, std::size_t length, RequestBuffer& buffer, const Peer& peer,
                              boost::system::error_code& error);

// A client connection, shared by whatever waits on it: between requests, only the pending read of the next
// request's frame header holds it, so an idle connection costs this object, its stream and that read, and no
// coroutine frame. Counted in Server::connections_ while it lives; the close that ends a burst of connections
// has the heap's free pages handed back to the system on `io` (the accepting thread: it takes milliseconds).
struct Connection {
    std::unique_ptr<Stream> stream;
    ConnectionContext context;
    ConnectionCount& count;
    asio::io_context& io;
    using Header = std::array<std::uint8_t, protocol::frame_header_size>;
    Header header{};  // of the next request's frame, read while idle

    Connection(std::unique_ptr<Stream> accepted, Peer peer, ConnectionCount& counter, asio::io_context& server_io)
        : stream(std::move(accepted)), context{std::move(peer)}, count(counter), io(server_io)
    {
        count.opened();
    }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    ~Connection();
};

protocol::Bytes agent_failure()
{
    return protocol::encode_reply(protocol::Failure{});
}

// A request from a hosted transport, waiting for its reply: answered once, by the request or by the stop.
struct HostedRequest {
    std::promise<protocol::Bytes> reply;
    std::atomic_flag answered;

    void finish(protocol::Bytes bytes)
    {
        if (!answered.test_and_set())
            reply.set_value(std::move(bytes));
    }
};

class Server {
public:
    explicit Server(const ServerOptions& options);
    ~Server();
    int run();

private:
    asio::awaitable<void> accept_connections(platform::Listener& listener);
    void await_request(std::shared_ptr<Connection> connection);
    asio::awaitable<void> serve_request(std::shared_ptr<Connection> connection);
    asio::awaitable<bool> read_request(Stream& stream, const Connection::Header& header, RequestBuffer& buffer,
                                       const Peer& peer);
    asio::awaitable<std::optional<protocol::Bytes>> answer(RequestBuffer& request, ConnectionContext& context,
                                                           Stream* stream);
    asio::awaitable<std::optional<protocol::Bytes>> dispatch(RequestBuffer& buffer, ConnectionContext& context,
                                                             Stream* stream);
    protocol::Bytes answer_hosted(SecretBytes request, const Peer& peer);
    asio::awaitable<void> serve_hosted(std::shared_ptr<HostedRequest> waiting, SecretBytes request, Peer peer);
    void close_hosted();
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
    void preload(const std::vector<PreloadKey>& keys);
    void on_session_event(platform::SessionEvent event);
    asio::awaitable<void> follow_session();
    asio::awaitable<void> drop_idle_keys();

    template <class Context, class Work>
    static asio::awaitable<std::invoke_result_t<Work&>> run_on(Context& context, Work work);

    asio::io_context& next_loop();

    // Declared in destruction order: io_ and slow_work_ (and every coroutine frame in them, which may
    // own a connection) go first, then the connection loops with the connections' pending reads and
    // frames, which refer to the dispatcher and the counter.
    Keystore keystore_;
    Dispatcher dispatcher_;
    std::chrono::steady_clock::duration unlock_delay_step_;
    std::function<void(ServerEvent, std::size_t)> report_;
    std::function<std::optional<LiveSettings>()> reload_;
    std::vector<PreloadKey> preload_;             // added when run() starts
    std::vector<std::string> known_hosts_files_;  // for the destinations of preloaded keys
    SessionPolicy session_;
    std::atomic<Clock::time_point> last_use_ = Clock::now();  // of a key: the last request other than a listing
    std::size_t reported_keys_ = 0;  // io_ only
    std::size_t max_connections_;
    ConnectionCount connections_;  // open client connections
    // Set by the shielding timer's step before it looks for clear keys; a request that finds it set
    // wakes that timer, since it may have unshielded a key after the step looked.
    std::atomic<bool> shield_timer_may_sleep_ = false;
    std::vector<std::unique_ptr<asio::io_context>> loops_;  // the connections, one thread each
    std::atomic<std::size_t> next_loop_ = 0;                 // the loop of the next connection
    asio::thread_pool slow_work_;                            // requests that may take long
    asio::io_context io_{1};     // accepting, expiry, shielding, control events, prompts, reports
    SharedPrompts prompts_;      // used on io_ only
    bool connection_limit_logged_ = false;  // io_ only: the limit was logged and not left since
    std::vector<std::unique_ptr<platform::Listener>> listeners_;
    asio::steady_timer expiry_timer_;
    asio::steady_timer shield_timer_;  // at the instant the next clear key is to be shielded
    asio::steady_timer idle_timer_;    // at the instant the keys have been idle for drop_after_idle
    std::unique_ptr<platform::ControlEvents> control_events_;
    // Hosted transports' requests: those waiting for a reply, and whether new ones are still answered.
    std::mutex hosted_mutex_;
    std::set<std::shared_ptr<HostedRequest>> hosted_waiting_;
    bool hosted_open_ = true;
    std::atomic<unsigned> hosted_failed_unlocks_ = 0;  // wrong UNLOCKs in a row over all hosted requests
    std::vector<std::shared_ptr<void>> hosted_;         // last: destroyed first, while everything else exists
};

// The listeners options.listen and options.more_listeners make, on `io`.
std::vector<std::unique_ptr<platform::Listener>> make_listeners(const ServerOptions& options, asio::io_context& io)
{
    std::vector<std::unique_ptr<platform::Listener>> listeners;
    listeners.push_back(options.listen(io));
    for (const platform::ListenerFactory& listen : options.more_listeners)
        listeners.push_back(listen(io));
    return listeners;
}

std::vector<std::unique_ptr<asio::io_context>> make_loops(std::size_t requested)
{
    std::size_t count = requested != 0 ? requested : std::max<std::size_t>(1, std::thread::hardware_concurrency());
    std::vector<std::unique_ptr<asio::io_context>> loops;
    for (std::size_t i = 0; i < count; ++i)
        loops.push_back(std::make_unique<asio::io_context>(1));  // 1: run by one thread, so no locking inside
    return loops;
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

// True for a request that only lists keys, which does not count as using them (drop_after_idle).
bool is_listing(protocol::ByteView body)
{
    return body.empty() || static_cast<protocol::MessageType>(body[0]) == protocol::MessageType::request_identities;
}

std::string describe_peer(const Peer& peer)
{
    return "pid " + std::to_string(peer.pid) + " (" + (peer.executable.empty() ? "?" : peer.executable) + ")";
}

bool grow_body(RequestBuffer& buffer, std::size_t length, std::size_t filled, const Peer& peer)
{
    try {
        buffer.resize(std::min(length, std::max(2 * filled, first_body_chunk)));
    } catch (const SecretHeapExhausted&) {
        spdlog::error("closing the connection of {}: no locked memory left for its request", describe_peer(peer));
        return false;
    }
    return true;
}

std::size_t take_arrived_body(Stream& stream, std::size_t length, RequestBuffer& buffer, const Peer& peer,
                              boost::system::error_code& error)
{
    // One per connection loop; wiped after each use. Allocated at the loop's first request (locked memory is
    // in place by then) and released, wiped, when the loop's thread ends.
    thread_local SecretBytes scratch(first_body_chunk);
    std::span<std::uint8_t> arrived = scratch.view().first(std::min(length, scratch.size()));
    std::size_t got = stream.read_available(arrived, error);
    if (error || got == 0)
        return 0;
    buffer.start(arrived[0]);
    bool sized = grow_body(buffer, length, got, peer);
    if (sized)
        std::copy_n(arrived.begin(), got, buffer.bytes().begin());
    secure_wipe(arrived.data(), got);
    if (!sized) {
        error = asio::error::no_memory;
        return 0;
    }
    return got;
}

Connection::~Connection()
{
    spdlog::debug("{} disconnected", describe_peer(context.peer));
    if (count.closed())  // never once run() has left io_, which may then be gone
        asio::post(io, [] { platform::release_free_heap(); });
}

Server::Server(const ServerOptions& options)
    : dispatcher_(keystore_, options.dispatcher),
      unlock_delay_step_(options.unlock_delay_step),
      report_(options.report),
      reload_(options.reload),
      preload_(options.preload),
      known_hosts_files_(options.dispatcher.known_hosts_files),
      session_(options.session),
      max_connections_(options.max_connections),
      loops_(make_loops(options.worker_threads)),
      slow_work_(loops_.size()),
      prompts_(io_.get_executor(), options.confirm_timeout),
      listeners_(make_listeners(options, io_)),
      expiry_timer_(io_),
      shield_timer_(io_),
      idle_timer_(io_),
      control_events_(platform::control_events(io_))
{
    AnswerRequest answer = [this](SecretBytes request, const Peer& peer) {
        return answer_hosted(std::move(request), peer);
    };
    try {
        for (const HostedTransport& host : options.hosted)
            hosted_.push_back(host(answer));
    } catch (...) {
        close_hosted();  // the transports made so far may be waiting for an answer
        throw;
    }
}

Server::~Server()
{
    close_hosted();
}

int Server::run()
{
    preload(preload_);
    for (auto& listener : listeners_)
        asio::co_spawn(io_, accept_connections(*listener), asio::detached);
    asio::co_spawn(io_, expire_keys(), asio::detached);
    asio::co_spawn(io_, shield_idle_keys(), asio::detached);
    asio::co_spawn(io_, handle_control_events(), asio::detached);
    asio::co_spawn(io_, follow_session(), asio::detached);
    asio::co_spawn(io_, drop_idle_keys(), asio::detached);
    report(ServerEvent::ready);
    {
        std::vector<std::jthread> threads;
        for (auto& loop : loops_) {
            threads.emplace_back([loop = loop.get()] {
                auto busy = asio::make_work_guard(*loop);  // idle until stopped, not until out of work
                loop->run();
            });
        }
        io_.run();
        close_hosted();              // while the loops still run: a hosted request may be finishing on one
        connections_.stop_bursts();  // the connections closing from now on post nothing to io_
        for (auto& loop : loops_)
            loop->stop();
    }  // joins the threads
    slow_work_.stop();
    slow_work_.join();
    std::size_t removed = dispatcher_.remove_all();
    spdlog::info("shutting down; wiped {} key(s)", removed);
    return 0;
}

asio::awaitable<void> Server::accept_connections(platform::Listener& listener)
{
    bool accept_failing = false;
    for (;;) {
        boost::system::error_code error;
        // The connection lives on one connection loop (where the platform allows): its reads, answers and
        // writes run there.
        platform::AcceptedStream accepted = co_await listener.accept(next_loop(), error);
        if (error == asio::error::operation_aborted)
            co_return;
        if (error) {
            // Out of descriptors or similar: say so once and try again shortly, serving existing clients meanwhile.
            if (!accept_failing)
                spdlog::warn("cannot accept connections: {}; serving the {} open ones and retrying every {} ms",
                             error.message(), connections_.load(), accept_retry_delay.count());
            accept_failing = true;
            co_await delay(accept_retry_delay);
            continue;
        }
        if (std::exchange(accept_failing, false))
            spdlog::info("accepting connections again");
        if (connections_.load() >= max_connections_) {
            if (!std::exchange(connection_limit_logged_, true))
                spdlog::warn("closing new connections: {} are open, the most latchkeyd serves at once; "
                             "they are accepted again when one ends", connections_.load());
            continue;  // the stream closes as it goes out of scope, unread
        }
        connection_limit_logged_ = false;
        Peer peer{accepted.peer.uid, accepted.peer.pid, std::move(accepted.peer.executable)};
        spdlog::debug("{} connected", describe_peer(peer));
        auto connection = std::make_shared<Connection>(std::move(accepted.stream), std::move(peer), connections_, io_);
        // Its reads are started on its own loop, which runs them.
        asio::post(connection->stream->executor(), [this, connection] { await_request(connection); });
    }
}

// Waits for the frame header of the connection's next request without a coroutine (one read for all of it, as
// clients send it at once), then serves the request; the connection closes (as the last reference to it goes)
// when the client hangs up or the read fails.
void Server::await_request(std::shared_ptr<Connection> connection)
{
    Stream& stream = *connection->stream;
    std::span<std::uint8_t> header(connection->header);
    stream.read_then(header, [this, connection](const boost::system::error_code& error, std::size_t) {
        if (!error)
            asio::co_spawn(connection->stream->executor(), serve_request(connection), asio::detached);
    });
}

// Reads, answers and writes one request whose frame header has arrived, then waits for the next.
asio::awaitable<void> Server::serve_request(std::shared_ptr<Connection> connection)
{
    Stream& stream = *connection->stream;
    RequestBuffer request;
    if (!co_await read_request(stream, connection->header, request, connection->context.peer))
        co_return;
    std::optional<protocol::Bytes> reply = co_await answer(request, connection->context, &stream);
    if (!reply)
        co_return;
    boost::system::error_code error;
    protocol::Bytes framed = protocol::frame(*reply);
    co_await stream.write(framed, error);
    if (!error)
        await_request(std::move(connection));
}

// Reads the body of a request frame whose `header` has arrived: false if the client hung up, the frame is
// over the size limit, or no locked memory is left for a request carrying secrets (each logged).
asio::awaitable<bool> Server::read_request(Stream& stream, const Connection::Header& header, RequestBuffer& buffer,
                                           const Peer& peer)
{
    boost::system::error_code error;
    auto length = protocol::decode_frame_length(header);
    if (!length) {
        spdlog::warn("closing the connection of {}: its request frame is over the {} KiB limit ({})",
                     describe_peer(peer), protocol::max_message_size / 1024, protocol::describe(length.error()));
        co_return false;
    }
    if (*length == 0)
        co_return true;
    std::size_t filled = take_arrived_body(stream, *length, buffer, peer, error);
    if (error)
        co_return false;
    if (filled == 0) {  // nothing of the body yet: wait for its first byte, the type
        std::uint8_t type = 0;
        co_await stream.read(std::span(&type, 1), error);
        if (error)
            co_return false;
        buffer.start(type);
        if (!grow_body(buffer, *length, 1, peer))
            co_return false;
        buffer.bytes()[0] = type;
        filled = 1;
    }
    // The rest grows as its bytes arrive, so a client that announces a large frame and stalls holds only what
    // it has sent, not the whole announced length.
    while (filled < *length) {
        if (filled == buffer.bytes().size() && !grow_body(buffer, *length, filled, peer))
            co_return false;
        filled += co_await stream.read(buffer.bytes().subspan(filled), error);
        if (error)
            co_return false;
    }
    co_return true;
}

// Answers one request (see dispatch), then reschedules what it may have changed (expiry, shielding, the
// key count reported) and holds a wrong UNLOCK's answer back. Nothing if the client hung up meanwhile.
asio::awaitable<std::optional<protocol::Bytes>> Server::answer(RequestBuffer& request, ConnectionContext& context,
                                                               Stream* stream)
{
    auto started = std::chrono::steady_clock::now();
    unsigned failed_unlocks_before = context.failed_unlocks;
    std::optional<protocol::Bytes> reply = co_await dispatch(request, context, stream);
    if (!reply)
        co_return std::nullopt;
    if (may_add_keys(request.bytes())) {
        co_await run_on(io_, [this] {
            reschedule_expiry();
            report_if_keys_changed();
        });
    }
    if (!is_listing(request.bytes()))
        last_use_ = Clock::now();
    reschedule_shielding();
    if (spdlog::should_log(spdlog::level::debug)) {
        auto micros = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
        spdlog::debug("{}: {} -> {} in {:.3f} ms", describe_peer(context.peer),
                      protocol::message_type_name(request.bytes().empty() ? 0 : request.bytes()[0]),
                      protocol::message_type_name(reply->empty() ? 0 : (*reply)[0]), micros.count() / 1000.0);
    }
    if (context.failed_unlocks > failed_unlocks_before)
        co_await delay(unlock_delay(context.failed_unlocks, unlock_delay_step_));
    co_return reply;
}

// A hosted transport's request: answered on a connection loop as a connection's would be, while the
// calling thread waits. Wrong UNLOCKs count across hosted requests, as they would on one connection.
protocol::Bytes Server::answer_hosted(SecretBytes request, const Peer& peer)
{
    auto waiting = std::make_shared<HostedRequest>();
    std::future<protocol::Bytes> reply = waiting->reply.get_future();
    {
        const std::scoped_lock lock(hosted_mutex_);
        if (!hosted_open_)
            return agent_failure();
        hosted_waiting_.insert(waiting);
    }
    asio::co_spawn(next_loop(), serve_hosted(waiting, std::move(request), peer),
                   [this, waiting](const std::exception_ptr& error) {
                       if (error)  // out of locked memory or similar: refused like a bad request
                           waiting->finish(agent_failure());
                       const std::scoped_lock lock(hosted_mutex_);
                       hosted_waiting_.erase(waiting);
                   });
    return reply.get();
}

asio::awaitable<void> Server::serve_hosted(std::shared_ptr<HostedRequest> waiting, SecretBytes request, Peer peer)
{
    RequestBuffer buffer;
    buffer.is_secret = true;
    buffer.secret = std::move(request);
    ConnectionContext context{std::move(peer)};
    context.failed_unlocks = hosted_failed_unlocks_.load();
    std::optional<protocol::Bytes> reply = co_await answer(buffer, context, nullptr);
    hosted_failed_unlocks_ = context.failed_unlocks;
    waiting->finish(reply ? std::move(*reply) : agent_failure());
}

// Answers FAILURE to the hosted requests still waiting and to any that come after, then destroys the
// hosted transports (joining their threads, which may have been waiting). Never fails.
void Server::close_hosted()
{
    {
        const std::scoped_lock lock(hosted_mutex_);
        hosted_open_ = false;
        for (const auto& waiting : hosted_waiting_)
            waiting->finish(agent_failure());
        hosted_waiting_.clear();
    }
    hosted_.clear();
}

// Cancels a prompt if its client hangs up meanwhile: the stream's hang-up watch (on the connection's loop)
// marks it and cancels the prompt on io_.
struct HangUpWatch {
    std::shared_ptr<PromptCanceller> canceller = std::make_shared<PromptCanceller>();  // io_ only
    bool hung_up = false;  // on the connection's loop only

    static void start(Stream& stream, asio::io_context& io, const std::shared_ptr<HangUpWatch>& watch)
    {
        stream.watch_hang_up([&io, watch] {
            watch->hung_up = true;
            asio::post(io, [watch] { watch->canceller->cancel(); });
        });
    }
    // Ends the watch; true if the client hung up. Never fails.
    bool stop(Stream& stream)
    {
        stream.stop_hang_up_watch();
        return hung_up;
    }
};

// Answers one request on the connection's loop, or on slow_work_ if it may take long. A request that
// needs the user (a deferred key's passphrase, a confirmation) is asked about on the io thread,
// without blocking it, then finished on slow_work_ (it may decrypt a key), as many times as it asks.
// Nothing if the client hung up while asked about: its prompt is cancelled. Without a stream (a hosted
// transport's request) there is no hang-up to watch.
asio::awaitable<std::optional<protocol::Bytes>> Server::dispatch(RequestBuffer& buffer, ConnectionContext& context,
                                                                 Stream* stream)
{
    auto answer_request = [&] { return dispatcher_.handle_message_or_prompt(buffer.bytes(), context); };
    Outcome outcome;  // not a ?: with co_await in one arm, which GCC 12 miscompiles (a double free)
    if (may_take_long(buffer.bytes()))
        outcome = co_await run_on(slow_work_, answer_request);
    else
        outcome = answer_request();
    while (auto* pending = std::get_if<PendingPrompt>(&outcome)) {
        PendingPrompt prompt = std::move(*pending);
        auto watch = std::make_shared<HangUpWatch>();
        if (stream != nullptr)
            HangUpWatch::start(*stream, io_, watch);
        PromptAnswer answer = co_await asio::co_spawn(
            io_, prompts_.ask(prompt.program, prompt.prompt, prompt.purpose, prompt.share_key, watch->canceller),
            asio::use_awaitable);
        if (stream != nullptr && watch->stop(*stream)) {
            spdlog::info("{} hung up while its request waited for the user; request dropped",
                         describe_peer(context.peer));
            co_return std::nullopt;
        }
        outcome = co_await run_on(slow_work_, [&] { return prompt.finish(answer); });
    }
    co_return std::move(std::get<protocol::Bytes>(outcome));
}

// Runs work() on `context` (io_, where the timers and reports live, or slow_work_) and resumes where
// it was with its result.
template <class Context, class Work>
asio::awaitable<std::invoke_result_t<Work&>> Server::run_on(Context& context, Work work)
{
    co_return co_await asio::co_spawn(
        context, [&]() -> asio::awaitable<std::invoke_result_t<Work&>> { co_return work(); }, asio::use_awaitable);
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
    co_await run_on_timer(shield_timer_, [this] {
        shield_timer_may_sleep_ = true;
        auto next = dispatcher_.shield_idle_keys();
        if (next)
            shield_timer_may_sleep_ = false;
        return next;
    });
}

// After a request that may have unshielded a key, wakes shield_idle_keys() if it may be sleeping
// with no clear key to wait for. Called on any thread; costs a post only after the keys were shielded.
void Server::reschedule_shielding()
{
    if (shield_timer_may_sleep_.exchange(false))
        asio::post(io_, [this] { shield_timer_.cancel(); });
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
        if (event.action == platform::ControlAction::stop ||
            (event.action == platform::ControlAction::reload && !reload_)) {
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

// Applies the settings reload_ returns, keeping every key, and preloads the keys new in the configuration.
void Server::reload()
{
    report(ServerEvent::reloading);
    if (std::optional<LiveSettings> settings = reload_()) {
        dispatcher_.set_defaults(settings->default_lifetime, settings->askpass_program);
        prompts_.set_timeout(settings->confirm_timeout);
        preload(settings->new_keys);
    }
    report(ServerEvent::ready);
}

// Adds config.toml's keys (deferred) and arms the expiry timer for their lifetimes.
void Server::preload(const std::vector<PreloadKey>& keys)
{
    if (keys.empty())
        return;
    std::size_t added = preload_keys(dispatcher_, keys, known_hosts_files_);
    spdlog::info("preloaded {} of the {} key(s) of the configuration", added, keys.size());
    reschedule_expiry();
}

// [session] on_suspend / on_screen_lock: "lock" re-encrypts the keys added encrypted and removes the
// others; "drop" removes every key.
void Server::on_session_event(platform::SessionEvent event)
{
    const bool suspending = event == platform::SessionEvent::suspending;
    const SessionAction action = suspending ? session_.on_suspend : session_.on_screen_lock;
    const char* reason = suspending ? "the system is going to sleep" : "the screen was locked";
    if (action == SessionAction::lock)
        dispatcher_.reencrypt_or_remove_all(reason);
    else if (action == SessionAction::drop)
        spdlog::info("{}: removed all {} key(s)", reason, dispatcher_.remove_all());
    report_if_keys_changed();
}

asio::awaitable<void> Server::follow_session()
{
    if (session_.follow)
        co_await session_.follow([this](platform::SessionEvent event) { on_session_event(event); });
}

// [session] drop_after_idle: wakes when the keys would have been unused that long; removes them if so.
asio::awaitable<void> Server::drop_idle_keys()
{
    if (!session_.drop_after_idle)
        co_return;
    const Clock::duration idle = *session_.drop_after_idle;
    co_await run_on_timer(idle_timer_, [this, idle]() -> std::optional<Clock::time_point> {
        if (Clock::now() - last_use_.load() >= idle) {
            if (std::size_t removed = dispatcher_.remove_all(); removed != 0)
                spdlog::info("no key used for {} s: removed all {} key(s)",
                             std::chrono::duration_cast<std::chrono::seconds>(idle).count(), removed);
            report_if_keys_changed();
            last_use_ = Clock::now();
        }
        return last_use_.load() + idle;
    });
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

asio::io_context& Server::next_loop()
{
    return *loops_[next_loop_.fetch_add(1) % loops_.size()];
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

std::size_t connection_limit(std::size_t descriptor_limit) noexcept
{
    constexpr std::size_t reserved = 64;
    return descriptor_limit > default_max_connections + reserved ? descriptor_limit - reserved
                                                                 : default_max_connections;
}

int serve(ServerOptions options)
{
    Server server(options);
    return server.run();
}

}  // namespace latchkey::agent
