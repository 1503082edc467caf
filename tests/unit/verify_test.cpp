// Tests for agent/keys/verify: signatures made by the agent's keys verify from their public blobs;
// tampered data, tampered signatures and other keys do not.
#include <doctest/doctest.h>

#include "agent/keys/verify.hpp"
#include "protocol/message.hpp"
#include "tests/support/openssh_private_key.hpp"

using namespace latchkey;
using namespace latchkey::protocol;
using latchkey::test::data_dir;

namespace {

const Bytes message = {'s', 'e', 's', 's', 'i', 'o', 'n', ' ', 'i', 'd'};

// The key an ADD capture carries (a certificate for the -cert captures).
PrivateKey captured_key(const std::string& name)
{
    Bytes capture = test::read_file(data_dir / "captures" / ("add-" + name + ".bin"));
    auto request = decode_request(capture);
    REQUIRE(request.has_value());
    return std::move(std::get<AddIdentity>(*request).key);
}

Bytes sign(const PrivateKey& key, ByteView data, std::uint32_t flags = 0)
{
    auto signer = agent::make_signing_key(key);
    REQUIRE(signer.has_value());
    auto signature = (*signer)->sign(data, flags);
    REQUIRE(signature.has_value());
    return *signature;
}

bool verifies(const PublicKey& key, ByteView signature, ByteView data)
{
    return agent::verify_signature(key, signature, data).has_value();
}

}  // namespace

TEST_CASE("a signature by each key type verifies; tampered data or signature does not")
{
    for (const auto& name : test::key_names) {
        CAPTURE(name);
        PrivateKey key = captured_key(name);
        Bytes signature = sign(key, message);
        CHECK(verifies(key.public_key, signature, message));

        Bytes other_data = message;
        other_data[0] ^= 1;
        auto refused = agent::verify_signature(key.public_key, signature, other_data);
        REQUIRE_FALSE(refused.has_value());
        CHECK(refused.error().code == agent::ErrorCode::refused);

        Bytes other_signature = signature;
        other_signature.back() ^= 1;
        CHECK_FALSE(verifies(key.public_key, other_signature, message));
        CHECK_FALSE(verifies(key.public_key, ByteView(signature).first(signature.size() - 1), message));
    }
}

TEST_CASE("a signature does not verify with another key")
{
    for (std::size_t i = 0; i < test::key_names.size(); ++i) {
        const auto& name = test::key_names[i];
        const auto& other = test::key_names[(i + 1) % test::key_names.size()];
        CAPTURE(name);
        Bytes signature = sign(captured_key(name), message);
        CHECK_FALSE(verifies(captured_key(other).public_key, signature, message));
    }
    auto host1 = test::private_key_from_file(data_dir / "hosts" / "host1-ed25519");
    CHECK_FALSE(verifies(host1.public_key, sign(captured_key("ed25519"), message), message));
}

TEST_CASE("an RSA key verifies the algorithm its signature names")
{
    PrivateKey key = captured_key("rsa-2048");
    for (std::uint32_t flags : {0u, sign_flag_rsa_sha2_256, sign_flag_rsa_sha2_512})
        CHECK(verifies(key.public_key, sign(key, message, flags), message));

    // The same signature relabelled as another hash does not verify.
    Bytes signature = sign(key, message, sign_flag_rsa_sha2_256);
    WireReader reader(signature);
    REQUIRE(*reader.read_text() == "rsa-sha2-256");
    WireWriter relabelled;
    relabelled.write_string(std::string_view("rsa-sha2-512"));
    relabelled.write_string(*reader.read_string());
    CHECK_FALSE(verifies(key.public_key, relabelled.buffer(), message));
}

TEST_CASE("a certificate verifies with the key it certifies")
{
    for (const auto& name : test::key_names) {
        CAPTURE(name);
        PrivateKey certified = captured_key(name + "-cert");
        REQUIRE(is_certificate(certified.public_key));
        CHECK(verifies(certified.public_key, sign(certified, message, sign_flag_rsa_sha2_512), message));
    }
}

TEST_CASE("a signature blob naming another algorithm, or malformed, is refused")
{
    PrivateKey ed25519 = captured_key("ed25519");
    Bytes signature = sign(ed25519, message);
    CHECK_FALSE(verifies(captured_key("ecdsa-256").public_key, signature, message));
    CHECK_FALSE(verifies(ed25519.public_key, Bytes{}, message));
    Bytes trailing = signature;
    trailing.push_back(0);
    CHECK_FALSE(verifies(ed25519.public_key, trailing, message));
}

TEST_CASE("the CA signature on a host certificate verifies; a changed certificate does not")
{
    auto blob = test::public_blob_from_file(data_dir / "hosts" / "host1-ed25519-cert.pub");
    auto key = decode_public_key(blob);
    REQUIRE(key.has_value());
    auto& certificate = std::get<Certificate>(*key);
    CHECK(agent::verify_certificate(certificate).has_value());

    Certificate changed = certificate;
    changed.principals.push_back("attacker.example");
    CHECK_FALSE(agent::verify_certificate(changed).has_value());

    Certificate self_signed = certificate;
    self_signed.signature_key = blob;  // a certificate as its own CA
    CHECK_FALSE(agent::verify_certificate(self_signed).has_value());
}
