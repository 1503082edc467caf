// The dispatcher: one decoded request plus its connection's context in, one reply out.
#pragma once

#include <chrono>
#include <functional>
#include <optional>

#include "agent/error.hpp"
#include "agent/keystore.hpp"
#include "protocol/message.hpp"

namespace latchkey::agent {

// What the dispatcher knows about the connection a request came on. Grows with peer credentials
// and session binds (issue: destination restrictions).
struct ConnectionContext {};

struct DispatcherOptions {
    // Lifetime given to keys added without one (latchkeyd -t); none = keys live until removed.
    std::optional<std::chrono::seconds> default_lifetime;
};

class Dispatcher {
public:
    using ClockFunction = std::function<Clock::time_point()>;

    explicit Dispatcher(Keystore& keystore, DispatcherOptions options = {}, ClockFunction clock = Clock::now);

    // Answers one message body (a frame without its length). This is the one place where an error
    // becomes SSH_AGENT_FAILURE (or EXTENSION_FAILURE for a known extension) and is logged, with its
    // reason and never a secret. Never throws for anything a client sends; a full locked heap is
    // answered with FAILURE too.
    protocol::Bytes handle_message(protocol::ByteView body, ConnectionContext& context);

    // Answers one decoded request, following OpenSSH's ssh-agent (REFERENCE.md). Fails with the
    // reason the request is refused.
    Result<protocol::Reply> handle(const protocol::Request& request, ConnectionContext& context);

private:
    struct Visitor;

    Keystore& keystore_;
    DispatcherOptions options_;
    ClockFunction clock_;
};

}  // namespace latchkey::agent
