// Dispatcher tests for keys added still encrypted (add-ppk, add-encrypted): listed at once, the
// passphrase asked at first use, wrong passphrases, re-encryption, LOCK, and ssh-add -c after it.
#include <doctest/doctest.h>

#include "agent/dispatcher.hpp"
#include "tests/unit/keyfile_test_support.hpp"

using namespace latchkey;
using namespace latchkey::protocol;
using namespace latchkey::test;

namespace {

const Bytes message = {'d', 'e', 'f', 'e', 'r', 'r', 'e', 'd'};

// A dispatcher over a fresh keystore whose askpass is never run: the test answers the prompts.
struct DeferredAgent {
    agent::Keystore keystore;
    agent::Dispatcher dispatcher{keystore, options()};
    agent::ConnectionContext context;

    static agent::DispatcherOptions options()
    {
        agent::DispatcherOptions options;
        options.askpass_program = "/bin/false";
        return options;
    }

    agent::Outcome send(const Request& request)
    {
        SecretBytes body = encode_request(request);
        return dispatcher.handle_message_or_prompt(body.view(), context);
    }

    Bytes reply(const Request& request)
    {
        auto outcome = send(request);
        REQUIRE(std::holds_alternative<Bytes>(outcome));
        return std::get<Bytes>(outcome);
    }

    agent::Outcome sign(const Bytes& blob) { return send(SignRequest{blob, message, 0}); }
};

SecretBytes file_bytes(const std::string& name)
{
    return SecretBytes(read_file(keyfile_dir / name));
}

Bytes blob_of(const std::string& name)
{
    return public_blob_from_file(public_file(keyfile_dir / name));
}

Request add_ppk(const std::string& name, std::vector<Constraint> constraints = {})
{
    return Extension{std::string(add_ppk_extension_name), AddPpk{file_bytes(name), std::move(constraints)}};
}

agent::PromptAnswer typed(std::string_view passphrase)
{
    return agent::PromptAnswer{0, SecretBytes::from_text(std::string(passphrase) + "\n")};
}

const agent::PendingPrompt& prompt_of(const agent::Outcome& outcome)
{
    REQUIRE(std::holds_alternative<agent::PendingPrompt>(outcome));
    return std::get<agent::PendingPrompt>(outcome);
}

std::uint8_t type_of(const agent::Outcome& outcome)
{
    REQUIRE(std::holds_alternative<Bytes>(outcome));
    return std::get<Bytes>(outcome).at(0);
}

constexpr std::uint8_t success = 6, failure = 5, sign_response = 14, extension_failure = 28;

std::vector<ExtendedIdentity> list_extended(DeferredAgent& agent)
{
    auto answer = decode_list_extended_reply(agent.reply(Extension{std::string(list_extended_extension_name), ListExtended{}}));
    REQUIRE(answer.has_value());
    return answer->identities;
}

}  // namespace

TEST_CASE("an encrypted .ppk is listed at once; the first signature asks, later ones do not")
{
    DeferredAgent agent;
    REQUIRE(agent.reply(add_ppk("ppk/ed25519.ppk")).at(0) == success);
    auto identities = decode_reply(agent.reply(RequestIdentities{}));
    REQUIRE(identities.has_value());
    const auto& listed = std::get<IdentitiesAnswer>(*identities).identities;
    REQUIRE(listed.size() == 1);
    CHECK(listed[0].key_blob == blob_of("ppk/ed25519.ppk"));
    CHECK(listed[0].comment == "latchkey-keyfile-ed25519");
    CHECK(list_extended(agent).at(0).flags == (list_extended_has_encrypted_file | list_extended_no_cleartext_key));

    auto first = agent.sign(blob_of("ppk/ed25519.ppk"));
    const auto& prompt = prompt_of(first);
    CHECK(prompt.purpose == platform::AskpassPurpose::passphrase);
    CHECK(prompt.program == "/bin/false");
    CHECK(prompt.prompt.find("latchkey-keyfile-ed25519") != std::string::npos);
    CHECK(prompt.prompt.find("SHA256:") != std::string::npos);
    CHECK(prompt.prompt.find("Requested by") != std::string::npos);
    CHECK_FALSE(prompt.share_key.empty());
    CHECK(type_of(prompt.finish(typed("latchkey-test-passphrase"))) == sign_response);

    CHECK(list_extended(agent).at(0).flags == list_extended_has_encrypted_file);
    CHECK(type_of(agent.sign(blob_of("ppk/ed25519.ppk"))) == sign_response);
}

