// Request handling with OpenSSH ssh-agent's semantics: one std::visit, one place that answers FAILURE.
#include "agent/dispatcher.hpp"

#include <spdlog/spdlog.h>

#include "agent/fingerprint.hpp"
#include "agent/keys/key_factory.hpp"
#include "agent/keys/verify.hpp"
#include "platform/posix/askpass.hpp"

namespace latchkey::agent {

namespace {

// Extensions answered by this agent, as listed in the reply to "query".
const std::vector<std::string> supported_extensions = {std::string(protocol::query_extension_name),
                                                       std::string(protocol::session_bind_extension_name)};

// Wall-clock seconds, for host certificate validity.
std::uint64_t unix_now()
{
    auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(since_epoch).count());
}

// The host key of a session bind, with its signature over the session id (and, for a host
// certificate, the CA's signature) verified, as OpenSSH's sshkey_froms + sshkey_verify.
Result<protocol::PublicKey> verified_host_key(const protocol::SessionBind& bind)
{
    LATCHKEY_TRY(protocol::PublicKey key, protocol::decode_public_key(bind.host_key));
    if (const auto* certificate = std::get_if<protocol::Certificate>(&key))
        LATCHKEY_CHECK(verify_certificate(*certificate));
    LATCHKEY_CHECK(verify_signature(key, bind.signature, bind.session_id));
    return key;
}

// process_ext_session_bind's rules: nothing after an authentication bind; the same session id
// again is fine with the same key and refused with another; at most max_session_binds.
// Returns true if the bind is new and must be recorded.
Result<bool> check_new_bind(const BindState& state, const SessionBinding& bind)
{
    for (const SessionBinding& earlier : state.binds) {
        if (!earlier.is_forwarding)
            return fail(Error(ErrorCode::refused, "session bind on a connection already bound for authentication"));
        if (earlier.session_id == bind.session_id) {
            if (earlier.host_key == bind.host_key)
                return false;
            return fail(Error(ErrorCode::refused, "session id already bound to another host key"));
        }
    }
    if (state.binds.size() >= max_session_binds)
        return fail(Error(ErrorCode::refused, "too many session binds on this connection (" +
                                                  std::to_string(max_session_binds) + ", OpenSSH's limit)"));
    return true;
}

// The answer to a request that does not decode.
protocol::Bytes refuse_malformed(const protocol::Error& error)
{
    spdlog::warn("refused a malformed request: {}", protocol::describe(error));
    return protocol::encode_reply(protocol::Failure{});
}

bool is_known_extension(const protocol::Request& request)
{
    const auto* extension = std::get_if<protocol::Extension>(&request);
    if (extension == nullptr)
        return false;
    return extension->name == protocol::query_extension_name ||
           extension->name == protocol::session_bind_extension_name;
}

// Requests that proceed while the agent is locked (everything else is refused).
bool allowed_while_locked(const protocol::Request& request)
{
    if (std::holds_alternative<protocol::Unlock>(request) || std::holds_alternative<protocol::RequestIdentities>(request))
        return true;
    const auto* extension = std::get_if<protocol::Extension>(&request);
    return extension != nullptr && std::holds_alternative<protocol::SessionBind>(extension->body);
}

}  // namespace

struct Dispatcher::Visitor {
    Dispatcher& dispatcher;
    ConnectionContext& context;

    Keystore& keystore() const { return dispatcher.keystore_; }
    Clock::time_point now() const { return dispatcher.clock_(); }

    Result<protocol::Reply> operator()(const protocol::RequestIdentities&) const
    {
        protocol::IdentitiesAnswer answer;
        if (keystore().locked())
            return protocol::Reply(answer);
        for (const Identity* identity : keystore().list(now()))
            if (destination_permitted(identity->constraints.destinations, context.bind_state, std::nullopt, unix_now()))
                answer.identities.push_back({identity->public_blob, identity->comment});
        return protocol::Reply(std::move(answer));
    }

    Result<protocol::Reply> operator()(const protocol::AddIdentity& request) const
    {
        LATCHKEY_TRY(IdentityConstraints constraints, constraints_for(request.constraints));
        protocol::Bytes blob = protocol::encode_public_key(request.key.public_key);
        std::size_t most = dispatcher.options_.max_identities;
        if (keystore().size() >= most && keystore().find(blob, now()) == nullptr)
            return fail(Error(ErrorCode::refused, "the agent already holds " + std::to_string(most) +
                                                      " keys, the most it keeps; remove some (ssh-add -d, -D) first"));
        LATCHKEY_TRY(std::unique_ptr<SigningKey> signer, make_signing_key(request.key));
        Identity identity{std::move(blob), request.comment, std::shared_ptr<const SigningKey>(std::move(signer)),
                          std::move(constraints)};
        spdlog::info("added {} key {} ({})", protocol::key_type_name(request.key.public_key),
                     dispatcher.fingerprint_of(identity.public_blob), identity.comment);
        keystore().add(std::move(identity));
        return protocol::Reply(protocol::Success{});
    }

