// DSA: SHA-1 signatures whose body is r ‖ s, each 20 bytes (RFC 4253 §6.6).
#include "agent/keys/dsa.hpp"

#include <openssl/core_names.h>

#include "agent/keys/bignum.hpp"
#include "agent/keys/evp_key.hpp"
#include "agent/keys/secure_heap_guard.hpp"

namespace latchkey::agent {

namespace {

constexpr int p_bits = 1024;
constexpr int q_bits = 160;
constexpr std::size_t half_signature_bytes = q_bits / 8;

class DsaKey final : public SigningKey {
public:
    explicit DsaKey(EvpPkey key) : key_(std::move(key)) {}

    Result<protocol::Bytes> sign(protocol::ByteView data, std::uint32_t) const override
    {
        LATCHKEY_TRY(protocol::Bytes der, digest_sign(*key_, "SHA1", data));
        const unsigned char* cursor = der.data();
        DsaSig signature(d2i_DSA_SIG(nullptr, &cursor, static_cast<long>(der.size())));
        if (!signature)
            return fail(openssl_failure("cannot decode the DSA signature"));
        const BIGNUM* r = nullptr;
        const BIGNUM* s = nullptr;
        DSA_SIG_get0(signature.get(), &r, &s);
        LATCHKEY_TRY(protocol::Bytes body, bignum_bytes(*r, half_signature_bytes));
        LATCHKEY_TRY(protocol::Bytes s_bytes, bignum_bytes(*s, half_signature_bytes));
        body.insert(body.end(), s_bytes.begin(), s_bytes.end());
        return signature_blob("ssh-dss", body);
    }

private:
    EvpPkey key_;
};

struct DsaPublic {
    Bignum p, q, g, y;
};

Result<EvpPkey> build(const DsaPublic& numbers, const SecretBytes& x)
{
    LATCHKEY_TRY(Bignum private_number, secret_bignum(x.view()));
    ParamBuilder builder(OSSL_PARAM_BLD_new());
    if (!builder)
        return fail(openssl_failure("cannot collect the DSA key parameters"));
    LATCHKEY_CHECK(push_bignums(*builder, {
                                              {OSSL_PKEY_PARAM_FFC_P, numbers.p.get()},
                                              {OSSL_PKEY_PARAM_FFC_Q, numbers.q.get()},
                                              {OSSL_PKEY_PARAM_FFC_G, numbers.g.get()},
                                              {OSSL_PKEY_PARAM_PUB_KEY, numbers.y.get()},
                                              {OSSL_PKEY_PARAM_PRIV_KEY, private_number.get()},
                                          }));
    LATCHKEY_TRY(EvpPkey key, key_pair_from_params("DSA", *builder));
    LATCHKEY_CHECK(check_key_pair(*key, "DSA private key does not give the public key"));
    return key;
}

}  // namespace

Result<std::unique_ptr<SigningKey>> make_dsa_key(protocol::ByteView p, protocol::ByteView q, protocol::ByteView g,
                                                 protocol::ByteView y, const SecretBytes& x)
{
    DsaPublic numbers;
    LATCHKEY_TRY(numbers.p, public_bignum(p));
    LATCHKEY_TRY(numbers.q, public_bignum(q));
    LATCHKEY_TRY(numbers.g, public_bignum(g));
    LATCHKEY_TRY(numbers.y, public_bignum(y));
    if (BN_num_bits(numbers.p.get()) != p_bits || BN_num_bits(numbers.q.get()) != q_bits)
        return fail(Error(ErrorCode::unsupported, "DSA key is not 1024-bit p with 160-bit q"));
    LATCHKEY_TRY(EvpPkey key, build_in_locked_heap(locked_bytes_for_small_key, [&] { return build(numbers, x); }));
    return std::unique_ptr<SigningKey>(std::make_unique<DsaKey>(std::move(key)));
}

}  // namespace latchkey::agent
