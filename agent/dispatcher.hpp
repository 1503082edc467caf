// The dispatcher: one decoded request plus its connection's context in, one reply out.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <shared_mutex>
#include <string>
#include <variant>

#include "agent/destination.hpp"
#include "agent/error.hpp"
#include "agent/fingerprint.hpp"
#include "agent/keystore.hpp"
#include "protocol/message.hpp"

namespace latchkey::agent {

// Who is at the other end of a connection, from the socket's peer credentials.
struct Peer {
    std::uint32_t uid = 0;
    std::int64_t pid = 0;     // 0 when the platform does not tell
    std::string executable;   // short process name, for logs and prompts; may be empty
};

// What the dispatcher knows about the connection a request came on. One request at a time per
// connection, so it needs no lock.
struct ConnectionContext {
    Peer peer;
    unsigned failed_unlocks = 0;  // wrong UNLOCK passphrases on this connection; the server delays by it
    BindState bind_state{};       // session-bind@openssh.com binds, for destination-constrained keys
};

// Most session binds one connection records (OpenSSH's AGENT_MAX_SESSION_IDS) and the longest
// session id accepted (AGENT_MAX_SID_LEN).
inline constexpr std::size_t max_session_binds = 16;
inline constexpr std::size_t max_session_id_size = 128;

struct DispatcherOptions {
    // Lifetime given to keys added without one (latchkeyd -t); none = keys live until removed.
    std::optional<std::chrono::seconds> default_lifetime;
    // Digest of the key fingerprints in logs (latchkeyd -E).
    FingerprintHash fingerprint_hash = FingerprintHash::sha256;
    // Askpass program for keys added with ssh-add -c; none = platform::find_askpass_program() at
    // each such signature.
    std::optional<std::string> askpass_program{};
    // Most identities (keys and certificates) held at once; adding another new one is refused and
    // logged (re-adding one already held is not).
    std::size_t max_identities = 1024;
};

// A signature that waits for the user (ssh-add -c): ask with `program` and `prompt`, then call
// finish(allowed) exactly once, on any thread, while the request's ConnectionContext is alive.
// finish signs (looking the key up again: it may have gone meanwhile) or refuses, and returns the
// reply bytes; errors become FAILURE and are logged there, as in handle_message.
struct PendingConfirmation {
    std::string program;
    std::string prompt;
    std::function<protocol::Bytes(bool allowed)> finish;
};

// The text of a confirmation prompt: the key's comment and fingerprint, the requesting process
// (its ancestry) and, on a bound connection, the host key's fingerprint, "(forwarded)" when the
// last bind is a forwarding one. Never fails.
std::string confirmation_prompt(std::string_view comment, std::string_view key_fingerprint,
                                std::string_view requester, std::optional<std::string> host_fingerprint,
                                bool forwarded);

// Thread-safe: requests from many connections may be handled at once on a worker pool. Signing
// runs outside the keystore lock, so a slow RSA signature never holds up another client.
class Dispatcher {
public:
    using ClockFunction = std::function<Clock::time_point()>;

    explicit Dispatcher(Keystore& keystore, DispatcherOptions options = {}, ClockFunction clock = Clock::now);

    // Answers one message body (a frame without its length). This is the one place where an error
    // becomes SSH_AGENT_FAILURE (or EXTENSION_FAILURE for a known extension) and is logged, with its
    // reason and never a secret. Never throws for anything a client sends; a full locked heap is
    // answered with FAILURE too.
    // Keys added with ssh-add -c are refused here: this caller cannot ask.
    protocol::Bytes handle_message(protocol::ByteView body, ConnectionContext& context);

    // As handle_message, except that a signature with a key added with ssh-add -c is not made yet
    // but returned as a PendingConfirmation for the caller to ask about. With no askpass program
    // the signature is refused (FAILURE, logged with what to install).
    std::variant<protocol::Bytes, PendingConfirmation> handle_message_or_confirm(protocol::ByteView body,
                                                                                 ConnectionContext& context);

    // Answers one decoded request, following OpenSSH's ssh-agent (REFERENCE.md). Fails with the
    // reason the request is refused.
    Result<protocol::Reply> handle(const protocol::Request& request, ConnectionContext& context);

    // The instant the next key expires, for the server's one expiry timer.
    std::optional<Clock::time_point> next_expiry() const;
    // Removes (and wipes) every key whose lifetime has ended; returns how many.
    std::size_t remove_expired();
    // Removes (and wipes) every key, e.g. on SIGUSR1 or shutdown; returns how many.
    std::size_t remove_all();

private:
    struct Visitor;
    // A sign request checked under the lock: the signer to use once the lock is released.
    struct SignPlan {
        std::shared_ptr<const SigningKey> signer;
        std::string key_name;  // "SHA256:… (comment)", for logs
        std::string comment;
        std::string fingerprint;
        bool needs_confirmation = false;
    };

    Result<protocol::Reply> sign(const protocol::SignRequest& request, const ConnectionContext& context);
    Result<SignPlan> plan_sign(const protocol::SignRequest& request, const ConnectionContext& context) const;
    static Result<protocol::Reply> sign_with(const SignPlan& plan, const protocol::SignRequest& request);
    Result<protocol::Reply> finish_sign(const protocol::SignRequest& request, const ConnectionContext& context,
                                        bool allowed) const;
    Result<PendingConfirmation> pending_confirmation(const protocol::Request& request, const SignPlan& plan,
                                                     ConnectionContext& context);
    protocol::Bytes answer(const protocol::Request& request, const std::function<Result<protocol::Reply>()>& work);
    std::string fingerprint_of(protocol::ByteView public_blob) const;

    mutable std::shared_mutex mutex_;  // guards keystore_
    Keystore& keystore_;
    DispatcherOptions options_;
    ClockFunction clock_;
};

}  // namespace latchkey::agent