TEST_CASE("a wrong or cancelled passphrase fails that request; the next one asks again")
{
    DeferredAgent agent;
    REQUIRE(agent.reply(add_ppk("ppk/ecdsa-256.ppk")).at(0) == success);
    CHECK(type_of(prompt_of(agent.sign(blob_of("ppk/ecdsa-256.ppk"))).finish(typed("wrong"))) == failure);
    CHECK(type_of(prompt_of(agent.sign(blob_of("ppk/ecdsa-256.ppk"))).finish(agent::PromptAnswer{1, {}})) == failure);
    CHECK(type_of(prompt_of(agent.sign(blob_of("ppk/ecdsa-256.ppk"))).finish(typed("latchkey-test-passphrase"))) ==
          sign_response);
}

TEST_CASE("two requests that shared one prompt both sign with one answer")
{
    DeferredAgent agent;
    REQUIRE(agent.reply(add_ppk("ppk/ed25519.ppk")).at(0) == success);
    auto first = agent.sign(blob_of("ppk/ed25519.ppk"));
    auto second = agent.sign(blob_of("ppk/ed25519.ppk"));
    CHECK(prompt_of(first).share_key == prompt_of(second).share_key);
    CHECK(type_of(prompt_of(first).finish(typed("latchkey-test-passphrase"))) == sign_response);
    CHECK(type_of(prompt_of(second).finish(typed("latchkey-test-passphrase"))) == sign_response);
}

TEST_CASE("a caller that cannot ask gets FAILURE for a deferred key not decrypted yet")
{
    DeferredAgent agent;
    REQUIRE(agent.reply(add_ppk("ppk/ed25519.ppk")).at(0) == success);
    SecretBytes body = encode_request(SignRequest{blob_of("ppk/ed25519.ppk"), message, 0});
    CHECK(agent.dispatcher.handle_message(body.view(), agent.context) == Bytes{failure});
}

TEST_CASE("reencrypt, reencrypt-all and LOCK return a decrypted key to its encrypted state")
{
    DeferredAgent agent;
    REQUIRE(agent.reply(add_ppk("ppk/ed25519.ppk")).at(0) == success);
    const Bytes blob = blob_of("ppk/ed25519.ppk");
    auto decrypt = [&] {
        CHECK(type_of(prompt_of(agent.sign(blob)).finish(typed("latchkey-test-passphrase"))) == sign_response);
        CHECK(type_of(agent.sign(blob)) == sign_response);
    };
    decrypt();
    CHECK(agent.reply(Extension{std::string(reencrypt_extension_name), ReencryptKey{blob}}) == Bytes{success});
    CHECK(std::holds_alternative<agent::PendingPrompt>(agent.sign(blob)));

    decrypt();
    auto all = decode_reencrypt_all_reply(agent.reply(Extension{std::string(reencrypt_all_extension_name), ReencryptAllKeys{}}));
    REQUIRE(all.has_value());
    CHECK(all->left_decrypted == 0);
    CHECK(std::holds_alternative<agent::PendingPrompt>(agent.sign(blob)));

    decrypt();
    CHECK(agent.reply(Lock{SecretBytes::from_text("pw")}) == Bytes{success});
    CHECK(agent.reply(Unlock{SecretBytes::from_text("pw")}) == Bytes{success});
    CHECK(std::holds_alternative<agent::PendingPrompt>(agent.sign(blob)));
}

TEST_CASE("a session lock re-encrypts the keys added encrypted and removes the ones added in clear")
{
    DeferredAgent agent;
    REQUIRE(agent.reply(add_ppk("ppk/ed25519.ppk")).at(0) == success);
    REQUIRE(agent.reply(add_ppk("ppk/ed25519-plain.ppk")).at(0) == success);  // loaded in clear at once
    const Bytes blob = blob_of("ppk/ed25519.ppk");
    CHECK(type_of(prompt_of(agent.sign(blob)).finish(typed("latchkey-test-passphrase"))) == sign_response);
    CHECK(agent.dispatcher.reencrypt_or_remove_all("test") == 1);
    CHECK(agent.dispatcher.key_count() == 1);
    CHECK(agent.keystore.find(blob_of("ppk/ed25519-plain.ppk"), agent::Clock::now()) == nullptr);
    CHECK(std::holds_alternative<agent::PendingPrompt>(agent.sign(blob)));
}

