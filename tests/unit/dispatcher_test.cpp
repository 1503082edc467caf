// Dispatcher tests: requests captured from a real ssh-add, answers checked against OpenSSH's behaviour,
// and every signature verified by ssh-keygen.
#include <doctest/doctest.h>

#include "agent/deferred_key.hpp"
#include "agent/dispatcher.hpp"
#include "agent/extension_answers.hpp"
#include "protocol/key_blob.hpp"
#include "protocol/latchkey_extensions.hpp"
#include "tests/support/openssh_private_key.hpp"
#include "tests/support/ssh_keygen_verifier.hpp"
#include "tests/support/test_data.hpp"

using namespace latchkey;
using namespace latchkey::protocol;
using latchkey::test::data_dir;
using latchkey::test::read_file;

namespace {

// A dispatcher over a fresh keystore, with a clock the test moves by hand.
struct Agent {
    agent::Keystore keystore;
    agent::Clock::time_point now = agent::Clock::time_point(std::chrono::hours(1000));
    agent::Dispatcher dispatcher;
    agent::ConnectionContext context;

    explicit Agent(agent::DispatcherOptions options = {}) : dispatcher(keystore, options, [this] { return now; }) {}

    Reply send(const Request& request)
    {
        SecretBytes body = encode_request(request);
        return send_bytes(body.view());
    }

    Reply send_bytes(ByteView body)
    {
        Bytes answer = dispatcher.handle_message(body, context);
        auto reply = decode_reply(answer);
        REQUIRE(reply.has_value());
        return *reply;
    }

    Reply send_capture(const std::string& name) { return send_bytes(read_file(data_dir / "captures" / (name + ".bin"))); }

    std::vector<Identity> identities()
    {
        Reply reply = send(RequestIdentities{});
        REQUIRE(std::holds_alternative<IdentitiesAnswer>(reply));
        return std::get<IdentitiesAnswer>(reply).identities;
    }

    std::optional<Bytes> sign(ByteView key_blob, ByteView data, std::uint32_t flags = 0)
    {
        Reply reply = send(SignRequest{Bytes(key_blob.begin(), key_blob.end()), Bytes(data.begin(), data.end()), flags});
        if (auto* response = std::get_if<SignResponse>(&reply))
            return response->signature;
        CHECK(std::holds_alternative<Failure>(reply));
        return std::nullopt;
    }
};

Bytes key_blob(const std::string& name)
{
    return test::public_blob_from_file(data_dir / "keys" / (name + ".pub"));
}

Bytes cert_blob(const std::string& name)
{
    return test::public_blob_from_file(data_dir / "keys" / (name + "-cert.pub"));
}

std::string signature_algorithm(ByteView signature)
{
    WireReader reader(signature);
    auto name = reader.read_text();
    REQUIRE(name.has_value());
    return *name;
}

const Bytes message = {'h', 'e', 'l', 'l', 'o', ' ', 'a', 'g', 'e', 'n', 't'};

}  // namespace

TEST_CASE("every key type ssh-add sends is added, listed with its comment, and signs verifiably")
{
    for (const auto& name : test::key_names) {
        CAPTURE(name);
        Agent agent;
        REQUIRE(std::holds_alternative<Success>(agent.send_capture("add-" + name)));
        auto identities = agent.identities();
        REQUIRE(identities.size() == 1);
        CHECK(identities[0].key_blob == key_blob(name));
        CHECK(identities[0].comment == "latchkey-test-" + name);

        Reply captured_sign = agent.send_capture("sign-" + name);
        CHECK(std::holds_alternative<SignResponse>(captured_sign));

        std::uint32_t flags = name.starts_with("rsa") ? sign_flag_rsa_sha2_512 : 0;
        auto signature = agent.sign(key_blob(name), test::sshsig_signed_data(message), flags);
        REQUIRE(signature.has_value());
        CHECK(test::ssh_keygen_verifies(key_blob(name), *signature, message));
        Bytes other = message;
        other.back() ^= 1;
        CHECK_FALSE(test::ssh_keygen_verifies(key_blob(name), *signature, other));
    }
}

