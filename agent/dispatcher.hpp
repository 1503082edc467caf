// The dispatcher: one decoded request plus its connection's context in, one reply out.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <shared_mutex>
#include <string>
#include <variant>
#include <vector>

#include "agent/destination.hpp"
#include "agent/error.hpp"
#include "agent/fingerprint.hpp"
#include "agent/keystore.hpp"
#include "agent/prompt_answer.hpp"
#include "platform/askpass_program.hpp"
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
    // How long a key stays clear after its last signature before it is shielded again
    // (latchkeyd -O shield-delay=...; 0 = after every signature).
    std::chrono::steady_clock::duration keep_clear = default_keep_clear;
    // Askpass program for keys added with ssh-add -c and the passphrases of deferred keys; none =
    // platform::find_askpass_program() at each such signature.
    std::optional<std::string> askpass_program{};
    // known_hosts files read at each confirmation prompt to name the bound host (latchkeyd:
    // default_known_hosts_files of its user); none = the prompt shows the host key's fingerprint.
    std::vector<std::string> known_hosts_files{};
    // What status@latchkey.invalid reports: the daemon's process id and version.
    std::uint32_t daemon_pid = 0;
    std::string version{};
    // Most identities (keys and certificates) held at once; adding another new one is refused and
    // logged (re-adding one already held is not).
    std::size_t max_identities = 1024;
};

struct PendingPrompt;
// What a request comes to: its reply bytes, or a question to put to the user first.
using Outcome = std::variant<protocol::Bytes, PendingPrompt>;

// A request that waits for the user: ask with `program`, `prompt` and `purpose`, then call
// finish(answer) once (or never: its client hung up), on any thread, while the request's ConnectionContext is alive.
// finish looks the key up again (it may have gone meanwhile) and returns the reply, or the next
// question (a deferred key added with ssh-add -c asks for its passphrase, then for confirmation);
// errors become FAILURE and are logged there, as in handle_message. Prompts with the same non-empty
// share_key ask the same thing (the passphrase of one deferred key) and may share one answer.
struct PendingPrompt {
    std::string program;
    std::string prompt;
    platform::AskpassPurpose purpose = platform::AskpassPurpose::confirm;
    std::string share_key;
    std::function<Outcome(const PromptAnswer&)> finish;
};

// True for a request that may take a millisecond or more to answer: adding a key (key checks, the KDFs
// of encrypted files), lock and unlock (the passphrase KDF), extensions (add-ppk, add-encrypted, the
// signature check of session-bind) and RSA or DSA signatures. The server answers these off the thread
// that serves other connections. A body that does not parse counts as quick (it is refused at once).
// Never fails.
bool may_take_long(protocol::ByteView body) noexcept;

// The text of a prompt about one use of a key: `question` (naming the key), the key's fingerprint,
// the requesting process (its ancestry) and, on a bound connection, the host (describe_host_key: its
// known_hosts names and fingerprint) — "for host …", or "forwarded from host …" when the last bind is
// a forwarding one, so the request comes from a process on that host. Never fails.
std::string key_use_prompt(std::string_view question, std::string_view key_fingerprint, std::string_view requester,
                           std::optional<std::string> host, bool forwarded);

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
    // Keys added with ssh-add -c, and deferred keys not decrypted yet, are refused here: this caller
    // cannot ask.
    protocol::Bytes handle_message(protocol::ByteView body, ConnectionContext& context);

    // As handle_message, except that a signature that needs the user is not made yet but returned as
    // a PendingPrompt for the caller to ask: the passphrase of a deferred key not decrypted yet, then
    // the confirmation of a key added with ssh-add -c. With no askpass program the signature is
    // refused (FAILURE, logged with what to install).
    Outcome handle_message_or_prompt(protocol::ByteView body, ConnectionContext& context);

    // Answers one decoded request, following OpenSSH's ssh-agent (REFERENCE.md). Fails with the
    // reason the request is refused.
    Result<protocol::Reply> handle(const protocol::Request& request, ConnectionContext& context);

    // Shields every key left unused for its keep-clear time (Keystore::shield_idle, on the real
    // clock); returns when to call again, nothing when every key is shielded.
    std::optional<Clock::time_point> shield_idle_keys() const;
    // The instant the next key expires, for the server's one expiry timer.
    std::optional<Clock::time_point> next_expiry() const;
    // Removes (and wipes) every key whose lifetime has ended; returns how many.
    std::size_t remove_expired();
    // Removes (and wipes) every key, e.g. on SIGUSR1 or shutdown; returns how many.
    std::size_t remove_all();
    // Keystore::reencrypt_or_remove_all, logged with `reason` (the session event); returns how many keys
    // were removed. Never fails.
    std::size_t reencrypt_or_remove_all(std::string_view reason);
    // How many keys are held, for status reports. Never fails.
    std::size_t key_count() const;
    // Replaces the lifetime given to keys added from now on and the askpass program (a configuration
    // reload); keys already held keep their constraints. Never fails.
    void set_defaults(std::optional<std::chrono::seconds> default_lifetime, std::optional<std::string> askpass_program);

private:
    struct Visitor;
    // A sign request checked under the lock: the signer to use once the lock is released. The key's
    // name for logs and prompts is made only when one is needed (key_name), not on every signature.
    struct SignPlan {
        std::shared_ptr<const SigningKey> signer;  // null: a deferred key not decrypted yet
        std::shared_ptr<const EncryptedKeyFile> encrypted_file;
        protocol::Bytes public_blob;
        std::string comment;
        bool needs_confirmation = false;
    };

    Result<protocol::Reply> sign(const protocol::SignRequest& request, const ConnectionContext& context);
    Result<protocol::Reply> unlock(const protocol::Unlock& request, ConnectionContext& context);
    Result<SignPlan> plan_sign(const protocol::SignRequest& request, const ConnectionContext& context) const;
    Result<protocol::Reply> sign_with(const SignPlan& plan, const protocol::SignRequest& request) const;
    std::string key_name(const SignPlan& plan) const;  // "SHA256:... (comment)", for logs and errors
    Outcome sign_or_prompt(const protocol::Request& request, ConnectionContext& context);
    Result<PendingPrompt> prompt_for(std::string question, platform::AskpassPurpose purpose, const SignPlan& plan,
                                     const ConnectionContext& context) const;
    Result<PendingPrompt> passphrase_prompt(const protocol::Request& request, const SignPlan& plan,
                                            ConnectionContext& context);
    Result<PendingPrompt> confirmation_prompt(const protocol::Request& request, const SignPlan& plan,
                                              ConnectionContext& context);
    Result<void> decrypt_deferred(const protocol::SignRequest& request, const ConnectionContext& context,
                                  const PromptAnswer& answer);
    Result<protocol::Reply> finish_sign(const protocol::SignRequest& request, const ConnectionContext& context,
                                        bool allowed) const;
    protocol::Bytes answer(const protocol::Request& request, const std::function<Result<protocol::Reply>()>& work);
    protocol::Bytes refuse(const protocol::Request& request, const Error& error);
    std::string fingerprint_of(protocol::ByteView public_blob) const;

    mutable std::shared_mutex mutex_;  // guards keystore_ and options_
    Keystore& keystore_;
    DispatcherOptions options_;
    ClockFunction clock_;
};

}  // namespace latchkey::agent
