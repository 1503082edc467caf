// Tests of agent/keys/rsa: flags pick the algorithm and digest, signatures verify, bad parts are refused.
#include <doctest/doctest.h>

#include "agent/keys/rsa.hpp"
#include "protocol/numbers.hpp"
#include "tests/unit/key_test_support.hpp"

using namespace latchkey;
using namespace latchkey::test;
using agent::ErrorCode;

namespace {

EvpPkey generate_rsa(unsigned int bits)
{
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_uint(OSSL_PKEY_PARAM_RSA_BITS, &bits),
        OSSL_PARAM_construct_end(),
    };
    return generate_key("RSA", params);
}

// One 2048-bit key per test binary: generation is the slow part.
const EvpPkey& test_key()
{
    static const EvpPkey key = generate_rsa(2048);
    return key;
}

// The parts of an RSA key in OpenSSH's order.
struct RsaParts {
    Bytes n, e;
    SecretBytes d, iqmp, p, q;
};

RsaParts parts_of(const EVP_PKEY& key)
{
    return {number_of(key, OSSL_PKEY_PARAM_RSA_N),
            number_of(key, OSSL_PKEY_PARAM_RSA_E),
            secret_number_of(key, OSSL_PKEY_PARAM_RSA_D),
            secret_number_of(key, OSSL_PKEY_PARAM_RSA_COEFFICIENT1),
            secret_number_of(key, OSSL_PKEY_PARAM_RSA_FACTOR1),
            secret_number_of(key, OSSL_PKEY_PARAM_RSA_FACTOR2)};
}

agent::Result<std::unique_ptr<agent::SigningKey>> make(const RsaParts& parts)
{
    return agent::make_rsa_key(parts.n, parts.e, parts.d, parts.iqmp, parts.p, parts.q);
}

}  // namespace

TEST_CASE("RSA sign flags pick ssh-rsa, rsa-sha2-256 or rsa-sha2-512 with the matching digest")
{
    struct FlagCase {
        std::uint32_t flags;
        const char* algorithm;
        const char* digest;
    };
    const FlagCase cases[] = {
        {0, "ssh-rsa", "SHA1"},
        {protocol::sign_flag_rsa_sha2_256, "rsa-sha2-256", "SHA256"},
        {protocol::sign_flag_rsa_sha2_512, "rsa-sha2-512", "SHA512"},
        // Both set: OpenSSH's agent_decode_alg tests SHA-256 first.
        {protocol::sign_flag_rsa_sha2_256 | protocol::sign_flag_rsa_sha2_512, "rsa-sha2-256", "SHA256"},
        {0x01 | 0x08, "ssh-rsa", "SHA1"},  // unrelated bits change nothing
    };
    auto key = make(parts_of(*test_key()));
    REQUIRE(key);
    const Bytes data = text_bytes("userauth request");
    for (const FlagCase& c : cases) {
        CAPTURE(c.flags);
        auto blob = (*key)->sign(data, c.flags);
        REQUIRE(blob);
        const SshSignature signature = parse_signature(*blob);
        CHECK(signature.algorithm == c.algorithm);
        CHECK(signature.body.size() == 256);
        CHECK(openssl_verifies(*const_cast<EVP_PKEY*>(test_key().get()), c.digest, data, signature.body));
    }
}

TEST_CASE("RSA signatures are left-padded to the modulus size")
{
    // Signing many messages makes a signature with a leading zero byte likely (1 in 256 each);
    // every one must still be exactly as long as the modulus and verify.
    auto key = make(parts_of(*test_key()));
    REQUIRE(key);
    bool saw_leading_zero = false;
    for (int i = 0; i < 1200 && !saw_leading_zero; ++i) {
        const Bytes data = text_bytes("message " + std::to_string(i));
        auto blob = (*key)->sign(data, protocol::sign_flag_rsa_sha2_512);
        REQUIRE(blob);
        const SshSignature signature = parse_signature(*blob);
        REQUIRE(signature.body.size() == 256);
        if (signature.body[0] == 0) {
            saw_leading_zero = true;
            CHECK(openssl_verifies(*const_cast<EVP_PKEY*>(test_key().get()), "SHA512", data, signature.body));
        }
    }
    CHECK(saw_leading_zero);
}

TEST_CASE("RSA refuses parts that do not belong together")
{
    const RsaParts good = parts_of(*test_key());
    SUBCASE("p and q swapped: iqmp is then wrong")
    {
        RsaParts parts = parts_of(*test_key());
        std::swap(parts.p, parts.q);
        auto key = make(parts);
        REQUIRE_FALSE(key);
        CHECK(key.error().code == ErrorCode::key_mismatch);
    }
    SUBCASE("modulus of another key")
    {
        RsaParts parts = parts_of(*test_key());
        parts.n.back() ^= 0x02;
        auto key = make(parts);
        REQUIRE_FALSE(key);
        CHECK(key.error().code == ErrorCode::key_mismatch);
    }
    SUBCASE("private exponent changed")
    {
        RsaParts parts = parts_of(*test_key());
        parts.d[parts.d.size() - 1] ^= 0x02;
        auto key = make(parts);
        REQUIRE_FALSE(key);
        CHECK(key.error().code == ErrorCode::key_mismatch);
    }
    SUBCASE("public exponent changed")
    {
        RsaParts parts = parts_of(*test_key());
        parts.e = from_hex("010003");
        auto key = make(parts);
        REQUIRE_FALSE(key);
        CHECK(key.error().code == ErrorCode::key_mismatch);
    }
    SUBCASE("factor 1")
    {
        RsaParts parts = parts_of(*test_key());
        parts.p = SecretBytes(from_hex("01"));
        parts.q = SecretBytes(parts.n);
        auto key = make(parts);
        REQUIRE_FALSE(key);
        CHECK(key.error().code == ErrorCode::malformed);
    }
}

TEST_CASE("RSA accepts 1024-bit moduli and refuses smaller or larger ones")
{
    auto accepted = make(parts_of(*generate_rsa(1024)));
    CHECK(accepted);

    auto small = make(parts_of(*generate_rsa(768)));
    REQUIRE_FALSE(small);
    CHECK(small.error().code == ErrorCode::unsupported);
    CHECK(small.error().detail.find("768") != std::string::npos);

    // The size is checked before anything else, so a made-up 16385-bit modulus is enough.
    RsaParts huge = parts_of(*test_key());
    huge.n.assign(2049, 0xff);
    huge.n[0] = 0x01;
    auto too_large = make(huge);
    REQUIRE_FALSE(too_large);
    CHECK(too_large.error().code == ErrorCode::unsupported);
}