TEST_CASE("RSA sign flags choose ssh-rsa, rsa-sha2-256 or rsa-sha2-512")
{
    Agent agent;
    REQUIRE(std::holds_alternative<Success>(agent.send_capture("add-rsa-2048")));
    Bytes blob = key_blob("rsa-2048");
    CHECK(signature_algorithm(*agent.sign(blob, message, 0)) == "ssh-rsa");
    auto sha256 = agent.sign(blob, test::sshsig_signed_data(message), sign_flag_rsa_sha2_256);
    CHECK(signature_algorithm(*sha256) == "rsa-sha2-256");
    CHECK(test::ssh_keygen_verifies(blob, *sha256, message));
    CHECK(signature_algorithm(*agent.sign(blob, message, sign_flag_rsa_sha2_512)) == "rsa-sha2-512");
}

TEST_CASE("a certificate is its own identity and signs with its key")
{
    for (const auto& name : test::key_names) {
        CAPTURE(name);
        Agent agent;
        REQUIRE(std::holds_alternative<Success>(agent.send_capture("add-" + name)));
        REQUIRE(std::holds_alternative<Success>(agent.send_capture("add-" + name + "-cert")));
        auto identities = agent.identities();
        REQUIRE(identities.size() == 2);
        CHECK(identities[1].key_blob == cert_blob(name));

        std::uint32_t flags = name.starts_with("rsa") ? sign_flag_rsa_sha2_256 : 0;
        auto signature = agent.sign(cert_blob(name), test::sshsig_signed_data(message), flags);
        REQUIRE(signature.has_value());
        CHECK(test::ssh_keygen_verifies(cert_blob(name), *signature, message));

        // Removing the certificate leaves the key, as OpenSSH does.
        RemoveIdentity remove{cert_blob(name)};
        CHECK(std::holds_alternative<Success>(agent.send(remove)));
        REQUIRE(agent.identities().size() == 1);
        CHECK(agent.identities()[0].key_blob == key_blob(name));
    }
}

TEST_CASE("a private key that does not match its public half is refused")
{
    Bytes capture = read_file(data_dir / "captures" / "add-ed25519.bin");
    auto request = decode_request(capture);
    REQUIRE(request.has_value());
    auto& add = std::get<AddIdentity>(*request);
    auto& secret = std::get<Ed25519Secret>(add.key.secret);
    secret.seed_and_public[0] ^= 0x01;  // another seed: derives another public key

    Agent agent;
    CHECK(std::holds_alternative<Failure>(agent.send(add)));
    CHECK(agent.identities().empty());
}

TEST_CASE("remove, remove-all and the legacy SSH-1 remove-all")
{
    Agent agent;
    REQUIRE(std::holds_alternative<Success>(agent.send_capture("add-ed25519")));
    REQUIRE(std::holds_alternative<Success>(agent.send_capture("add-ecdsa-256")));
    CHECK(std::holds_alternative<Success>(agent.send_capture("remove")));
    CHECK(agent.identities().size() == 1);
    CHECK(std::holds_alternative<Failure>(agent.send_capture("remove")));  // already gone

    CHECK(std::holds_alternative<Success>(agent.send_capture("remove-all")));
    CHECK(agent.identities().empty());

    REQUIRE(std::holds_alternative<Success>(agent.send_capture("add-ed25519")));
    CHECK(std::holds_alternative<Success>(agent.send_capture("remove-all-ssh1")));
    CHECK(agent.identities().empty());
}

TEST_CASE("a key with a lifetime disappears when it expires, and the default lifetime applies")
{
    Agent agent;
    REQUIRE(std::holds_alternative<Success>(agent.send_capture("add-constrained-lifetime")));
    agent.now += std::chrono::seconds(599);
    CHECK(agent.identities().size() == 1);
    agent.now += std::chrono::seconds(1);
    CHECK(agent.identities().empty());
    CHECK_FALSE(agent.sign(key_blob("ed25519"), message).has_value());
    CHECK(agent.keystore.size() == 0);

    Agent defaulted(agent::DispatcherOptions{std::chrono::seconds(60)});
    REQUIRE(std::holds_alternative<Success>(defaulted.send_capture("add-ed25519")));
    REQUIRE(defaulted.keystore.next_expiry().has_value());
    CHECK(*defaulted.keystore.next_expiry() == defaulted.now + std::chrono::seconds(60));
}

TEST_CASE("a confirm key is held but handle_message, which cannot ask, refuses to sign with it")
{
    Agent agent;
    REQUIRE(std::holds_alternative<Success>(agent.send_capture("add-constrained-confirm")));
    CHECK(agent.identities().size() == 1);
    CHECK_FALSE(agent.sign(key_blob("ed25519"), message).has_value());
}

