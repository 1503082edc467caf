// Tests of agent/keys/ecdsa: each NIST curve round-trips through OpenSSL; bad points and scalars are refused.
#include <doctest/doctest.h>

#include "agent/keys/ecdsa.hpp"
#include "protocol/numbers.hpp"
#include "tests/unit/key_test_support.hpp"

using namespace latchkey;
using namespace latchkey::test;
using agent::ErrorCode;

namespace {

struct CurveCase {
    const char* ssh_name;
    const char* group;
    const char* digest;
    const char* algorithm;
};

const CurveCase curve_cases[] = {
    {"nistp256", "P-256", "SHA256", "ecdsa-sha2-nistp256"},
    {"nistp384", "P-384", "SHA384", "ecdsa-sha2-nistp384"},
    {"nistp521", "P-521", "SHA512", "ecdsa-sha2-nistp521"},
};

EvpPkey generate_ec(const char* group)
{
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>(group), 0),
        OSSL_PARAM_construct_end(),
    };
    return generate_key("EC", params);
}

Bytes public_point(const EVP_PKEY& key)
{
    Bytes point(200);
    std::size_t length = 0;
    REQUIRE(EVP_PKEY_get_octet_string_param(&key, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size(), &length) == 1);
    point.resize(length);
    return point;
}

// The DER form of an SSH ECDSA signature body string(mpint r ‖ mpint s) — its contents here.
Bytes der_from_ssh_body(ByteView body)
{
    protocol::WireReader reader(body);
    auto r = reader.read_positive_mpint();
    auto s = reader.read_positive_mpint();
    REQUIRE(r);
    REQUIRE(s);
    REQUIRE(reader.finish());
    return ecdsa_der(*r, *s);
}

}  // namespace

TEST_CASE("ECDSA signatures on each curve verify with OpenSSL under the curve's digest")
{
    for (const CurveCase& curve : curve_cases) {
        CAPTURE(curve.ssh_name);
        const EvpPkey generated = generate_ec(curve.group);
        auto key = agent::make_ecdsa_key(curve.ssh_name, public_point(*generated),
                                         secret_number_of(*generated, OSSL_PKEY_PARAM_PRIV_KEY));
        REQUIRE(key);
        const Bytes data = text_bytes("data to be signed");
        auto blob = (*key)->sign(data, protocol::sign_flag_rsa_sha2_512);  // flags do not matter
        REQUIRE(blob);
        const SshSignature signature = parse_signature(*blob);
        CHECK(signature.algorithm == curve.algorithm);
        const Bytes der = der_from_ssh_body(signature.body);
        CHECK(openssl_verifies(*generated, curve.digest, data, der));
        CHECK_FALSE(openssl_verifies(*generated, curve.digest, text_bytes("other"), der));
    }
}

TEST_CASE("ECDSA refuses a scalar that belongs to another key")
{
    const EvpPkey first = generate_ec("P-256");
    const EvpPkey second = generate_ec("P-256");
    auto key = agent::make_ecdsa_key("nistp256", public_point(*first),
                                     secret_number_of(*second, OSSL_PKEY_PARAM_PRIV_KEY));
    REQUIRE_FALSE(key);
    CHECK(key.error().code == ErrorCode::key_mismatch);
}

TEST_CASE("ECDSA refuses unknown curves, bad points and tiny scalars")
{
    const EvpPkey generated = generate_ec("P-256");
    const Bytes point = public_point(*generated);
    const SecretBytes scalar = secret_number_of(*generated, OSSL_PKEY_PARAM_PRIV_KEY);

    auto unknown = agent::make_ecdsa_key("nistp224", point, scalar);
    REQUIRE_FALSE(unknown);
    CHECK(unknown.error().code == ErrorCode::unsupported);

    auto wrong_curve = agent::make_ecdsa_key("nistp384", point, scalar);
    REQUIRE_FALSE(wrong_curve);
    CHECK(wrong_curve.error().code == ErrorCode::malformed);

    Bytes compressed(point.begin(), point.begin() + 33);
    compressed[0] = static_cast<std::uint8_t>(0x02 | (point.back() & 1));
    auto compressed_key = agent::make_ecdsa_key("nistp256", compressed, scalar);
    REQUIRE_FALSE(compressed_key);
    CHECK(compressed_key.error().code == ErrorCode::malformed);

    Bytes off_curve = point;
    off_curve.back() ^= 0x01;
    auto off_curve_key = agent::make_ecdsa_key("nistp256", off_curve, scalar);
    REQUIRE_FALSE(off_curve_key);
    CHECK(off_curve_key.error().code == ErrorCode::crypto_failure);

    auto tiny = agent::make_ecdsa_key("nistp256", point, SecretBytes(from_hex("0102")));
    REQUIRE_FALSE(tiny);
    CHECK(tiny.error().code == ErrorCode::malformed);
}