    Result<protocol::Reply> operator()(const protocol::RemoveIdentity& request) const
    {
        const Identity* identity = keystore().find(request.key_blob, now());
        if (identity != nullptr)  // a key hidden from this connection cannot be removed through it
            LATCHKEY_CHECK(destination_permitted(identity->constraints.destinations, context.bind_state,
                                                 std::nullopt, unix_now()));
        if (!keystore().remove(request.key_blob))
            return fail(Error(ErrorCode::not_found, "remove request for a key the agent does not hold"));
        spdlog::info("removed key {}", dispatcher.fingerprint_of(request.key_blob));
        return protocol::Reply(protocol::Success{});
    }

    Result<protocol::Reply> operator()(const protocol::RemoveAllIdentities&) const
    {
        std::size_t count = keystore().remove_all();
        spdlog::info("removed all {} keys", count);
        return protocol::Reply(protocol::Success{});
    }

    Result<protocol::Reply> operator()(const protocol::AddSmartcardKey&) const
    {
        return fail(Error(ErrorCode::unsupported, "PKCS#11 providers (ssh-add -s) are not supported yet"));
    }

    Result<protocol::Reply> operator()(const protocol::RemoveSmartcardKey&) const
    {
        return fail(Error(ErrorCode::unsupported, "PKCS#11 providers (ssh-add -e) are not supported yet"));
    }

    Result<protocol::Reply> operator()(const protocol::Lock& request) const
    {
        LATCHKEY_CHECK(keystore().lock(request.passphrase));
        spdlog::info("agent locked");
        return protocol::Reply(protocol::Success{});
    }

    Result<protocol::Reply> operator()(const protocol::Unlock& request) const
    {
        auto unlocked = keystore().unlock(request.passphrase);
        if (!unlocked) {
            if (unlocked.error().code == ErrorCode::bad_passphrase)
                ++context.failed_unlocks;
            return fail(unlocked.error());
        }
        context.failed_unlocks = 0;
        spdlog::info("agent unlocked");
        return protocol::Reply(protocol::Success{});
    }

    Result<protocol::Reply> operator()(const protocol::Extension& request) const
    {
        if (std::holds_alternative<protocol::QueryExtension>(request.body))
            return protocol::Reply(protocol::QueryResponse{supported_extensions});
        if (const auto* bind = std::get_if<protocol::SessionBind>(&request.body))
            return session_bind(*bind);
        return fail(Error(ErrorCode::unsupported, "unknown extension \"" + request.name + "\""));
    }

    // Signing takes the shared lock itself (Dispatcher::sign); it never reaches the visitor.
    Result<protocol::Reply> operator()(const protocol::SignRequest&) const
    {
        return fail(Error(ErrorCode::refused, "internal: sign request routed to the locked path"));
    }

    Result<protocol::Reply> operator()(const protocol::LegacyRequest& request) const
    {
        switch (request.type) {
        case protocol::MessageType::ssh1_request_rsa_identities:
            return protocol::Reply(protocol::Ssh1IdentitiesAnswer{});
        case protocol::MessageType::ssh1_remove_all_rsa_identities:  // OpenSSH treats it as remove-all
            return (*this)(protocol::RemoveAllIdentities{});
        default:
            return fail(Error(ErrorCode::unsupported, "SSH-1 request " + std::to_string(int(request.type))));
        }
    }

    Result<protocol::Reply> operator()(const protocol::UnknownRequest& request) const
    {
        return fail(Error(ErrorCode::unsupported, "unknown message type " + std::to_string(request.type)));
    }

    Result<protocol::Reply> session_bind(const protocol::SessionBind& request) const
    {
        context.bind_state.attempted = true;
        if (request.session_id.size() > max_session_id_size)
            return fail(Error(ErrorCode::malformed, "session id longer than 128 bytes"));
        LATCHKEY_TRY(protocol::PublicKey host_key, verified_host_key(request));
        SessionBinding bind{std::move(host_key), request.session_id, request.is_forwarding};
        LATCHKEY_TRY(bool is_new, check_new_bind(context.bind_state, bind));
        if (is_new)
            context.bind_state.binds.push_back(std::move(bind));
        spdlog::debug("session bound to host key {} ({})", dispatcher.fingerprint_of(request.host_key),
                      request.is_forwarding ? "forwarding" : "authentication");
        return protocol::Reply(protocol::Success{});
    }