TEST_CASE("a destination-constrained key does not sign on an unbound connection")
{
    Agent agent;
    REQUIRE(std::holds_alternative<Success>(agent.send_capture("add-destination")));
    CHECK(agent.identities().size() == 1);
    CHECK_FALSE(agent.sign(key_blob("ed25519"), message).has_value());
}

namespace {

// The outcome of handle_message_or_prompt for a sign request with the ed25519 key.
agent::Outcome sign_or_confirm(Agent& agent)
{
    SecretBytes body = encode_request(SignRequest{key_blob("ed25519"), message, 0});
    return agent.dispatcher.handle_message_or_prompt(body.view(), agent.context);
}

// An askpass answer: exit status and output.
agent::PromptAnswer answer_of(int status, std::string_view output = "")
{
    return agent::PromptAnswer{status, SecretBytes::from_text(output)};
}

// The reply bytes of an outcome that must be a reply.
Bytes reply_bytes(const agent::Outcome& outcome)
{
    REQUIRE(std::holds_alternative<Bytes>(outcome));
    return std::get<Bytes>(outcome);
}

Reply decoded(const Bytes& answer)
{
    auto reply = decode_reply(answer);
    REQUIRE(reply.has_value());
    return *reply;
}

}  // namespace

TEST_CASE("a confirm key's signature waits for finish: yes signs, no refuses, a key removed meanwhile fails")
{
    agent::DispatcherOptions options;
    options.askpass_program = "/bin/true";
    Agent agent(options);
    REQUIRE(std::holds_alternative<Success>(agent.send_capture("add-constrained-confirm")));
    auto outcome = sign_or_confirm(agent);
    REQUIRE(std::holds_alternative<agent::PendingPrompt>(outcome));
    auto& pending = std::get<agent::PendingPrompt>(outcome);
    CHECK(pending.program == "/bin/true");
    CHECK(pending.purpose == platform::AskpassPurpose::confirm);
    CHECK(pending.prompt.find("latchkey-test-ed25519") != std::string::npos);
    CHECK(pending.prompt.find("SHA256:") != std::string::npos);
    CHECK(pending.prompt.find("Requested by") != std::string::npos);
    CHECK(std::holds_alternative<SignResponse>(decoded(reply_bytes(pending.finish(answer_of(0))))));
    CHECK(std::holds_alternative<Failure>(decoded(reply_bytes(pending.finish(answer_of(1))))));
    REQUIRE(std::holds_alternative<Success>(agent.send(RemoveAllIdentities{})));
    CHECK(std::holds_alternative<Failure>(decoded(reply_bytes(pending.finish(answer_of(0))))));
}

TEST_CASE("handle_message_or_prompt answers other requests and unconfirmed keys at once")
{
    Agent agent;
    REQUIRE(std::holds_alternative<Success>(agent.send_capture("add-ed25519")));
    auto outcome = sign_or_confirm(agent);
    REQUIRE(std::holds_alternative<Bytes>(outcome));
    CHECK(std::holds_alternative<SignResponse>(decoded(std::get<Bytes>(outcome))));
    SecretBytes list = encode_request(RequestIdentities{});
    auto listed = agent.dispatcher.handle_message_or_prompt(list.view(), agent.context);
    REQUIRE(std::holds_alternative<Bytes>(listed));
    CHECK(std::holds_alternative<IdentitiesAnswer>(decoded(std::get<Bytes>(listed))));
}

TEST_CASE("a key-use prompt names the key, the requester and a bound host")
{
    CHECK(agent::key_use_prompt("Allow use of key me@laptop?", "SHA256:abc", "ssh (pid 12) ← bash (pid 10)",
                                std::nullopt, false) ==
          "Allow use of key me@laptop?\nKey fingerprint SHA256:abc.\nRequested by ssh (pid 12) ← bash (pid 10)");
    std::string bound = agent::key_use_prompt("q", "SHA256:abc", "ssh (pid 12)", "host1 (SHA256:host)", true);
    CHECK(bound.ends_with("\nforwarded from host host1 (SHA256:host)"));
    CHECK(agent::key_use_prompt("q", "f", "r", "host1 (SHA256:host)", false).ends_with("\nfor host host1 (SHA256:host)"));
}

