// Tests of agent/keys/dsa: 1024/160 keys sign SHA-1 r‖s that OpenSSL verifies; other sizes and mismatches are refused.
#include <doctest/doctest.h>

#include "agent/keys/dsa.hpp"
#include "protocol/numbers.hpp"
#include "tests/unit/key_test_support.hpp"

using namespace latchkey;
using namespace latchkey::test;
using agent::ErrorCode;

namespace {

const EvpPkey& test_key()
{
    static const EvpPkey key = generate_dsa(1024, 160);
    return key;
}

agent::Result<std::unique_ptr<agent::SigningKey>> make(const EVP_PKEY& key, const SecretBytes& x)
{
    return agent::make_dsa_key(number_of(key, OSSL_PKEY_PARAM_FFC_P), number_of(key, OSSL_PKEY_PARAM_FFC_Q),
                               number_of(key, OSSL_PKEY_PARAM_FFC_G), number_of(key, OSSL_PKEY_PARAM_PUB_KEY), x);
}

}  // namespace

TEST_CASE("DSA signatures are ssh-dss with a 40-byte r‖s that OpenSSL verifies under SHA-1")
{
    auto key = make(*test_key(), secret_number_of(*test_key(), OSSL_PKEY_PARAM_PRIV_KEY));
    REQUIRE(key);
    const Bytes data = text_bytes("legacy host");
    for (int i = 0; i < 8; ++i) {  // r or s shorter than 20 bytes must still be padded
        auto blob = (*key)->sign(data, protocol::sign_flag_rsa_sha2_256);
        REQUIRE(blob);
        const SshSignature signature = parse_signature(*blob);
        CHECK(signature.algorithm == "ssh-dss");
        REQUIRE(signature.body.size() == 40);
        const ByteView body(signature.body);
        const Bytes der = dsa_der(body.first(20), body.subspan(20));
        CHECK(openssl_verifies(*const_cast<EVP_PKEY*>(test_key().get()), "SHA1", data, der));
        CHECK_FALSE(openssl_verifies(*const_cast<EVP_PKEY*>(test_key().get()), "SHA1", text_bytes("x"), der));
    }
}

TEST_CASE("DSA refuses a private key that does not give y")
{
    SecretBytes x = secret_number_of(*test_key(), OSSL_PKEY_PARAM_PRIV_KEY);
    x[x.size() - 1] ^= 0x01;
    auto key = make(*test_key(), x);
    REQUIRE_FALSE(key);
    CHECK(key.error().code == ErrorCode::key_mismatch);
}

TEST_CASE("DSA refuses sizes other than 1024/160")
{
    const EvpPkey larger = generate_dsa(2048, 224);
    auto key = make(*larger, secret_number_of(*larger, OSSL_PKEY_PARAM_PRIV_KEY));
    REQUIRE_FALSE(key);
    CHECK(key.error().code == ErrorCode::unsupported);
}
