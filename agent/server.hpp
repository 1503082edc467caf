// The agent's event loop: accepts connections from a platform listener and answers requests.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/config.hpp"
#include "agent/dispatcher.hpp"
#include "platform/listener.hpp"
#include "platform/session_event.hpp"
#include "protocol/secret_bytes.hpp"
#include "protocol/wire.hpp"

namespace latchkey::agent {

// What the server tells its supervisor (systemd): serving has begun, the number of keys has changed, a
// configuration reload has begun, serving is ending.
enum class ServerEvent { ready, keys_changed, reloading, stopping };

// The settings a configuration reload may change while keys stay loaded.
struct LiveSettings {
    std::optional<std::chrono::seconds> default_lifetime;
    std::optional<std::string> askpass_program;
    std::chrono::steady_clock::duration confirm_timeout = std::chrono::seconds(60);
    // [[key]] tables new in the configuration (newly_listed_keys), to preload now.
    std::vector<PreloadKey> new_keys{};
};

// Follows the session's events on the event loop, calling on_event with each, until watching fails (logged)
// or the loop stops. latchkeyd on Linux follows logind (watch_session).
using SessionFollower = std::function<boost::asio::awaitable<void>(std::function<void(platform::SessionEvent)> on_event)>;

// config.toml's [session]: what the machine going to sleep and the session's screen lock do to the keys
// (followed only through `follow`; null = neither is), and after how long without a signature or an
// added key every key is removed.
struct SessionPolicy {
    SessionAction on_suspend = SessionAction::keep;
    SessionAction on_screen_lock = SessionAction::keep;
    SessionFollower follow;
    std::optional<std::chrono::steady_clock::duration> drop_after_idle;
};

// Answers one request that arrives as a whole message rather than on a byte stream (Pageant's window
// messages): takes the request body (type byte and payload, no length field) and who sent it (for logs and
// prompts), and returns the reply body, answered the way a connection's request is (slow requests on the
// pool, prompts on the event loop). Thread-safe; blocks the calling thread until the reply is ready, so it
// must not be called on the server's own threads. Each call is a connection of its own (no session binds
// carried over). Returns SSH_AGENT_FAILURE once the server is stopping. Throws std::bad_alloc only.
using AnswerRequest = std::function<protocol::Bytes(SecretBytes request, const Peer& peer)>;

// A transport the server hosts beside its listeners (platform::PageantWindow): made when the server is
// set up, given the function to answer its requests with, and destroyed (its threads joined) before the
// server stops; the server holds what it returns. May throw std::system_error, which serve() passes on.
using HostedTransport = std::function<std::shared_ptr<void>(AnswerRequest answer)>;

// Below the usual descriptor limit of 1024, so accept rarely hits EMFILE.
inline constexpr std::size_t default_max_connections = 1000;

struct ServerOptions {
    // Makes the listener to serve (platform::unix_socket_listener, the Windows pipe listener); required.
    platform::ListenerFactory listen;
    // Further listeners served the same way (on Windows, Pageant's pipe beside OpenSSH's).
    std::vector<platform::ListenerFactory> more_listeners{};
    // Transports that hand over whole requests instead of streams (on Windows, Pageant's window).
    std::vector<HostedTransport> hosted{};
    DispatcherOptions dispatcher;
    // Key files added deferred before the first connection is served (config.toml's [[key]] tables;
    // see preload_keys): a file that cannot be added is logged and skipped.
    std::vector<PreloadKey> preload;
    SessionPolicy session;
    // Threads that serve the connections: read, answer (signing included) and write; 0 = one per core.
    std::size_t worker_threads = 0;
    // How long an askpass prompt (ssh-add -c confirmation, deferred key passphrase) waits for the
    // user before it counts as refused.
    std::chrono::steady_clock::duration confirm_timeout = std::chrono::seconds(60);
    // How much longer the answer to each further wrong UNLOCK passphrase in a row on one connection
    // is held back (see unlock_delay); other connections are served meanwhile.
    std::chrono::steady_clock::duration unlock_delay_step = std::chrono::milliseconds(100);
    // Called on the event loop with each event and the number of keys then held; must not throw.
    std::function<void(ServerEvent, std::size_t key_count)> report;
    // If set, a reload event (SIGHUP) calls it (on the event loop) instead of stopping the server: it returns the settings
    // to use from now on, or nullopt to keep the current ones (having logged why). Must not throw.
    std::function<std::optional<LiveSettings>()> reload;
    // Most client connections served at once; a new one beyond it is closed unread (logged once
    // until the count drops). latchkeyd sets it with connection_limit.
    std::size_t max_connections = default_max_connections;
};

// ServerOptions::max_connections for a process allowed `descriptor_limit` open descriptors:
// default_max_connections, or more where the limit leaves room, keeping 64 descriptors for the listener, key
// files and askpass pipes. Never fails.
std::size_t connection_limit(std::size_t descriptor_limit) noexcept;

// Longest a wrong UNLOCK answer is held back.
inline constexpr std::chrono::steady_clock::duration unlock_delay_limit = std::chrono::seconds(10);

// How long the answer to a connection's `failures`-th wrong UNLOCK passphrase in a row waits:
// failures × step, at most unlock_delay_limit. Never fails.
std::chrono::steady_clock::duration unlock_delay(unsigned failures, std::chrono::steady_clock::duration step) noexcept;

// Serves the ssh-agent protocol on the listeners options.listen and options.more_listeners make, and to
// the transports options.hosted makes, until a stop event (SIGTERM, SIGINT; see platform::control_events)
// or, without options.reload, a reload event (SIGHUP) arrives; a drop-keys event (SIGUSR1) drops every key
// and keeps serving. The listeners have already refused peers of another user. Every key is wiped before
// it returns. Returns the process exit status (0 after a stop event). Throws std::system_error if the
// event loop, a listener or a hosted transport cannot be set up.
int serve(ServerOptions options);

}  // namespace latchkey::agent