TEST_CASE("lock hides keys and refuses everything but unlock; a wrong passphrase keeps it locked")
{
    Agent agent;
    REQUIRE(std::holds_alternative<Success>(agent.send_capture("add-ed25519")));
    CHECK(std::holds_alternative<Success>(agent.send_capture("lock")));
    CHECK(agent.identities().empty());
    CHECK_FALSE(agent.sign(key_blob("ed25519"), message).has_value());
    CHECK(std::holds_alternative<Failure>(agent.send_capture("add-ecdsa-256")));
    CHECK(std::holds_alternative<Failure>(agent.send_capture("lock")));

    CHECK(std::holds_alternative<Failure>(agent.send(Unlock{SecretBytes::from_text("wrong")})));
    CHECK(agent.context.failed_unlocks == 1);
    CHECK(agent.identities().empty());

    CHECK(std::holds_alternative<Success>(agent.send_capture("unlock")));
    CHECK(agent.identities().size() == 1);
    CHECK(std::holds_alternative<Failure>(agent.send_capture("unlock")));  // not locked any more
    CHECK(std::holds_alternative<Failure>(agent.send(Lock{SecretBytes()})));  // empty passphrase
}

TEST_CASE("a passphrase checked against an earlier lock does not unlock a later one")
{
    Agent agent;
    REQUIRE(std::holds_alternative<Success>(agent.send_capture("add-ed25519")));
    REQUIRE(agent.keystore.lock(SecretBytes::from_text("first")));
    const auto first = agent.keystore.current_lock();
    REQUIRE(first.has_value());
    const auto first_key = first->sealing_key(SecretBytes::from_text("first"));
    REQUIRE(first_key);
    REQUIRE(agent.keystore.unlock(SecretBytes::from_text("first")));
    REQUIRE(agent.keystore.lock(SecretBytes::from_text("second")));

    auto stale = agent.keystore.unlock_with(*first, *first_key);
    REQUIRE_FALSE(stale);
    CHECK(stale.error().code == agent::ErrorCode::refused);
    CHECK(agent.keystore.locked());
    CHECK(std::holds_alternative<Failure>(agent.send(Unlock{SecretBytes::from_text("first")})));
    CHECK(std::holds_alternative<Success>(agent.send(Unlock{SecretBytes::from_text("second")})));
    CHECK(agent.identities().size() == 1);
}

TEST_CASE("locking seals every key and drops its signer; unlocking rebuilds them and they sign verifiably")
{
    Agent agent;
    for (const auto& name : test::key_names) {
        REQUIRE(std::holds_alternative<Success>(agent.send_capture("add-" + name)));
        REQUIRE(std::holds_alternative<Success>(agent.send_capture("add-" + name + "-cert")));
    }
    const std::size_t count = 2 * test::key_names.size();
    CHECK(std::holds_alternative<Success>(agent.send_capture("lock")));
    auto held = agent.keystore.list(agent.now);
    REQUIRE(held.size() == count);
    for (const agent::Identity* identity : held) {
        CHECK(identity->signer == nullptr);
        CHECK(identity->shielded == nullptr);
        REQUIRE(identity->sealed.has_value());
        CHECK(identity->sealed->ciphertext.size() > 32);
    }

    CHECK(std::holds_alternative<Success>(agent.send_capture("unlock")));
    REQUIRE(agent.identities().size() == count);
    for (const auto& name : test::key_names) {
        CAPTURE(name);
        std::uint32_t flags = name.starts_with("rsa") ? sign_flag_rsa_sha2_512 : 0;
        for (const Bytes& blob : {key_blob(name), cert_blob(name)}) {
            auto signature = agent.sign(blob, test::sshsig_signed_data(message), flags);
            REQUIRE(signature.has_value());
            CHECK(test::ssh_keygen_verifies(blob, *signature, message));
        }
    }
    for (const agent::Identity* identity : agent.keystore.list(agent.now)) {
        CHECK_FALSE(identity->sealed.has_value());
        CHECK(identity->shielded != nullptr);
    }
}

