// Request handling with OpenSSH ssh-agent's semantics: one std::visit, one place that answers FAILURE.
#include "agent/dispatcher.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "agent/deferred_key.hpp"
#include "agent/extension_answers.hpp"
#include "agent/fingerprint.hpp"
#include "agent/host_names.hpp"
#include "agent/keyfiles/key_file.hpp"
#include "agent/keys/key_factory.hpp"
#include "agent/keys/verify.hpp"
#include "platform/askpass_program.hpp"
#include "platform/secure_memory.hpp"
#include "protocol/latchkey_extensions.hpp"

namespace latchkey::agent {

namespace {

// Extensions answered by this agent, as listed in the reply to "query".
const std::vector<std::string> supported_extensions = {
    std::string(protocol::query_extension_name),         std::string(protocol::session_bind_extension_name),
    std::string(protocol::status_extension_name),        std::string(protocol::list_details_extension_name),
    std::string(protocol::add_ppk_extension_name),       std::string(protocol::add_encrypted_extension_name),
    std::string(protocol::reencrypt_extension_name),     std::string(protocol::reencrypt_all_extension_name),
    std::string(protocol::list_extended_extension_name),
};

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
    return extension != nullptr && std::ranges::find(supported_extensions, extension->name) != supported_extensions.end();
}

// Requests that proceed while the agent is locked (everything else is refused).
bool allowed_while_locked(const protocol::Request& request)
{
    if (std::holds_alternative<protocol::Unlock>(request) || std::holds_alternative<protocol::RequestIdentities>(request))
        return true;
    const auto* extension = std::get_if<protocol::Extension>(&request);
    return extension != nullptr && (std::holds_alternative<protocol::SessionBind>(extension->body) ||
                                    extension->name == protocol::status_extension_name);
}

}  // namespace

struct Dispatcher::Visitor {
    Dispatcher& dispatcher;
    ConnectionContext& context;

    Keystore& keystore() const { return dispatcher.keystore_; }
    Clock::time_point now() const { return dispatcher.clock_(); }

    // The live identities this connection may see: none while locked, and destination-constrained keys
    // only where the connection's binds permit them.
    std::vector<const Identity*> visible_identities() const
    {
        std::vector<const Identity*> visible;
        if (keystore().locked())
            return visible;
        for (const Identity* identity : keystore().list(now()))
            if (destination_permitted(identity->constraints.destinations, context.bind_state, std::nullopt, unix_now()))
                visible.push_back(identity);
        return visible;
    }

    bool askpass_available() const
    {
        return dispatcher.options_.askpass_program.has_value() || platform::find_askpass_program().has_value();
    }

    // A latchkey extension's reply; its request must carry no contents.
    static Result<protocol::Reply> latchkey_extension(const protocol::Extension& request, protocol::Bytes contents)
    {
        const auto* body = std::get_if<protocol::OpaqueExtension>(&request.body);
        if (body == nullptr || !body->contents.empty())
            return fail(Error(ErrorCode::malformed, "extension " + request.name + " takes no contents"));
        return protocol::Reply(protocol::ExtensionResponse{request.name, std::move(contents)});
    }