    Result<IdentityConstraints> constraints_for(const std::vector<protocol::Constraint>& requested) const
    {
        IdentityConstraints constraints;
        if (dispatcher.options_.default_lifetime)
            constraints.expires_at = now() + *dispatcher.options_.default_lifetime;
        for (const auto& constraint : requested) {
            if (const auto* lifetime = std::get_if<protocol::LifetimeConstraint>(&constraint))
                constraints.expires_at = now() + std::chrono::seconds(lifetime->seconds);
            else if (std::holds_alternative<protocol::ConfirmConstraint>(constraint))
                constraints.confirm = true;
            else if (const auto* restrict = std::get_if<protocol::RestrictDestinationConstraint>(&constraint))
                constraints.destinations = restrict->constraints;
            else if (std::holds_alternative<protocol::MaxSignConstraint>(constraint))
                return fail(Error(ErrorCode::unsupported, "maxsign applies only to XMSS keys, which latchkey does not hold"));
            else
                return fail(Error(ErrorCode::unsupported, "security key providers (sk-provider) are not supported yet"));
        }
        return constraints;
    }
};

Dispatcher::Dispatcher(Keystore& keystore, DispatcherOptions options, ClockFunction clock)
    : keystore_(keystore), options_(std::move(options)), clock_(std::move(clock))
{
}

Result<protocol::Reply> Dispatcher::handle(const protocol::Request& request, ConnectionContext& context)
{
    if (const auto* sign_request = std::get_if<protocol::SignRequest>(&request))
        return sign(*sign_request, context);
    std::unique_lock lock(mutex_);
    keystore_.remove_expired(clock_());
    if (keystore_.locked() && !allowed_while_locked(request))
        return fail(Error(ErrorCode::agent_locked, "only UNLOCK is answered while the agent is locked"));
    return std::visit(Visitor{*this, context}, request);
}

Result<protocol::Reply> Dispatcher::sign(const protocol::SignRequest& request, const ConnectionContext& context)
{
    LATCHKEY_TRY(SignPlan plan, plan_sign(request, context));
    if (plan.needs_confirmation)
        return fail(Error(ErrorCode::refused, "key " + plan.key_name +
                                                  " requires confirmation (ssh-add -c), which this caller cannot ask for"));
    return sign_with(plan, request);
}

Result<Dispatcher::SignPlan> Dispatcher::plan_sign(const protocol::SignRequest& request,
                                                   const ConnectionContext& context) const
{
    std::shared_lock lock(mutex_);
    if (keystore_.locked())
        return fail(Error(ErrorCode::agent_locked, "only UNLOCK is answered while the agent is locked"));
    const Identity* identity = keystore_.find(request.key_blob, clock_());
    if (identity == nullptr)
        return fail(Error(ErrorCode::not_found, "sign request for a key the agent does not hold"));
    SignPlan plan{identity->signer, "", identity->comment, fingerprint_of(identity->public_blob),
                  identity->constraints.confirm};
    plan.key_name = plan.fingerprint + " (" + plan.comment + ")";
    if (!identity->constraints.destinations.empty()) {
        LATCHKEY_TRY(protocol::PublicKey key, protocol::decode_public_key(identity->public_blob));
        auto permitted = check_constrained_sign(identity->constraints.destinations, context.bind_state, key,
                                                request.data, unix_now());
        if (!permitted)
            return fail(Error(ErrorCode::refused, "destination-constrained key " + plan.key_name + ": " +
                                                      permitted.error().detail));
    }
    return plan;
}

Result<protocol::Reply> Dispatcher::sign_with(const SignPlan& plan, const protocol::SignRequest& request)
{
    LATCHKEY_TRY(protocol::Bytes signature, plan.signer->sign(request.data, request.flags));
    spdlog::debug("signed with {}", plan.key_name);
    return protocol::Reply(protocol::SignResponse{std::move(signature)});
}

Result<protocol::Reply> Dispatcher::finish_sign(const protocol::SignRequest& request, const ConnectionContext& context,
                                                bool allowed) const
{
    LATCHKEY_TRY(SignPlan plan, plan_sign(request, context));
    if (!allowed)
        return fail(Error(ErrorCode::refused, "user refused the use of key " + plan.key_name));
    spdlog::info("user confirmed the use of key {}", plan.key_name);
    return sign_with(plan, request);
}