TEST_CASE("extensions: query lists what is supported, unknown ones fail, a bad session-bind gets EXTENSION_FAILURE")
{
    Agent agent;
    Reply query = agent.send(Extension{std::string(query_extension_name), QueryExtension{}});
    REQUIRE(std::holds_alternative<QueryResponse>(query));
    CHECK(std::get<QueryResponse>(query).extensions ==
          std::vector<std::string>{"query", "session-bind@openssh.com", "status@latchkey.invalid",
                                   "list-details@latchkey.invalid", "add-ppk@putty.projects.tartarus.org",
                                   "add-encrypted@latchkey.invalid", "reencrypt@putty.projects.tartarus.org",
                                   "reencrypt-all@putty.projects.tartarus.org",
                                   "list-extended@putty.projects.tartarus.org"});

    CHECK(std::holds_alternative<Failure>(agent.send(Extension{"nonsense@example.com", OpaqueExtension{}})));
    Reply bind = agent.send(Extension{std::string(session_bind_extension_name), SessionBind{key_blob("ed25519"), Bytes(32, 1), Bytes(8, 2), false}});
    CHECK(std::holds_alternative<ExtensionFailure>(bind));
}

// The contents of a latchkey extension's reply, or nullopt (and the reply checked) if it failed.
std::optional<Bytes> latchkey_extension(Agent& agent, std::string_view name)
{
    Reply reply = agent.send(Extension{std::string(name), OpaqueExtension{}});
    if (auto* response = std::get_if<ExtensionResponse>(&reply)) {
        CHECK(response->name == name);
        return response->contents;
    }
    CHECK(std::holds_alternative<ExtensionFailure>(reply));
    return std::nullopt;
}

TEST_CASE("status@latchkey.invalid: pid, version, key count and lock state, answered while locked")
{
    agent::DispatcherOptions options;
    options.daemon_pid = 4242;
    options.version = "9.9.9";
    Agent agent(options);
    REQUIRE(std::holds_alternative<Success>(agent.send_capture("add-ed25519")));
    REQUIRE(std::holds_alternative<Success>(agent.send_capture("add-ecdsa-256")));
    auto status = decode_agent_status(latchkey_extension(agent, status_extension_name).value());
    REQUIRE(status);
    CHECK(*status == AgentStatus{4242, "9.9.9", 2, false});

    REQUIRE(std::holds_alternative<Success>(agent.send_capture("lock")));
    status = decode_agent_status(latchkey_extension(agent, status_extension_name).value());
    REQUIRE(status);
    CHECK(*status == AgentStatus{4242, "9.9.9", 2, true});
    CHECK_FALSE(latchkey_extension(agent, list_details_extension_name).has_value());

    SecretBytes with_contents = encode_request(Extension{std::string(status_extension_name), OpaqueExtension{Bytes{1}}});
    CHECK(std::holds_alternative<ExtensionFailure>(agent.send_bytes(with_contents.view())));
}

TEST_CASE("list-details@latchkey.invalid: lifetime left, confirm, destinations, state, in list order")
{
    agent::DispatcherOptions options;
    options.askpass_program = "/bin/true";
    Agent agent(options);
    REQUIRE(std::holds_alternative<Success>(agent.send_capture("add-ecdsa-256")));
    REQUIRE(std::holds_alternative<Success>(agent.send_capture("add-destination-lifetime-confirm")));
    agent.now += std::chrono::milliseconds(1500);
    auto details = decode_identity_details(latchkey_extension(agent, list_details_extension_name).value());
    REQUIRE(details);
    std::vector<Identity> listed = agent.identities();
    REQUIRE(details->size() == 2);
    REQUIRE(listed.size() == 2);
    for (std::size_t i = 0; i < listed.size(); ++i) {
        CHECK((*details)[i].key_blob == listed[i].key_blob);
        CHECK((*details)[i].comment == listed[i].comment);
        CHECK((*details)[i].state == KeyState::decrypted);
        CHECK_FALSE((*details)[i].confirm_without_askpass);
    }
    CHECK_FALSE((*details)[0].seconds_left.has_value());
    CHECK_FALSE((*details)[0].confirm);
    CHECK((*details)[0].destinations.empty());
    CHECK((*details)[1].seconds_left == 599u);  // 598.5 s left, rounded up
    CHECK((*details)[1].confirm);
    REQUIRE((*details)[1].destinations.size() == 1);
    CHECK((*details)[1].destinations[0].to.user == "alice");
    CHECK((*details)[1].destinations[0].to.hostname == "host1.example");
}

