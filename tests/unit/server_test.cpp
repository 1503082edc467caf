// Server tests over a real Unix socket: framing, the frame limit, concurrency, expiry, signals and
// confirmation prompts.
#include <doctest/doctest.h>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include "agent/server.hpp"
#include "platform/posix/unix_listener.hpp"
#include "protocol/message.hpp"
#include "tests/support/test_data.hpp"

using namespace latchkey;
using namespace latchkey::protocol;
namespace fs = std::filesystem;

namespace {

// A connected client socket speaking raw frames.
class Client {
public:
    explicit Client(const fs::path& path) : fd_(::socket(AF_UNIX, SOCK_STREAM, 0))
    {
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::snprintf(address.sun_path, sizeof address.sun_path, "%s", path.c_str());
        REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
        timeval timeout{10, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    }
    ~Client() { ::close(fd_); }
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    void send_raw(ByteView bytes) { REQUIRE(::write(fd_, bytes.data(), bytes.size()) == ssize_t(bytes.size())); }
    void send(const Request& request) { REQUIRE(try_send(request)); }
    // False if the server has closed the connection (EPIPE, ECONNRESET).
    bool try_send(const Request& request)
    {
        SecretBytes body = encode_request(request);
        SecretBytes framed = frame_secret(body.view());
        return ::write(fd_, framed.data(), framed.size()) == ssize_t(framed.size());
    }

    // The next reply, or nullopt when the server closed the connection.
    std::optional<Reply> receive()
    {
        std::array<std::uint8_t, 4> header{};
        if (!read_exactly(header.data(), header.size()))
            return std::nullopt;
        auto length = decode_frame_length(header);
        REQUIRE(length.has_value());
        Bytes body(*length);
        REQUIRE(read_exactly(body.data(), body.size()));
        auto reply = decode_reply(body);
        REQUIRE(reply.has_value());
        return *reply;
    }

    Reply call(const Request& request)
    {
        send(request);
        auto reply = receive();
        REQUIRE(reply.has_value());
        return *reply;
    }

    // True if a reply (or the end of the connection) is ready to read now, without waiting.
    bool answered()
    {
        pollfd ready{fd_, POLLIN, 0};
        return ::poll(&ready, 1, 0) == 1;
    }

    std::size_t identity_count()
    {
        Reply reply = call(RequestIdentities{});
        REQUIRE(std::holds_alternative<IdentitiesAnswer>(reply));
        return std::get<IdentitiesAnswer>(reply).identities.size();
    }

private:
    bool read_exactly(std::uint8_t* data, std::size_t size)
    {
        while (size > 0) {
            ssize_t got = ::read(fd_, data, size);
            if (got < 0 && errno == EINTR)  // a signal in the same process, e.g. an askpass child's end
                continue;
            if (got <= 0)
                return false;
            data += got;
            size -= static_cast<std::size_t>(got);
        }
        return true;
    }

    int fd_;
};

// A Unix socket listening at `path`.
int listening_socket(const fs::path& path)
{
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof address.sun_path, "%s", path.c_str());
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::listen(fd, 256) == 0);
    return fd;
}

// serve() running on a thread, listening on a socket in a fresh directory; stopped with SIGTERM.
// Every test talks to the server before it stops, so its signal handlers are installed by then.
class RunningServer {
public:
    explicit RunningServer(agent::ServerOptions options = {})
    {
        directory_ = fs::temp_directory_path() / ("latchkey-server-test-" + std::to_string(::getpid()));
        fs::create_directories(directory_);
        path_ = directory_ / "agent.sock";
        options.listen = platform::unix_socket_listener(listening_socket(path_));
        options.worker_threads = 2;
        result_ = std::async(std::launch::async, [options] { return agent::serve(options); });
    }
    ~RunningServer()
    {
        if (result_.valid())
            stop();
        fs::remove_all(directory_);
    }
    const fs::path& path() const { return path_; }
    const fs::path& directory() const { return directory_; }
    int stop()
    {
        std::raise(SIGTERM);
        return result_.get();
    }
    // The exit status once the server stops by itself (after a signal the test raised).
    int wait() { return result_.get(); }

private:
    fs::path directory_;
    fs::path path_;
    std::future<int> result_;
};