Result<PendingConfirmation> Dispatcher::pending_confirmation(const protocol::Request& request, const SignPlan& plan,
                                                             ConnectionContext& context)
{
    std::optional<std::string> program = options_.askpass_program;
    if (!program)
        program = platform::find_askpass_program();
    if (!program)
        return fail(Error(ErrorCode::refused, "key " + plan.key_name +
                                                  " requires confirmation (ssh-add -c) and there is no askpass "
                                                  "program: install ssh-askpass (Debian: apt-get install "
                                                  "ssh-askpass) or set SSH_ASKPASS in latchkeyd's environment"));
    std::optional<std::string> host;
    if (!context.bind_state.binds.empty())
        host = fingerprint_of(protocol::encode_public_key(context.bind_state.binds.back().host_key));
    bool forwarded = !context.bind_state.binds.empty() && context.bind_state.binds.back().is_forwarding;
    std::string prompt = confirmation_prompt(plan.comment, plan.fingerprint,
                                             platform::process_ancestry(context.peer.pid), host, forwarded);
    auto finish = [this, request, &context](bool allowed) {
        const auto& sign_request = std::get<protocol::SignRequest>(request);
        return answer(request, [&] { return finish_sign(sign_request, context, allowed); });
    };
    return PendingConfirmation{std::move(*program), std::move(prompt), std::move(finish)};
}

std::string Dispatcher::fingerprint_of(protocol::ByteView public_blob) const
{
    return fingerprint(public_blob, options_.fingerprint_hash);
}

std::optional<Clock::time_point> Dispatcher::next_expiry() const
{
    std::shared_lock lock(mutex_);
    return keystore_.next_expiry();
}

std::size_t Dispatcher::remove_expired()
{
    std::unique_lock lock(mutex_);
    std::size_t removed = keystore_.remove_expired(clock_());
    if (removed != 0)
        spdlog::info("{} key(s) reached the end of their lifetime and were removed", removed);
    return removed;
}

std::size_t Dispatcher::remove_all()
{
    std::unique_lock lock(mutex_);
    return keystore_.remove_all();
}

protocol::Bytes Dispatcher::handle_message(protocol::ByteView body, ConnectionContext& context)
{
    auto request = protocol::decode_request(body);
    if (!request)
        return refuse_malformed(request.error());
    return answer(*request, [&] { return handle(*request, context); });
}

std::variant<protocol::Bytes, PendingConfirmation> Dispatcher::handle_message_or_confirm(protocol::ByteView body,
                                                                                         ConnectionContext& context)
{
    auto request = protocol::decode_request(body);
    if (!request)
        return refuse_malformed(request.error());
    const auto* sign_request = std::get_if<protocol::SignRequest>(&*request);
    if (sign_request == nullptr)
        return answer(*request, [&] { return handle(*request, context); });
    Result<SignPlan> plan = plan_sign(*sign_request, context);
    if (!plan)
        return answer(*request, [&]() -> Result<protocol::Reply> { return fail(plan.error()); });
    if (!plan->needs_confirmation)
        return answer(*request, [&] { return sign_with(*plan, *sign_request); });
    Result<PendingConfirmation> pending = pending_confirmation(*request, *plan, context);
    if (!pending)
        return answer(*request, [&]() -> Result<protocol::Reply> { return fail(pending.error()); });
    return std::move(*pending);
}

protocol::Bytes Dispatcher::answer(const protocol::Request& request,
                                   const std::function<Result<protocol::Reply>()>& work)
{
    Result<protocol::Reply> reply = fail(Error(ErrorCode::locked_memory_full));
    try {
        reply = work();
    } catch (const SecretHeapExhausted&) {
        reply = fail(Error(ErrorCode::locked_memory_full, "raise the locked heap size of latchkeyd"));
    }
    if (reply)
        return protocol::encode_reply(*reply);
    spdlog::warn("refused a request: {}", describe(reply.error()));
    if (is_known_extension(request))
        return protocol::encode_reply(protocol::ExtensionFailure{});
    return protocol::encode_reply(protocol::Failure{});
}

std::string confirmation_prompt(std::string_view comment, std::string_view key_fingerprint,
                                std::string_view requester, std::optional<std::string> host_fingerprint,
                                bool forwarded)
{
    std::string prompt = "Allow use of key " + std::string(comment) + "?\nKey fingerprint " +
                         std::string(key_fingerprint) + ".\nRequested by " + std::string(requester);
    if (host_fingerprint)
        prompt += "\nfor host key " + *host_fingerprint + (forwarded ? " (forwarded)" : "");
    return prompt;
}

}  // namespace latchkey::agent