TEST_CASE("unknown, legacy, smartcard and malformed requests get FAILURE and the agent keeps serving")
{
    Agent agent;
    REQUIRE(std::holds_alternative<Success>(agent.send_capture("add-ed25519")));
    CHECK(std::holds_alternative<Failure>(agent.send_bytes(Bytes{200})));
    CHECK(std::holds_alternative<Failure>(agent.send_bytes(Bytes{})));
    CHECK(std::holds_alternative<Ssh1IdentitiesAnswer>(agent.send_bytes(Bytes{1})));
    CHECK(std::holds_alternative<Failure>(agent.send_capture("add-smartcard")));
    CHECK(std::holds_alternative<Failure>(agent.send_capture("remove-smartcard")));

    Bytes truncated = read_file(data_dir / "captures" / "add-rsa-2048.bin");
    truncated.resize(truncated.size() / 2);
    CHECK(std::holds_alternative<Failure>(agent.send_bytes(truncated)));
    Bytes trailing = read_file(data_dir / "captures" / "list.bin");
    trailing.push_back(0);
    CHECK(std::holds_alternative<Failure>(agent.send_bytes(trailing)));

    CHECK(agent.identities().size() == 1);
    CHECK(agent.sign(key_blob("ed25519"), message).has_value());
}

TEST_CASE("at most max_identities keys are held: another new one is refused, re-adding a held one is not")
{
    agent::DispatcherOptions options;
    options.max_identities = 2;
    Agent agent(options);
    REQUIRE(std::holds_alternative<Success>(agent.send_capture("add-ed25519")));
    REQUIRE(std::holds_alternative<Success>(agent.send_capture("add-ecdsa-256")));
    CHECK(std::holds_alternative<Failure>(agent.send_capture("add-rsa-2048")));
    CHECK(agent.identities().size() == 2);
    CHECK(std::holds_alternative<Success>(agent.send_capture("add-ed25519")));
    REQUIRE(std::holds_alternative<Success>(agent.send_capture("remove")));
    CHECK(std::holds_alternative<Success>(agent.send_capture("add-rsa-2048")));
    CHECK(agent.identities().size() == 2);
}

TEST_CASE("adding a key twice replaces its comment and constraints, not its place")
{
    Agent agent;
    REQUIRE(std::holds_alternative<Success>(agent.send_capture("add-ed25519")));
    REQUIRE(std::holds_alternative<Success>(agent.send_capture("add-ecdsa-256")));
    REQUIRE(std::holds_alternative<Success>(agent.send_capture("add-constrained-lifetime")));
    auto identities = agent.identities();
    REQUIRE(identities.size() == 2);
    CHECK(identities[0].key_blob == key_blob("ed25519"));
    CHECK(agent.keystore.next_expiry().has_value());
}

namespace {

Bytes host_blob(const std::string& name)
{
    return test::public_blob_from_file(data_dir / "hosts" / (name + ".pub"));
}

// A session-bind@openssh.com for host `name` (its private key signs the session id), or signed by
// `signer_name`'s key instead to forge one.
Extension session_bind(const std::string& name, const Bytes& session_id, bool forwarding,
                       const std::string& signer_name = {})
{
    auto signer = test::signer_from_file(data_dir / "hosts" / (signer_name.empty() ? name : signer_name));
    auto signature = signer->sign(session_id, 0);
    REQUIRE(signature.has_value());
    return Extension{std::string(session_bind_extension_name),
                     SessionBind{host_blob(name), session_id, *signature, forwarding}};
}

// What ssh asks the agent to sign for a hostbound publickey login with keys/ed25519.
Bytes userauth_data(const Bytes& session_id, const std::string& user, const Bytes& host_key)
{
    WireWriter writer;
    writer.write_string(ByteView(session_id));
    writer.write_u8(50);
    writer.write_string(std::string_view(user));
    writer.write_string(std::string_view("ssh-connection"));
    writer.write_string(std::string_view("publickey-hostbound-v00@openssh.com"));
    writer.write_u8(1);
    writer.write_string(std::string_view("ssh-ed25519"));
    writer.write_string(ByteView(key_blob("ed25519")));
    writer.write_string(ByteView(host_key));
    return std::move(writer).take();
}

const Bytes session1 = Bytes(32, 0x11);
const Bytes session2 = Bytes(32, 0x22);

}  // namespace