Request capture(const std::string& name)
{
    Bytes bytes = test::read_file(test::data_dir / "captures" / (name + ".bin"));
    auto request = decode_request(bytes);
    REQUIRE(request.has_value());
    return std::move(*request);
}

}  // namespace

TEST_CASE("requests are answered in order, including pipelined ones, and SIGTERM stops the server")
{
    RunningServer server;
    Client client(server.path());
    CHECK(std::holds_alternative<Success>(client.call(capture("add-ed25519"))));
    CHECK(client.identity_count() == 1);

    SecretBytes list = encode_request(RequestIdentities{});
    SecretBytes unknown = SecretBytes(Bytes{200});
    Bytes pipelined;
    for (int i = 0; i < 3; ++i) {
        for (const auto* body : {&list, &unknown}) {
            Bytes framed = frame(body->view());
            pipelined.insert(pipelined.end(), framed.begin(), framed.end());
        }
    }
    client.send_raw(pipelined);
    for (int i = 0; i < 3; ++i) {
        CHECK(std::holds_alternative<IdentitiesAnswer>(*client.receive()));
        CHECK(std::holds_alternative<Failure>(*client.receive()));
    }
    CHECK(server.stop() == 0);
}

TEST_CASE("an oversize frame closes only that connection")
{
    RunningServer server;
    Client bystander(server.path());
    Client offender(server.path());
    offender.send_raw(Bytes{0x00, 0x04, 0x00, 0x01, 11});  // 256 KiB + 1
    CHECK_FALSE(offender.receive().has_value());
    Client giant(server.path());
    giant.send_raw(Bytes{0xff, 0xff, 0xff, 0xff});
    CHECK_FALSE(giant.receive().has_value());
    CHECK(bystander.identity_count() == 0);
}

TEST_CASE("a half frame followed by a disconnect leaves the server serving")
{
    RunningServer server;
    {
        Client quitter(server.path());
        quitter.send_raw(Bytes{0, 0, 0, 50, 17, 1, 2});
    }
    Client client(server.path());
    CHECK(client.identity_count() == 0);
}

TEST_CASE("many connections at once are all served")
{
    RunningServer server;
    std::vector<std::unique_ptr<Client>> clients;
    for (int i = 0; i < 200; ++i)
        clients.push_back(std::make_unique<Client>(server.path()));
    for (auto& client : clients)
        client->send(RequestIdentities{});
    for (auto& client : clients)
        CHECK(std::holds_alternative<IdentitiesAnswer>(*client->receive()));
}

TEST_CASE("SIGUSR1 drops every key and the server keeps serving")
{
    RunningServer server;
    Client client(server.path());
    REQUIRE(std::holds_alternative<Success>(client.call(capture("add-ed25519"))));
    std::raise(SIGUSR1);
    // The signal is handled asynchronously: wait (bounded) for the keys to go.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (client.identity_count() != 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::yield();
    CHECK(client.identity_count() == 0);
}

TEST_CASE("a key added with a lifetime is gone within a second of its expiry")
{
    RunningServer server;
    Client client(server.path());
    auto add = std::get<AddIdentity>(capture("add-constrained-lifetime"));
    add.constraints = {LifetimeConstraint{1}};
    auto added = std::chrono::steady_clock::now();
    REQUIRE(std::holds_alternative<Success>(client.call(add)));
    while (client.identity_count() != 0 && std::chrono::steady_clock::now() < added + std::chrono::seconds(5))
        std::this_thread::yield();
    auto gone = std::chrono::steady_clock::now() - added;
    CHECK(gone < std::chrono::seconds(2));
    CHECK(gone >= std::chrono::seconds(1));
}