    Result<protocol::Reply> operator()(const protocol::RequestIdentities&) const
    {
        protocol::IdentitiesAnswer answer;
        if (keystore().locked())
            return protocol::Reply(answer);
        for (const Identity* identity : visible_identities())
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
        LATCHKEY_TRY(std::shared_ptr<ShieldedKey> shielded,
                     ShieldedKey::make(private_key_encoding(request.key), std::move(signer),
                                       dispatcher.options_.keep_clear));
        Identity identity{.public_blob = std::move(blob),
                          .comment = request.comment,
                          .signer = shielded,
                          .constraints = std::move(constraints),
                          .encrypted_file = nullptr,
                          .shielded = shielded,
                          .sealed = std::nullopt};
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

    // Unlocking checks the passphrase outside the lock (Dispatcher::unlock); it never reaches the visitor.
    Result<protocol::Reply> operator()(const protocol::Unlock&) const
    {
        return fail(Error(ErrorCode::refused, "internal: unlock request routed to the locked path"));
    }

    Result<protocol::Reply> operator()(const protocol::Extension& request) const
    {
        if (std::holds_alternative<protocol::QueryExtension>(request.body))
            return protocol::Reply(protocol::QueryResponse{supported_extensions});
        if (const auto* bind = std::get_if<protocol::SessionBind>(&request.body))
            return session_bind(*bind);
        if (request.name == protocol::status_extension_name)
            return latchkey_extension(request, protocol::encode_agent_status(agent_status(
                                                   keystore(), now(), dispatcher.options_.daemon_pid,
                                                   dispatcher.options_.version)));
        if (request.name == protocol::list_details_extension_name)
            return latchkey_extension(request, protocol::encode_identity_details(
                                                   identity_details(visible_identities(), now(), askpass_available())));
        if (const auto* add = std::get_if<protocol::AddPpk>(&request.body))
            return add_key_file(add->file, "", add->constraints, true);
        if (const auto* add = std::get_if<protocol::AddEncrypted>(&request.body))
            return add_key_file(add->file, add->comment, add->constraints, false);
        if (const auto* reencrypt = std::get_if<protocol::ReencryptKey>(&request.body))
            return reencrypt_key(reencrypt->key_blob);
        if (std::holds_alternative<protocol::ReencryptAllKeys>(request.body))
            return reencrypt_all();
        if (std::holds_alternative<protocol::ListExtended>(request.body))
            return list_extended();
        return fail(Error(ErrorCode::unsupported, "unknown extension \"" + request.name + "\""));
    }

    // add-ppk (ppk_only) and add-encrypted: the key listed at once, decrypted at its first use.
    Result<protocol::Reply> add_key_file(const SecretBytes& file, const std::string& comment,
                                         const std::vector<protocol::Constraint>& requested, bool ppk_only) const
    {
        if (ppk_only && keyfiles::detect_key_file_format(file.view()) != keyfiles::KeyFileFormat::ppk)
            return fail(Error(ErrorCode::unsupported, "add-ppk with a file that is not a PuTTY .ppk file"));
        LATCHKEY_TRY(IdentityConstraints constraints, constraints_for(requested));
        LATCHKEY_TRY(Identity identity, identity_from_key_file(file, comment));
        identity.constraints = std::move(constraints);
        spdlog::info("added key {} ({}){}", dispatcher.fingerprint_of(identity.public_blob), identity.comment,
                     identity.signer ? "" : ", encrypted until its first use");
        keystore().add(std::move(identity));
        return protocol::Reply(protocol::Success{});
    }

    Result<protocol::Reply> reencrypt_key(const protocol::Bytes& key_blob) const
    {
        const Identity* identity = keystore().find(key_blob, now());
        if (identity == nullptr ||
            !destination_permitted(identity->constraints.destinations, context.bind_state, std::nullopt, unix_now()))
            return fail(Error(ErrorCode::not_found, "re-encrypt request for a key the agent does not hold"));
        if (!keystore().reencrypt(key_blob))
            return fail(Error(ErrorCode::refused, "key " + dispatcher.fingerprint_of(key_blob) +
                                                      " was not added encrypted, so it cannot be re-encrypted"));
        spdlog::info("re-encrypted key {}: its passphrase is asked at its next use", dispatcher.fingerprint_of(key_blob));
        return protocol::Reply(protocol::Success{});
    }

    // PuTTY's rule: failure only when there are keys and none of them could be re-encrypted.
    Result<protocol::Reply> reencrypt_all() const
    {
        ReencryptCount count = keystore().reencrypt_all();
        if (count.with_encrypted_file == 0 && count.cleartext_only != 0)
            return fail(Error(ErrorCode::refused, "no key was added encrypted, so none can be re-encrypted"));
        spdlog::info("re-encrypted {} key(s); {} added in clear stay decrypted", count.with_encrypted_file,
                     count.cleartext_only);
        return protocol::Reply(protocol::ReencryptAllAnswer{static_cast<std::uint32_t>(count.cleartext_only)});
    }

    Result<protocol::Reply> list_extended() const
    {
        protocol::ExtendedIdentitiesAnswer answer;
        for (const Identity* identity : visible_identities()) {
            std::uint32_t flags = 0;
            if (identity->encrypted_file)
                flags |= protocol::list_extended_has_encrypted_file;
            if (!identity->signer)
                flags |= protocol::list_extended_no_cleartext_key;
            answer.identities.push_back({identity->public_blob, identity->comment, flags});
        }
        return protocol::Reply(std::move(answer));
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
    if (const auto* unlock_request = std::get_if<protocol::Unlock>(&request))
        return unlock(*unlock_request, context);
    std::unique_lock lock(mutex_);
    keystore_.remove_expired(clock_());
    if (keystore_.locked() && !allowed_while_locked(request))
        return fail(Error(ErrorCode::agent_locked, "only UNLOCK is answered while the agent is locked"));
    return std::visit(Visitor{*this, context}, request);
}

Result<protocol::Reply> Dispatcher::unlock(const protocol::Unlock& request, ConnectionContext& context)
{
    std::optional<LockPassphrase> current;
    {
        std::shared_lock lock(mutex_);
        current = keystore_.current_lock();
    }
    if (!current)
        return fail(Error(ErrorCode::refused, "the agent is not locked"));
    // The KDF takes tens of milliseconds: other clients are served meanwhile.
    auto sealing_key = current->sealing_key(request.passphrase);
    if (!sealing_key) {
        if (sealing_key.error().code == ErrorCode::bad_passphrase)
            ++context.failed_unlocks;
        return fail(sealing_key.error());
    }
    std::unique_lock lock(mutex_);
    LATCHKEY_CHECK(keystore_.unlock_with(*current, *sealing_key, options_.keep_clear));
    context.failed_unlocks = 0;
    spdlog::info("agent unlocked");
    return protocol::Reply(protocol::Success{});
}

Result<protocol::Reply> Dispatcher::sign(const protocol::SignRequest& request, const ConnectionContext& context)
{
    LATCHKEY_TRY(SignPlan plan, plan_sign(request, context));
    if (plan.needs_confirmation)
        return fail(Error(ErrorCode::refused, "key " + key_name(plan) +
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
    SignPlan plan{identity->signer, identity->encrypted_file, identity->public_blob, identity->comment,
                  identity->constraints.confirm};
    if (!identity->constraints.destinations.empty()) {
        LATCHKEY_TRY(protocol::PublicKey key, protocol::decode_public_key(identity->public_blob));
        auto permitted = check_constrained_sign(identity->constraints.destinations, context.bind_state, key,
                                                request.data, unix_now());
        if (!permitted)
            return fail(Error(ErrorCode::refused, "destination-constrained key " + key_name(plan) + ": " +
                                                      permitted.error().detail));
    }
    return plan;
}

Result<protocol::Reply> Dispatcher::sign_with(const SignPlan& plan, const protocol::SignRequest& request) const
{
    if (!plan.signer)
        return fail(Error(ErrorCode::refused, "key " + key_name(plan) +
                                                  " is still encrypted (added deferred) and this caller cannot ask "
                                                  "for its passphrase"));
    LATCHKEY_TRY(protocol::Bytes signature, plan.signer->sign(request.data, request.flags));
    if (spdlog::should_log(spdlog::level::debug))
        spdlog::debug("signed with {}", key_name(plan));
    return protocol::Reply(protocol::SignResponse{std::move(signature)});
}

// A deferred key not decrypted yet asks for its passphrase first; then a key added with ssh-add -c
// asks for confirmation; then it signs.
Outcome Dispatcher::sign_or_prompt(const protocol::Request& request, ConnectionContext& context)
{
    const auto& sign_request = std::get<protocol::SignRequest>(request);
    Result<SignPlan> plan = plan_sign(sign_request, context);
    if (!plan)
        return refuse(request, plan.error());
    if (!plan->signer || plan->needs_confirmation) {
        Result<PendingPrompt> pending = plan->signer ? confirmation_prompt(request, *plan, context)
                                                     : passphrase_prompt(request, *plan, context);
        if (!pending)
            return refuse(request, pending.error());
        return std::move(*pending);
    }
    return answer(request, [&] { return sign_with(*plan, sign_request); });
}

Result<PendingPrompt> Dispatcher::prompt_for(std::string question, platform::AskpassPurpose purpose,
                                             const SignPlan& plan, const ConnectionContext& context) const
{
    std::optional<std::string> program;
    {
        std::shared_lock lock(mutex_);  // a configuration reload may replace it
        program = options_.askpass_program;
    }
    if (!program)
        program = platform::find_askpass_program();
    if (!program)
        return fail(Error(ErrorCode::refused, "key " + key_name(plan) +
                                                  (plan.signer ? " requires confirmation (ssh-add -c)"
                                                               : " is encrypted until its first use") +
                                                  " and there is no askpass program: install ssh-askpass (Debian: "
                                                  "apt-get install ssh-askpass) or set SSH_ASKPASS in latchkeyd's "
                                                  "environment"));
    std::optional<std::string> host;
    if (!context.bind_state.binds.empty()) {
        const protocol::PublicKey& host_key = context.bind_state.binds.back().host_key;
        host = describe_host_key(host_key, fingerprint_of(protocol::encode_public_key(host_key)),
                                 options_.known_hosts_files);
    }
    bool forwarded = !context.bind_state.binds.empty() && context.bind_state.binds.back().is_forwarding;
    std::string prompt = key_use_prompt(question, fingerprint_of(plan.public_blob), platform::process_ancestry(context.peer.pid),
                                        host, forwarded);
    return PendingPrompt{std::move(*program), std::move(prompt), purpose, {}, {}};
}

Result<PendingPrompt> Dispatcher::passphrase_prompt(const protocol::Request& request, const SignPlan& plan,
                                                    ConnectionContext& context)
{
    LATCHKEY_TRY(PendingPrompt pending, prompt_for("Enter passphrase to decrypt key " + plan.comment + ":",
                                                   platform::AskpassPurpose::passphrase, plan, context));
    pending.share_key = "passphrase " + fingerprint_of(plan.public_blob);
    pending.finish = [this, request, &context](const PromptAnswer& given) -> Outcome {
        auto decrypted = decrypt_deferred(std::get<protocol::SignRequest>(request), context, given);
        platform::wipe_stack_below();  // the key derivation and the decryption ran in the frames below
        if (!decrypted)
            return refuse(request, decrypted.error());
        return sign_or_prompt(request, context);
    };
    return pending;
}

Result<PendingPrompt> Dispatcher::confirmation_prompt(const protocol::Request& request, const SignPlan& plan,
                                                      ConnectionContext& context)
{
    LATCHKEY_TRY(PendingPrompt pending, prompt_for("Allow use of key " + plan.comment + "?",
                                                   platform::AskpassPurpose::confirm, plan, context));
    pending.finish = [this, request, &context](const PromptAnswer& given) -> Outcome {
        const auto& sign_request = std::get<protocol::SignRequest>(request);
        return answer(request, [&] { return finish_sign(sign_request, context, confirmation_allowed(given)); });
    };
    return pending;
}

// Decrypts the key of a sign request with the passphrase the user gave, unless a request that
// shared the prompt has already done it, and installs its signer.
Result<void> Dispatcher::decrypt_deferred(const protocol::SignRequest& request, const ConnectionContext& context,
                                          const PromptAnswer& answer)
{
    LATCHKEY_TRY(SignPlan plan, plan_sign(request, context));
    if (plan.signer || !plan.encrypted_file)
        return {};
    std::optional<SecretBytes> passphrase = passphrase_from(answer);
    if (!passphrase)
        return fail(Error(ErrorCode::refused, "no passphrase given for key " + key_name(plan) +
                                                  " (the askpass was cancelled, failed or timed out)"));
    auto signer = decrypt_key_file(*plan.encrypted_file, *passphrase, plan.public_blob);
    if (!signer)
        return fail(Error(signer.error().code, "cannot decrypt key " + key_name(plan) + ": " + signer.error().detail));
    std::unique_lock lock(mutex_);
    if (keystore_.install_signer(plan.public_blob, plan.encrypted_file.get(), std::move(*signer)))
        spdlog::info("decrypted key {} at its first use", key_name(plan));
    return {};
}

Result<protocol::Reply> Dispatcher::finish_sign(const protocol::SignRequest& request, const ConnectionContext& context,
                                                bool allowed) const
{
    LATCHKEY_TRY(SignPlan plan, plan_sign(request, context));
    if (!allowed)
        return fail(Error(ErrorCode::refused, "user refused the use of key " + key_name(plan)));
    spdlog::info("user confirmed the use of key {}", key_name(plan));
    return sign_with(plan, request);
}

std::string Dispatcher::key_name(const SignPlan& plan) const
{
    return fingerprint_of(plan.public_blob) + " (" + plan.comment + ")";
}

std::string Dispatcher::fingerprint_of(protocol::ByteView public_blob) const
{
    return fingerprint(public_blob, options_.fingerprint_hash);
}

std::optional<Clock::time_point> Dispatcher::shield_idle_keys() const
{
    std::shared_lock lock(mutex_);
    return keystore_.shield_idle(Clock::now());
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

std::size_t Dispatcher::reencrypt_or_remove_all(std::string_view reason)
{
    std::unique_lock lock(mutex_);
    ReencryptCount count = keystore_.reencrypt_or_remove_all();
    spdlog::info("{}: re-encrypted {} key(s) added encrypted, removed {} added in clear", reason,
                 count.with_encrypted_file, count.cleartext_only);
    return count.cleartext_only;
}

std::size_t Dispatcher::key_count() const
{
    std::shared_lock lock(mutex_);
    return keystore_.size();
}

void Dispatcher::set_defaults(std::optional<std::chrono::seconds> default_lifetime,
                              std::optional<std::string> askpass_program)
{
    std::unique_lock lock(mutex_);
    options_.default_lifetime = default_lifetime;
    options_.askpass_program = std::move(askpass_program);
}

protocol::Bytes Dispatcher::handle_message(protocol::ByteView body, ConnectionContext& context)
{
    auto request = protocol::decode_request(body);
    if (!request)
        return refuse_malformed(request.error());
    return answer(*request, [&] { return handle(*request, context); });
}

Outcome Dispatcher::handle_message_or_prompt(protocol::ByteView body, ConnectionContext& context)
{
    auto request = protocol::decode_request(body);
    if (!request)
        return refuse_malformed(request.error());
    if (!std::holds_alternative<protocol::SignRequest>(*request))
        return answer(*request, [&] { return handle(*request, context); });
    return sign_or_prompt(*request, context);
}

protocol::Bytes Dispatcher::answer(const protocol::Request& request,
                                   const std::function<Result<protocol::Reply>()>& work)
{
    Result<protocol::Reply> reply = fail(Error(ErrorCode::locked_memory_full));
    try {
        reply = work();
    } catch (const SecretHeapExhausted&) {
        reply = fail(Error(ErrorCode::locked_memory_full, "raise the locked heap size of latchkeyd (-O locked-memory=SIZE)"));
    }
    // Requests other than the frequent two (list, sign) may carry secrets (adds, lock passphrases) whose copies
    // the frames below may still hold. Keys built for a signature are wiped after by build_in_locked_heap.
    if (!std::holds_alternative<protocol::RequestIdentities>(request) &&
        !std::holds_alternative<protocol::SignRequest>(request))
        platform::wipe_stack_below();
    if (reply)
        return protocol::encode_reply(*reply);
    spdlog::warn("refused a request: {}", describe(reply.error()));
    if (is_known_extension(request))
        return protocol::encode_reply(protocol::ExtensionFailure{});
    return protocol::encode_reply(protocol::Failure{});
}

protocol::Bytes Dispatcher::refuse(const protocol::Request& request, const Error& error)
{
    return answer(request, [&]() -> Result<protocol::Reply> { return fail(error); });
}

bool may_take_long(protocol::ByteView body) noexcept
{
    if (body.empty())
        return false;
    switch (static_cast<protocol::MessageType>(body[0])) {
    case protocol::MessageType::add_identity:
    case protocol::MessageType::add_id_constrained:
    case protocol::MessageType::lock:
    case protocol::MessageType::unlock:
    case protocol::MessageType::extension:
        return true;
    case protocol::MessageType::sign_request: {
        protocol::WireReader request(body.subspan(1));
        auto key_blob = request.read_string();
        if (!key_blob)
            return false;
        protocol::WireReader key(*key_blob);
        auto type = key.read_string();
        if (!type)
            return false;
        std::string_view name(reinterpret_cast<const char*>(type->data()), type->size());
        return name.starts_with("ssh-rsa") || name.starts_with("ssh-dss");  // certificates of them too
    }
    default:
        return false;
    }
}

std::string key_use_prompt(std::string_view question, std::string_view key_fingerprint, std::string_view requester,
                           std::optional<std::string> host, bool forwarded)
{
    std::string prompt = std::string(question) + "\nKey fingerprint " + std::string(key_fingerprint) +
                         ".\nRequested by " + std::string(requester);
    if (host)
        prompt += (forwarded ? "\nforwarded from host " : "\nfor host ") + *host;
    return prompt;
}

}  // namespace latchkey::agent