TEST_CASE("session-bind with a valid signature succeeds; a forged one gets EXTENSION_FAILURE")
{
    Agent agent;
    CHECK(std::holds_alternative<Success>(agent.send(session_bind("host1-ed25519", session1, false))));
    Agent other;
    CHECK(std::holds_alternative<ExtensionFailure>(
        other.send(session_bind("host1-ed25519", session1, false, "host2-ecdsa-256"))));
    Reply query = other.send(Extension{std::string(query_extension_name), QueryExtension{}});
    REQUIRE(std::holds_alternative<QueryResponse>(query));
    auto names = std::get<QueryResponse>(query).extensions;
    CHECK(std::find(names.begin(), names.end(), "session-bind@openssh.com") != names.end());
}

TEST_CASE("session-bind rules: 16 binds at most, nothing after an authentication bind, one key per session id")
{
    Agent agent;
    for (std::uint8_t i = 0; i < 16; ++i)
        REQUIRE(std::holds_alternative<Success>(agent.send(session_bind("host1-ed25519", Bytes(8, i), true))));
    CHECK(std::holds_alternative<Success>(agent.send(session_bind("host1-ed25519", Bytes(8, 3), true))));
    CHECK(std::holds_alternative<ExtensionFailure>(agent.send(session_bind("host1-ed25519", Bytes(8, 16), true))));
    CHECK(std::holds_alternative<ExtensionFailure>(agent.send(session_bind("host2-ecdsa-256", Bytes(8, 3), true))));

    Agent auth;
    REQUIRE(std::holds_alternative<Success>(auth.send(session_bind("host1-ed25519", session1, false))));
    CHECK(std::holds_alternative<ExtensionFailure>(auth.send(session_bind("host1-ed25519", session1, false))));
    CHECK(std::holds_alternative<ExtensionFailure>(auth.send(session_bind("host2-ecdsa-256", session2, false))));

    Agent long_id;
    CHECK(std::holds_alternative<ExtensionFailure>(long_id.send(session_bind("host1-ed25519", Bytes(129, 1), false))));
    CHECK(std::holds_alternative<Success>(long_id.send(session_bind("host1-ed25519", Bytes(128, 1), false))));
}

TEST_CASE("a destination-constrained key is listed only where its constraints allow")
{
    Agent agent;
    REQUIRE(std::holds_alternative<Success>(agent.send_capture("add-destination")));
    CHECK(agent.identities().size() == 1);  // unbound: local use, as OpenSSH
    REQUIRE(std::holds_alternative<Success>(agent.send(session_bind("host1-ed25519", session1, false))));
    CHECK(agent.identities().size() == 1);

    agent.context = {};
    REQUIRE(std::holds_alternative<Success>(agent.send(session_bind("host2-ecdsa-256", session2, false))));
    CHECK(agent.identities().empty());

    agent.context = {};
    REQUIRE(std::holds_alternative<Success>(agent.send(session_bind("host1-ed25519", session1, true))));
    CHECK(agent.identities().empty());  // usable at host1 but not beyond it

    agent.context = {};
    agent.send(session_bind("host1-ed25519", session1, false, "host2-ecdsa-256"));
    CHECK(agent.identities().empty());  // a failed bind hides it
}

TEST_CASE("a destination-constrained key signs a userauth request for the bound host and user only")
{
    Agent agent;
    REQUIRE(std::holds_alternative<Success>(agent.send_capture("add-destination")));
    Bytes blob = key_blob("ed25519");
    Bytes host1 = host_blob("host1-ed25519");
    CHECK_FALSE(agent.sign(blob, userauth_data(session1, "alice", host1)).has_value());  // unbound

    REQUIRE(std::holds_alternative<Success>(agent.send(session_bind("host1-ed25519", session1, false))));
    auto signature = agent.sign(blob, userauth_data(session1, "alice", host1));
    REQUIRE(signature.has_value());
    CHECK_FALSE(agent.sign(blob, userauth_data(session1, "bob", host1)).has_value());
    CHECK_FALSE(agent.sign(blob, userauth_data(session2, "alice", host1)).has_value());
    CHECK_FALSE(agent.sign(blob, userauth_data(session1, "alice", host_blob("host2-ecdsa-256"))).has_value());
    CHECK_FALSE(agent.sign(blob, message).has_value());

    agent.context = {};
    REQUIRE(std::holds_alternative<Success>(agent.send(session_bind("host2-ecdsa-256", session2, false))));
    CHECK_FALSE(agent.sign(blob, userauth_data(session2, "alice", host_blob("host2-ecdsa-256"))).has_value());
}