namespace {

// Options whose askpass is a shell script with this body, written into the directory RunningServer
// uses (and removes).
agent::ServerOptions with_askpass(const std::string& body, std::chrono::seconds timeout)
{
    fs::path directory = fs::temp_directory_path() / ("latchkey-server-test-" + std::to_string(::getpid()));
    fs::create_directories(directory);
    fs::path script = directory / "askpass";
    std::ofstream(script) << "#!/bin/sh\n" << body << "\n";
    fs::permissions(script, fs::perms::owner_all);
    agent::ServerOptions options;
    options.dispatcher.askpass_program = script.string();
    options.confirm_timeout = timeout;
    return options;
}

// Adds the ed25519 key with ssh-add -c and asks for a signature with it.
Reply sign_with_confirm_key(Client& client)
{
    REQUIRE(std::holds_alternative<Success>(client.call(capture("add-constrained-confirm"))));
    auto listed = std::get<IdentitiesAnswer>(client.call(RequestIdentities{}));
    REQUIRE(listed.identities.size() == 1);
    return client.call(SignRequest{listed.identities[0].key_blob, Bytes{1, 2, 3}, 0});
}

}  // namespace

TEST_CASE("a confirm key signs when the askpass says yes and not when it says no or fails")
{
    struct Case {
        const char* body;
        bool signs;
    };
    for (Case c : {Case{"echo yes", true}, Case{"echo YES please", true}, Case{"exit 0", true},
                   Case{"echo no", false}, Case{"echo yes; exit 1", false}, Case{"exit 1", false}}) {
        CAPTURE(c.body);
        RunningServer server(with_askpass(c.body, std::chrono::seconds(10)));
        Client client(server.path());
        Reply reply = sign_with_confirm_key(client);
        CHECK(std::holds_alternative<SignResponse>(reply) == c.signs);
        CHECK(std::holds_alternative<Failure>(reply) == !c.signs);
    }
}

TEST_CASE("an askpass program that cannot start refuses the signature")
{
    agent::ServerOptions options;
    options.dispatcher.askpass_program = "/nonexistent/latchkey-askpass";
    RunningServer server(options);
    Client client(server.path());
    CHECK(std::holds_alternative<Failure>(sign_with_confirm_key(client)));
    CHECK(client.identity_count() == 1);
}

TEST_CASE("an unanswered prompt times out as refused while other connections are served")
{
    RunningServer server(with_askpass("sleep 5", std::chrono::seconds(1)));
    Client asker(server.path());
    Client bystander(server.path());
    REQUIRE(std::holds_alternative<Success>(asker.call(capture("add-constrained-confirm"))));
    auto listed = std::get<IdentitiesAnswer>(asker.call(RequestIdentities{}));
    REQUIRE(listed.identities.size() == 1);
    auto asked = std::chrono::steady_clock::now();
    asker.send(SignRequest{listed.identities[0].key_blob, Bytes{1, 2, 3}, 0});
    CHECK(bystander.identity_count() == 1);
    CHECK(std::chrono::steady_clock::now() - asked < std::chrono::milliseconds(900));
    auto reply = asker.receive();
    REQUIRE(reply.has_value());
    CHECK(std::holds_alternative<Failure>(*reply));
    auto waited = std::chrono::steady_clock::now() - asked;
    CHECK(waited >= std::chrono::seconds(1));
    CHECK(waited < std::chrono::seconds(4));
}

TEST_CASE("two prompts at once each get their own answer, neither waiting for the other")
{
    RunningServer server(with_askpass("sleep 1; echo yes", std::chrono::seconds(10)));
    Client first(server.path());
    Client second(server.path());
    REQUIRE(std::holds_alternative<Success>(first.call(capture("add-constrained-confirm"))));
    auto listed = std::get<IdentitiesAnswer>(first.call(RequestIdentities{}));
    REQUIRE(listed.identities.size() == 1);
    auto asked = std::chrono::steady_clock::now();
    first.send(SignRequest{listed.identities[0].key_blob, Bytes{1, 2, 3}, 0});
    second.send(SignRequest{listed.identities[0].key_blob, Bytes{4, 5, 6}, 0});
    CHECK(std::holds_alternative<SignResponse>(*first.receive()));
    CHECK(std::holds_alternative<SignResponse>(*second.receive()));
    CHECK(std::chrono::steady_clock::now() - asked < std::chrono::milliseconds(1900));
}

