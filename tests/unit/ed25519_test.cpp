// Tests of agent/keys/ed25519: RFC 8032 known answer, round trips through OpenSSL, mismatches.
#include <doctest/doctest.h>

#include "agent/keys/ed25519.hpp"
#include "tests/unit/key_test_support.hpp"

using namespace latchkey;
using namespace latchkey::test;
using agent::ErrorCode;

namespace {

// RFC 8032 §7.1, TEST 1.
const Bytes rfc_seed = from_hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
const Bytes rfc_public = from_hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
const Bytes rfc_signature = from_hex(
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");

SecretBytes seed_and_public(ByteView seed, ByteView point)
{
    SecretBytes secret(seed);
    secret.append(point);
    return secret;
}

}  // namespace

TEST_CASE("Ed25519 signs the RFC 8032 test 1 message exactly")
{
    auto key = agent::make_ed25519_key(rfc_public, seed_and_public(rfc_seed, rfc_public));
    REQUIRE(key);
    auto blob = (*key)->sign({}, 0);
    REQUIRE(blob);
    const SshSignature signature = parse_signature(*blob);
    CHECK(signature.algorithm == "ssh-ed25519");
    CHECK(signature.body == rfc_signature);
}

TEST_CASE("Ed25519 signatures of a generated key verify with OpenSSL and ignore the flags")
{
    const EvpPkey generated = generate_key("ED25519");
    Bytes seed(32), point(32);
    std::size_t length = seed.size();
    REQUIRE(EVP_PKEY_get_raw_private_key(generated.get(), seed.data(), &length) == 1);
    length = point.size();
    REQUIRE(EVP_PKEY_get_raw_public_key(generated.get(), point.data(), &length) == 1);

    auto key = agent::make_ed25519_key(point, seed_and_public(seed, point));
    REQUIRE(key);
    const Bytes data = text_bytes("session id and userauth request");
    auto plain = (*key)->sign(data, 0);
    auto flagged = (*key)->sign(data, 0x06);
    REQUIRE(plain);
    REQUIRE(flagged);
    CHECK(*plain == *flagged);  // Ed25519 is deterministic and has one algorithm name
    const SshSignature signature = parse_signature(*plain);
    CHECK(signature.algorithm == "ssh-ed25519");
    CHECK(signature.body.size() == 64);
    CHECK(openssl_verifies(*generated, nullptr, data, signature.body));
    CHECK_FALSE(openssl_verifies(*generated, nullptr, text_bytes("other data"), signature.body));
}

TEST_CASE("Ed25519 refuses a seed that does not give the public point")
{
    Bytes other_public = rfc_public;
    other_public[5] ^= 0x01;
    SUBCASE("public key argument differs")
    {
        auto key = agent::make_ed25519_key(other_public, seed_and_public(rfc_seed, rfc_public));
        REQUIRE_FALSE(key);
        CHECK(key.error().code == ErrorCode::key_mismatch);
    }
    SUBCASE("public half of the private key differs")
    {
        auto key = agent::make_ed25519_key(rfc_public, seed_and_public(rfc_seed, other_public));
        REQUIRE_FALSE(key);
        CHECK(key.error().code == ErrorCode::key_mismatch);
    }
    SUBCASE("seed differs")
    {
        Bytes other_seed = rfc_seed;
        other_seed[0] ^= 0x80;
        auto key = agent::make_ed25519_key(rfc_public, seed_and_public(other_seed, rfc_public));
        REQUIRE_FALSE(key);
        CHECK(key.error().code == ErrorCode::key_mismatch);
    }
}

TEST_CASE("Ed25519 refuses wrongly sized parts")
{
    auto short_public = agent::make_ed25519_key(ByteView(rfc_public).first(31), seed_and_public(rfc_seed, rfc_public));
    REQUIRE_FALSE(short_public);
    CHECK(short_public.error().code == ErrorCode::malformed);
    auto seed_only = agent::make_ed25519_key(rfc_public, SecretBytes(rfc_seed));
    REQUIRE_FALSE(seed_only);
    CHECK(seed_only.error().code == ErrorCode::malformed);
}