TEST_CASE("identity_details: confirm without an askpass program is flagged; an expired lifetime shows 0")
{
    agent::Identity identity{key_blob("ed25519"), "c", nullptr, {}};
    identity.constraints.confirm = true;
    identity.constraints.expires_at = agent::Clock::time_point(std::chrono::seconds(10));
    auto details = agent::identity_details({&identity}, agent::Clock::time_point(std::chrono::seconds(11)), false);
    REQUIRE(details.size() == 1);
    CHECK(details[0].confirm);
    CHECK(details[0].confirm_without_askpass);
    CHECK(details[0].seconds_left == 0u);
    CHECK_FALSE(agent::identity_details({&identity}, {}, true)[0].confirm_without_askpass);
    CHECK(details[0].state == KeyState::decrypted);
}

TEST_CASE("identity_details: a key held encrypted is deferred until its signer is installed")
{
    agent::Identity identity{key_blob("ed25519"), "c", nullptr, {}};
    identity.encrypted_file = std::make_shared<agent::EncryptedKeyFile>();
    CHECK(agent::identity_details({&identity}, {}, true)[0].state == KeyState::deferred);
    struct NeverSigns : agent::SigningKey {
        agent::Result<Bytes> sign(ByteView, std::uint32_t) const override
        {
            return fail(agent::Error(agent::ErrorCode::crypto_failure, "never signs"));
        }
    };
    identity.signer = std::make_shared<NeverSigns>();
    CHECK(agent::identity_details({&identity}, {}, true)[0].state == KeyState::deferred_decrypted);
}

TEST_CASE("a confirm key's prompt on a bound connection names the host from known_hosts, and a forwarding bind")
{
    agent::DispatcherOptions options;
    options.askpass_program = "/bin/true";
    options.known_hosts_files = {(data_dir / "hosts" / "known_hosts").string()};
    Agent agent(options);
    REQUIRE(std::holds_alternative<Success>(agent.send_capture("add-constrained-confirm")));
    const std::string host1_fingerprint = agent::sha256_fingerprint(host_blob("host1-ed25519"));

    REQUIRE(std::holds_alternative<Success>(agent.send(session_bind("host1-ed25519", session1, false))));
    auto outcome = sign_or_confirm(agent);
    REQUIRE(std::holds_alternative<agent::PendingPrompt>(outcome));
    CHECK(std::get<agent::PendingPrompt>(outcome).prompt.ends_with(
        "\nfor host host1.example (" + host1_fingerprint + ")"));

    agent.context = {};
    REQUIRE(std::holds_alternative<Success>(agent.send(session_bind("host1-ed25519", session1, true))));
    outcome = sign_or_confirm(agent);
    REQUIRE(std::holds_alternative<agent::PendingPrompt>(outcome));
    CHECK(std::get<agent::PendingPrompt>(outcome).prompt.ends_with(
        "\nforwarded from host host1.example (" + host1_fingerprint + ")"));
}

TEST_CASE("may_take_long picks adds, KDFs, extensions and RSA/DSA signatures; list and Ed25519/ECDSA are quick")
{
    auto sign_with = [](const Bytes& blob) { return encode_request(SignRequest{blob, message, 0}); };
    for (const char* name : {"rsa-2048", "rsa-4096", "dsa-1024"}) {
        CAPTURE(name);
        CHECK(agent::may_take_long(sign_with(key_blob(name)).view()));
        CHECK(agent::may_take_long(sign_with(cert_blob(name)).view()));
    }
    for (const char* name : {"ed25519", "ecdsa-256", "ecdsa-521"}) {
        CAPTURE(name);
        CHECK_FALSE(agent::may_take_long(sign_with(key_blob(name)).view()));
        CHECK_FALSE(agent::may_take_long(sign_with(cert_blob(name)).view()));
    }
    CHECK_FALSE(agent::may_take_long(encode_request(RequestIdentities{}).view()));
    CHECK_FALSE(agent::may_take_long(encode_request(RemoveAllIdentities{}).view()));
    CHECK(agent::may_take_long(encode_request(Unlock{SecretBytes(message)}).view()));
    const std::uint8_t add = 17, truncated_sign[] = {13, 0, 0, 1, 0};
    CHECK(agent::may_take_long(ByteView(&add, 1)));
    CHECK_FALSE(agent::may_take_long(ByteView(truncated_sign)));
    CHECK_FALSE(agent::may_take_long(ByteView()));
}