TEST_CASE("reencrypt refuses keys added in clear or not held; reencrypt-all with only clear keys fails")
{
    DeferredAgent agent;
    REQUIRE(agent.reply(add_ppk("ppk/ed25519-plain.ppk")).at(0) == success);  // loaded in clear at once
    const Bytes blob = blob_of("ppk/ed25519-plain.ppk");
    CHECK(type_of(agent.sign(blob)) == sign_response);
    CHECK(list_extended(agent).at(0).flags == 0);
    CHECK(agent.reply(Extension{std::string(reencrypt_extension_name), ReencryptKey{blob}}) == Bytes{extension_failure});
    CHECK(agent.reply(Extension{std::string(reencrypt_extension_name), ReencryptKey{Bytes{1, 2}}}) ==
          Bytes{extension_failure});
    CHECK(agent.reply(Extension{std::string(reencrypt_all_extension_name), ReencryptAllKeys{}}) ==
          Bytes{extension_failure});
}

TEST_CASE("add-encrypted: an OpenSSH file with the client's comment; PEM and wrong formats refused")
{
    DeferredAgent agent;
    Request add = Extension{std::string(add_encrypted_extension_name),
                            AddEncrypted{file_bytes("openssh/ed25519-aes256-ctr"), "id_ed25519", {}}};
    REQUIRE(agent.reply(add).at(0) == success);
    CHECK(list_extended(agent).at(0).comment == "id_ed25519");
    CHECK(type_of(prompt_of(agent.sign(blob_of("openssh/ed25519-aes256-ctr"))).finish(typed("latchkey-test-passphrase"))) ==
          sign_response);

    Request pem = Extension{std::string(add_encrypted_extension_name),
                            AddEncrypted{file_bytes("pem/rsa-2048-pkcs8-encrypted"), "", {}}};
    CHECK(agent.reply(pem) == Bytes{extension_failure});
    Request openssh_as_ppk = Extension{std::string(add_ppk_extension_name), AddPpk{file_bytes("openssh/ed25519"), {}}};
    CHECK(agent.reply(openssh_as_ppk) == Bytes{extension_failure});
    CHECK(list_extended(agent).size() == 1);
}

TEST_CASE("a deferred key added with ssh-add -c asks for the passphrase, then for confirmation")
{
    DeferredAgent agent;
    REQUIRE(agent.reply(add_ppk("ppk/ed25519.ppk", {ConfirmConstraint{}})).at(0) == success);
    auto passphrase = agent.sign(blob_of("ppk/ed25519.ppk"));
    CHECK(prompt_of(passphrase).purpose == platform::AskpassPurpose::passphrase);
    auto confirm = prompt_of(passphrase).finish(typed("latchkey-test-passphrase"));
    CHECK(prompt_of(confirm).purpose == platform::AskpassPurpose::confirm);
    CHECK(prompt_of(confirm).prompt.starts_with("Allow use of key latchkey-keyfile-ed25519?"));
    CHECK(type_of(prompt_of(confirm).finish(agent::PromptAnswer{0, {}})) == sign_response);
    // Decrypted now: only the confirmation is asked.
    CHECK(prompt_of(agent.sign(blob_of("ppk/ed25519.ppk"))).purpose == platform::AskpassPurpose::confirm);
}

TEST_CASE("query lists the encrypted-key extensions")
{
    DeferredAgent agent;
    auto reply = decode_reply(agent.reply(Extension{"query", QueryExtension{}}));
    REQUIRE(reply.has_value());
    const auto& names = std::get<QueryResponse>(*reply).extensions;
    for (auto name : {add_ppk_extension_name, add_encrypted_extension_name, reencrypt_extension_name,
                      reencrypt_all_extension_name, list_extended_extension_name})
        CHECK(std::find(names.begin(), names.end(), name) != names.end());
}