TEST_CASE("the delay after a wrong unlock passphrase grows with each one in a row, up to a limit")
{
    using std::chrono::milliseconds;
    CHECK(agent::unlock_delay(0, milliseconds(100)) == milliseconds(0));
    CHECK(agent::unlock_delay(1, milliseconds(100)) == milliseconds(100));
    CHECK(agent::unlock_delay(3, milliseconds(100)) == milliseconds(300));
    CHECK(agent::unlock_delay(100, milliseconds(100)) == agent::unlock_delay_limit);
    CHECK(agent::unlock_delay(4000000000U, milliseconds(100)) == agent::unlock_delay_limit);
    CHECK(agent::unlock_delay(1, std::chrono::hours(1)) == agent::unlock_delay_limit);
}

TEST_CASE("a wrong unlock passphrase delays only its own connection; another one unlocks meanwhile")
{
    agent::ServerOptions options;
    options.unlock_delay_step = std::chrono::hours(1);  // the guesser waits unlock_delay_limit
    RunningServer server(options);
    Client guesser(server.path());
    Client owner(server.path());
    REQUIRE(std::holds_alternative<Success>(owner.call(capture("add-ed25519"))));
    REQUIRE(std::holds_alternative<Success>(owner.call(Lock{SecretBytes::from_text("right")})));

    // Server threads may still hold either logger after the switch back: both live to the end.
    static const auto log = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(16);
    static const auto test_logger = std::make_shared<spdlog::logger>("unlock-test", log);
    static const auto previous_logger = spdlog::default_logger();
    spdlog::set_default_logger(test_logger);
    guesser.send(Unlock{SecretBytes::from_text("wrong")});
    // Wait (bounded) until the server has refused the guess, so the owner's unlock comes after it.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    auto refused = [&] {
        for (const std::string& line : log->last_formatted())
            if (line.find("wrong unlock passphrase") != std::string::npos)
                return true;
        return false;
    };
    while (!refused() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::yield();
    spdlog::set_default_logger(previous_logger);
    REQUIRE(refused());
    CHECK(owner.identity_count() == 0);  // locked: the list is empty, but it is answered
    CHECK(std::holds_alternative<Success>(owner.call(Unlock{SecretBytes::from_text("right")})));
    CHECK(owner.identity_count() == 1);
    CHECK_FALSE(guesser.answered());  // still held back, long after the owner was served
}

TEST_CASE("wrong unlock passphrases are answered FAILURE after a delay that grows")
{
    agent::ServerOptions options;
    options.unlock_delay_step = std::chrono::milliseconds(150);
    RunningServer server(options);
    Client client(server.path());
    REQUIRE(std::holds_alternative<Success>(client.call(Lock{SecretBytes::from_text("right")})));
    for (unsigned failures = 1; failures <= 2; ++failures) {
        auto asked = std::chrono::steady_clock::now();
        CHECK(std::holds_alternative<Failure>(client.call(Unlock{SecretBytes::from_text("wrong")})));
        CHECK(std::chrono::steady_clock::now() - asked >= failures * options.unlock_delay_step);
    }
    CHECK(std::holds_alternative<Success>(client.call(Unlock{SecretBytes::from_text("right")})));
}

namespace {

// The events a server reported, in order, with the key count of each; filled on the event loop.
struct ReportLog {
    std::mutex mutex;
    std::vector<std::pair<agent::ServerEvent, std::size_t>> events;

    std::function<void(agent::ServerEvent, std::size_t)> recorder()
    {
        return [this](agent::ServerEvent event, std::size_t keys) {
            std::lock_guard lock(mutex);
            events.emplace_back(event, keys);
        };
    }
    std::vector<std::pair<agent::ServerEvent, std::size_t>> snapshot()
    {
        std::lock_guard lock(mutex);
        return events;
    }
};

// Polls condition until it holds, for at most 5 s; returns whether it held.
template <class Condition>
bool eventually(Condition condition)
{
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!condition() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::yield();
    return condition();
}

}  // namespace

