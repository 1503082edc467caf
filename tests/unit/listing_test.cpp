// Tests of latchkey list / status output: ssh-add -l's line, the detail lines, JSON, key types and bits.
#include <doctest/doctest.h>

#include "agent/client/key_loading.hpp"
#include "agent/client/listing.hpp"
#include "agent/fingerprint.hpp"
#include "tests/support/test_data.hpp"

using namespace latchkey;
using namespace latchkey::agent::client;
using latchkey::agent::read_text_file;
using latchkey::test::data_dir;

namespace {

protocol::Bytes blob_of(const std::string& name)
{
    auto text = read_text_file((data_dir / "keys" / name).string());
    REQUIRE(text);
    auto blob = parse_public_key_line(*text);
    REQUIRE(blob);
    return *blob;
}

protocol::PublicKey key_of(const std::string& name)
{
    auto key = protocol::decode_public_key(blob_of(name));
    REQUIRE(key);
    return *key;
}

ListedKey listed(const std::string& name, std::string comment)
{
    ListedKey key;
    key.identity.key_blob = blob_of(name);
    key.identity.comment = std::move(comment);
    return key;
}

}  // namespace

TEST_CASE("key types and bits as ssh-add -l shows them")
{
    CHECK(key_type_label(key_of("ed25519.pub")) == "ED25519");
    CHECK(key_bits(key_of("ed25519.pub")) == 256);
    CHECK(key_type_label(key_of("ecdsa-384.pub")) == "ECDSA");
    CHECK(key_bits(key_of("ecdsa-384.pub")) == 384);
    CHECK(key_bits(key_of("ecdsa-521.pub")) == 521);
    CHECK(key_type_label(key_of("rsa-4096.pub")) == "RSA");
    CHECK(key_bits(key_of("rsa-4096.pub")) == 4096);
    CHECK(key_type_label(key_of("dsa-1024.pub")) == "DSA");
    CHECK(key_bits(key_of("dsa-1024.pub")) == 1024);
    CHECK(key_type_label(key_of("rsa-2048-cert.pub")) == "RSA-CERT");
    CHECK(key_bits(key_of("rsa-2048-cert.pub")) == 2048);
}

TEST_CASE("text list: ssh-add -l's line, then lifetime, confirm, destinations and state")
{
    ListedKey plain = listed("ed25519.pub", "me@host");
    ListedKey constrained = listed("rsa-2048.pub", "work");
    constrained.identity.seconds_left = 42;
    constrained.identity.confirm = true;
    constrained.identity.confirm_without_askpass = true;
    protocol::DestinationHop jump{"", "jump.example", {{key_of("ed25519.pub"), false}}};
    protocol::DestinationHop target{"bob", "db.example", {{key_of("ed25519.pub"), false}}};
    constrained.identity.destinations = {{{}, {"", "jump.example", jump.keys}}, {jump, target}};
    constrained.identity.state = protocol::KeyState::deferred;
    std::string text = format_key_list({plain, constrained}, 0);
    CHECK(text == "256 " + agent::sha256_fingerprint(plain.identity.key_blob) + " me@host (ED25519)\n" +
                      "2048 " + agent::sha256_fingerprint(constrained.identity.key_blob) + " work (RSA)\n" +
                      "    lifetime: 42 s left\n"
                      "    confirm: no askpass available\n"
                      "    destinations: jump.example, jump.example>bob@db.example\n"
                      "    state: deferred\n");
    constrained.identity.confirm_without_askpass = false;
    CHECK(format_key_list({constrained}, 0).find("    confirm: yes\n") != std::string::npos);
    CHECK(format_key_list({}, 0) == "The agent has no identities.\n");
}

TEST_CASE("certificates show their key id and validity, judged at the given time")
{
    ListedKey certificate = listed("ed25519-cert.pub", "c");
    auto key = key_of("ed25519-cert.pub");
    const auto& fields = std::get<protocol::Certificate>(key);
    std::string text = format_key_list({certificate}, fields.valid_after);
    CHECK(text.find("(ED25519-CERT)\n    certificate: " + fields.key_id + ", valid ") != std::string::npos);
    CHECK(text.find("expired") == std::string::npos);
    if (fields.valid_before != UINT64_MAX)
        CHECK(format_key_list({certificate}, fields.valid_before).find("(expired)") != std::string::npos);
    CHECK(format_key_list({listed("../certs/ed25519-forever-cert.pub", "f")}, 0).find("valid forever\n") != std::string::npos);
}

TEST_CASE("a certificate's fingerprint is its key's, as ssh-add -l shows it")
{
    CHECK(key_fingerprint(blob_of("ed25519-cert.pub")) == agent::sha256_fingerprint(blob_of("ed25519.pub")));
    CHECK(key_fingerprint(blob_of("ed25519.pub"), agent::FingerprintHash::md5) ==
          agent::md5_fingerprint(blob_of("ed25519.pub")));
    CHECK(format_key_list({listed("ed25519-cert.pub", "c")}, 0).starts_with("256 " + agent::sha256_fingerprint(blob_of("ed25519.pub"))));
}

TEST_CASE("details unknown (a stock agent): only the ssh-add -l line")
{
    ListedKey key = listed("ed25519.pub", "x");
    key.details = false;
    key.identity.confirm = true;
    CHECK(format_key_list({key}, 0) == "256 " + agent::sha256_fingerprint(key.identity.key_blob) + " x (ED25519)\n");
    std::string json = format_key_list_json({key}, 0);
    CHECK(json.find("\"confirm\"") == std::string::npos);
    CHECK(json.find("\"type\": \"ED25519\"") != std::string::npos);
}

TEST_CASE("JSON list: every field, escaped comments, null for no lifetime")
{
    ListedKey key = listed("ed25519.pub", "say \"hi\"\\\n");
    std::string json = format_key_list_json({key}, 0);
    CHECK(json == "{\"keys\": [{\"type\": \"ED25519\", \"bits\": 256, \"fingerprint\": \"" +
                      agent::sha256_fingerprint(key.identity.key_blob) +
                      "\", \"comment\": \"say \\\"hi\\\"\\\\\\u000a\", \"certificate\": null, \"lifetime_left\": null, "
                      "\"confirm\": false, \"confirm_without_askpass\": false, \"destinations\": [], \"state\": "
                      "\"decrypted\"}]}\n");
    CHECK(format_key_list_json({}, 0) == "{\"keys\": []}\n");
}

TEST_CASE("status as text and JSON, for latchkeyd and for another agent")
{
    StatusView view{"/run/a.sock", protocol::AgentStatus{12, "0.1.0", 3, true}, 3};
    CHECK(format_status(view) == "socket: /run/a.sock\npid: 12\nversion: 0.1.0\nkeys: 3\nlocked: yes\n");
    CHECK(format_status_json(view) ==
          "{\"socket\": \"/run/a.sock\", \"latchkeyd\": true, \"pid\": 12, \"version\": \"0.1.0\", \"keys\": 3, "
          "\"locked\": true}\n");
    StatusView other{"/s", std::nullopt, 2};
    CHECK(format_status(other) == "socket: /s\nagent: not latchkeyd (no status@latchkey.invalid)\nkeys: 2\n");
    CHECK(format_status_json(other) == "{\"socket\": \"/s\", \"latchkeyd\": false, \"keys\": 2}\n");
}

TEST_CASE("UTC times")
{
    CHECK(utc_time(0) == "1970-01-01T00:00:00Z");
    CHECK(utc_time(1795000000) == "2026-11-18T11:06:40Z");
    CHECK(utc_time(UINT64_MAX) == "9999-12-31T23:59:59Z");
}
