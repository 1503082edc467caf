// ECDSA: SHA-2 matched to the curve; signatures are string(mpint r ‖ mpint s) (RFC 5656 §3.1.2).
#include "agent/keys/ecdsa.hpp"

#include <openssl/core_names.h>

#include <array>

#include "agent/keys/bignum.hpp"
#include "agent/keys/evp_key.hpp"
#include "agent/keys/secure_heap_guard.hpp"

namespace latchkey::agent {

namespace {

struct Curve {
    std::string_view ssh_name;
    const char* group;           // OpenSSL group name
    const char* digest;          // RFC 5656 §6.2.1
    std::string_view algorithm;  // signature and key type name
    std::size_t field_bytes;
    int order_bits;
};

constexpr std::array curves{
    Curve{"nistp256", "P-256", "SHA256", "ecdsa-sha2-nistp256", 32, 256},
    Curve{"nistp384", "P-384", "SHA384", "ecdsa-sha2-nistp384", 48, 384},
    Curve{"nistp521", "P-521", "SHA512", "ecdsa-sha2-nistp521", 66, 521},
};

class EcdsaKey final : public SigningKey {
public:
    EcdsaKey(const Curve& curve, EvpPkey key, SignContext context)
        : curve_(curve), key_(std::move(key)), context_(std::move(context))
    {
    }

    Result<protocol::Bytes> sign(protocol::ByteView data, std::uint32_t) const override
    {
        LATCHKEY_TRY(protocol::Bytes der, context_.sign(data));
        const unsigned char* cursor = der.data();
        EcdsaSig signature(d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(der.size())));
        if (!signature)
            return fail(openssl_failure("cannot decode the ECDSA signature"));
        const BIGNUM* r = nullptr;
        const BIGNUM* s = nullptr;
        ECDSA_SIG_get0(signature.get(), &r, &s);
        LATCHKEY_TRY(protocol::Bytes r_bytes, bignum_bytes(*r));
        LATCHKEY_TRY(protocol::Bytes s_bytes, bignum_bytes(*s));
        protocol::WireWriter body;
        body.write_positive_mpint(r_bytes);
        body.write_positive_mpint(s_bytes);
        return signature_blob(curve_.algorithm, body.buffer());
    }

private:
    const Curve& curve_;
    EvpPkey key_;
    SignContext context_;
};

// The number of significant bits of a big-endian magnitude.
int significant_bits(protocol::ByteView magnitude)
{
    std::size_t i = 0;
    while (i < magnitude.size() && magnitude[i] == 0)
        ++i;
    if (i == magnitude.size())
        return 0;
    int top = 8;
    while ((magnitude[i] & (1u << (top - 1))) == 0)
        --top;
    return static_cast<int>((magnitude.size() - i - 1) * 8) + top;
}

// OpenSSH's sshkey_ec_validate_public: a point of the right size whose coordinates are not tiny.
Result<void> check_public_point(const Curve& curve, protocol::ByteView point)
{
    if (point.size() != 1 + 2 * curve.field_bytes || point[0] != 0x04)
        return fail(Error(ErrorCode::malformed, "ECDSA public key is not an uncompressed point on " +
                                                    std::string(curve.ssh_name)));
    if (significant_bits(point.subspan(1, curve.field_bytes)) <= curve.order_bits / 2 ||
        significant_bits(point.subspan(1 + curve.field_bytes)) <= curve.order_bits / 2)
        return fail(Error(ErrorCode::malformed, "ECDSA public point has an implausibly small coordinate"));
    return {};
}

Result<EvpPkey> build(const Curve& curve, protocol::ByteView public_point, protocol::ByteView scalar)
{
    LATCHKEY_TRY(Bignum private_number, secret_bignum(scalar));
    // OpenSSH's sshkey_ec_validate_private: log2(private) > log2(order) / 2.
    if (BN_num_bits(private_number.get()) <= curve.order_bits / 2)
        return fail(Error(ErrorCode::malformed, "ECDSA private scalar is implausibly small"));
    ParamBuilder builder(OSSL_PARAM_BLD_new());
    if (!builder ||
        OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, curve.group, 0) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, public_point.data(),
                                         public_point.size()) != 1)
        return fail(openssl_failure("cannot collect the ECDSA key parameters"));
    LATCHKEY_CHECK(push_bignums(*builder, {{OSSL_PKEY_PARAM_PRIV_KEY, private_number.get()}}));
    LATCHKEY_TRY(EvpPkey key, key_pair_from_params("EC", *builder));
    LATCHKEY_CHECK(check_key_pair(*key, "ECDSA private scalar does not give the public point"));
    return key;
}

}  // namespace

Result<std::unique_ptr<SigningKey>> make_ecdsa_key(std::string_view curve_name, protocol::ByteView public_point,
                                                   const SecretBytes& scalar)
{
    const Curve* curve = nullptr;
    for (const Curve& candidate : curves) {
        if (candidate.ssh_name == curve_name)
            curve = &candidate;
    }
    if (curve == nullptr)
        return fail(Error(ErrorCode::unsupported, "ECDSA curve " + std::string(curve_name)));
    LATCHKEY_CHECK(check_public_point(*curve, public_point));
    if (scalar.size() > curve->field_bytes)
        return fail(Error(ErrorCode::malformed, "ECDSA private scalar is longer than the curve order"));
    LATCHKEY_TRY(EvpPkey key, build_in_locked_heap(locked_bytes_for_small_key, [&] {
                     return build(*curve, public_point, scalar.view());
                 }));
    LATCHKEY_TRY(SignContext context, SignContext::make(*key, curve->digest));
    return std::unique_ptr<SigningKey>(std::make_unique<EcdsaKey>(*curve, std::move(key), std::move(context)));
}

}  // namespace latchkey::agent