TEST_CASE("the server reports ready, each change of the key count, and stopping")
{
    using agent::ServerEvent;
    ReportLog log;
    agent::ServerOptions options;
    options.report = log.recorder();
    RunningServer server(options);
    {
        Client client(server.path());
        REQUIRE(std::holds_alternative<Success>(client.call(capture("add-ed25519"))));
        REQUIRE(std::holds_alternative<Success>(client.call(capture("add-ed25519"))));  // same key: no change
        CHECK(client.identity_count() == 1);
        REQUIRE(std::holds_alternative<Success>(client.call(capture("remove-all"))));
        CHECK(client.identity_count() == 0);
    }
    CHECK(server.stop() == 0);
    using Event = std::pair<ServerEvent, std::size_t>;
    CHECK(log.snapshot() == std::vector<Event>{{ServerEvent::ready, 0}, {ServerEvent::keys_changed, 1},
                                               {ServerEvent::keys_changed, 0}, {ServerEvent::stopping, 0}});
}

TEST_CASE("with a reload function SIGHUP applies its settings and keeps the keys; the server keeps serving")
{
    std::atomic<int> reloads = 0;
    agent::ServerOptions options;
    options.reload = [&reloads]() -> std::optional<agent::LiveSettings> {
        ++reloads;
        agent::LiveSettings settings;
        settings.default_lifetime = std::chrono::seconds(1);
        return settings;
    };
    RunningServer server(options);
    Client client(server.path());
    REQUIRE(std::holds_alternative<Success>(client.call(capture("add-ed25519"))));
    std::raise(SIGHUP);
    REQUIRE(eventually([&] { return reloads == 1; }));
    // The new default lifetime applies to the next key only: it goes, the first one stays.
    REQUIRE(std::holds_alternative<Success>(client.call(capture("add-ecdsa-256"))));
    CHECK(client.identity_count() == 2);
    CHECK(eventually([&] { return client.identity_count() == 1; }));
}

TEST_CASE("without a reload function SIGHUP stops the server, as in ssh-agent")
{
    RunningServer server;
    {
        Client client(server.path());
        CHECK(client.identity_count() == 0);
    }
    std::raise(SIGHUP);
    CHECK(server.wait() == 0);
}

TEST_CASE("connections beyond max_connections are closed unread, and accepted again once one ends")
{
    agent::ServerOptions options;
    options.max_connections = 2;
    RunningServer server(options);
    auto first = std::make_unique<Client>(server.path());
    Client second(server.path());
    CHECK(first->identity_count() == 0);
    CHECK(second.identity_count() == 0);
    Client third(server.path());
    CHECK_FALSE(third.receive().has_value());
    first.reset();
    bool served = false;
    for (int attempt = 0; attempt < 250 && !served; ++attempt) {  // until the server has seen `first` go
        Client next(server.path());  // closed unread, so the send may fail, while `first` is still counted
        served = next.try_send(RequestIdentities{}) && next.receive().has_value();
        if (!served)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    CHECK(served);
    CHECK(second.identity_count() == 0);
}

TEST_CASE("the connection limit is 1000 under the usual descriptor limit and grows with a higher one")
{
    CHECK(agent::connection_limit(0) == 1000);
    CHECK(agent::connection_limit(512) == 1000);
    CHECK(agent::connection_limit(1024) == 1000);
    CHECK(agent::connection_limit(1064) == 1000);
    CHECK(agent::connection_limit(1065) == 1001);
    CHECK(agent::connection_limit(20000) == 19936);
    CHECK(agent::connection_limit(SIZE_MAX) == SIZE_MAX - 64);
}

TEST_CASE("more_listeners: a second socket serves the same keys as the first")
{
    const fs::path second = fs::temp_directory_path() / ("latchkey-server-test-second-" + std::to_string(::getpid()));
    fs::remove(second);
    agent::ServerOptions options;
    options.more_listeners.push_back(platform::unix_socket_listener(listening_socket(second)));
    RunningServer server(options);
    Client first(server.path());
    Client other(second);
    REQUIRE(std::holds_alternative<Success>(first.call(capture("add-ed25519"))));
    CHECK(other.identity_count() == 1);
    REQUIRE(std::holds_alternative<Success>(other.call(capture("remove-all"))));
    CHECK(first.identity_count() == 0);
    CHECK(server.stop() == 0);
    fs::remove(second);
}

namespace {

// A hosted transport for tests: hands the server's answer function to the test, which calls it from its own
// threads as Pageant's window thread would. On destruction (the server stopping) it asks once more and
// records the reply, as a window thread caught in the middle of a request would.
struct HostedProbe {
    std::promise<agent::AnswerRequest> entry;
    std::promise<Bytes> reply_while_stopping;

    agent::HostedTransport transport()
    {
        return [this](agent::AnswerRequest answer) -> std::shared_ptr<void> {
            entry.set_value(answer);
            return std::shared_ptr<void>(nullptr, [this, answer](void*) {
                reply_while_stopping.set_value(answer(encode_request(RequestIdentities{}), agent::Peer{}));
            });
        };
    }
};

Reply ask(const agent::AnswerRequest& answer, const Request& request)
{
    auto reply = decode_reply(answer(encode_request(request), agent::Peer{0, 0, "a test's window client"}));
    REQUIRE(reply.has_value());
    return *reply;
}

}  // namespace

TEST_CASE("a hosted transport's requests share the keys of the connections, from several threads at once")
{
    HostedProbe probe;
    agent::ServerOptions options;
    options.hosted.push_back(probe.transport());
    RunningServer server(options);
    const agent::AnswerRequest answer = probe.entry.get_future().get();
    CHECK(std::holds_alternative<Success>(ask(answer, capture("add-ed25519"))));
    Client client(server.path());
    CHECK(client.identity_count() == 1);

    std::atomic<int> wrong = 0;
    std::vector<std::thread> threads;
    for (int thread = 0; thread < 4; ++thread) {
        threads.emplace_back([&] {
            for (int round = 0; round < 20; ++round) {
                Reply reply = ask(answer, RequestIdentities{});
                auto* listed = std::get_if<IdentitiesAnswer>(&reply);
                if (listed == nullptr || listed->identities.size() != 1)
                    ++wrong;
            }
        });
    }
    for (std::thread& thread : threads)
        thread.join();
    CHECK(wrong == 0);
    auto listed = std::get<IdentitiesAnswer>(ask(answer, RequestIdentities{}));
    CHECK(std::holds_alternative<SignResponse>(ask(answer, SignRequest{listed.identities[0].key_blob, Bytes{1, 2}, 0})));
    CHECK(std::holds_alternative<Success>(ask(answer, capture("remove-all"))));
    CHECK(client.identity_count() == 0);

    CHECK(server.stop() == 0);
    CHECK(probe.reply_while_stopping.get_future().get() == Bytes{5});  // SSH_AGENT_FAILURE, not a hang
}

TEST_CASE("a hosted transport's request for a confirm key goes through the askpass prompt")
{
    for (const auto& [body, signs] : {std::pair{"echo yes", true}, std::pair{"echo no", false}}) {
        CAPTURE(body);
        HostedProbe probe;
        agent::ServerOptions options = with_askpass(body, std::chrono::seconds(10));
        options.hosted.push_back(probe.transport());
        RunningServer server(options);
        const agent::AnswerRequest answer = probe.entry.get_future().get();
        REQUIRE(std::holds_alternative<Success>(ask(answer, capture("add-constrained-confirm"))));
        auto listed = std::get<IdentitiesAnswer>(ask(answer, RequestIdentities{}));
        Reply reply = ask(answer, SignRequest{listed.identities[0].key_blob, Bytes{1, 2, 3}, 0});
        CHECK(std::holds_alternative<SignResponse>(reply) == signs);
        CHECK(server.stop() == 0);
    }
}
