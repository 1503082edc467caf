// RSA: PKCS#1 v1.5 signatures with SHA-1, SHA-256 or SHA-512 picked by the sign flags (RFC 8332 §3).
#include "agent/keys/rsa.hpp"

#include <openssl/core_names.h>

#include "agent/keys/bignum.hpp"
#include "agent/keys/evp_key.hpp"
#include "agent/keys/secure_heap_guard.hpp"
#include "protocol/numbers.hpp"

namespace latchkey::agent {

namespace {

struct RsaAlgorithm {
    const char* name;
    const char* digest;
};

// As OpenSSH's agent_decode_alg: SHA-256 wins when both flags are set; neither means ssh-rsa.
RsaAlgorithm algorithm_for(std::uint32_t flags)
{
    if ((flags & protocol::sign_flag_rsa_sha2_256) != 0)
        return {"rsa-sha2-256", "SHA256"};
    if ((flags & protocol::sign_flag_rsa_sha2_512) != 0)
        return {"rsa-sha2-512", "SHA512"};
    return {"ssh-rsa", "SHA1"};
}

class RsaKey final : public SigningKey {
public:
    RsaKey(EvpPkey key, std::size_t modulus_bytes) : key_(std::move(key)), modulus_bytes_(modulus_bytes) {}

    Result<protocol::Bytes> sign(protocol::ByteView data, std::uint32_t flags) const override
    {
        const RsaAlgorithm algorithm = algorithm_for(flags);
        LATCHKEY_TRY(protocol::Bytes raw, digest_sign(*key_, algorithm.digest, data));
        if (raw.size() > modulus_bytes_)
            return fail(Error(ErrorCode::crypto_failure, "RSA signature longer than the modulus"));
        // RFC 8332 §3: the signature has the length of the modulus, zeros first.
        raw.insert(raw.begin(), modulus_bytes_ - raw.size(), 0);
        return signature_blob(algorithm.name, raw);
    }

private:
    EvpPkey key_;
    std::size_t modulus_bytes_;
};

// The numbers of one key, secret ones in the secure heap.
struct RsaNumbers {
    Bignum n, e, d, iqmp, p, q, dmp1, dmq1;
};

// exponent mod (prime − 1), checking that it inverts e there.
Result<Bignum> crt_exponent(const BIGNUM& d, const BIGNUM& e, const BIGNUM& prime, BN_CTX& context)
{
    LATCHKEY_TRY(Bignum prime_minus_one, secret_bignum());
    LATCHKEY_TRY(Bignum exponent, secret_bignum());
    LATCHKEY_TRY(Bignum product, secret_bignum());
    if (BN_sub(prime_minus_one.get(), &prime, BN_value_one()) != 1 ||
        BN_mod(exponent.get(), &d, prime_minus_one.get(), &context) != 1 ||
        BN_mod_mul(product.get(), &e, exponent.get(), prime_minus_one.get(), &context) != 1)
        return fail(openssl_failure("cannot compute the RSA CRT exponents"));
    if (!BN_is_one(product.get()))
        return fail(Error(ErrorCode::key_mismatch, "RSA private exponent does not invert the public exponent"));
    return exponent;
}

// Completes and checks the CRT parameters: n = p·q, e·d ≡ 1 mod p−1 and q−1, iqmp·q ≡ 1 mod p.
Result<void> complete(RsaNumbers& numbers)
{
    BnCtx context(BN_CTX_secure_new());
    if (!context)
        return fail(openssl_failure("cannot allocate an RSA computation"));
    if (BN_cmp(numbers.p.get(), BN_value_one()) <= 0 || BN_cmp(numbers.q.get(), BN_value_one()) <= 0)
        return fail(Error(ErrorCode::malformed, "RSA prime factor is 0 or 1"));
    LATCHKEY_TRY(Bignum product, secret_bignum());
    if (BN_mul(product.get(), numbers.p.get(), numbers.q.get(), context.get()) != 1)
        return fail(openssl_failure("cannot check the RSA modulus"));
    if (BN_cmp(product.get(), numbers.n.get()) != 0)
        return fail(Error(ErrorCode::key_mismatch, "RSA prime factors do not give the modulus"));
    LATCHKEY_TRY(numbers.dmp1, crt_exponent(*numbers.d, *numbers.e, *numbers.p, *context));
    LATCHKEY_TRY(numbers.dmq1, crt_exponent(*numbers.d, *numbers.e, *numbers.q, *context));
    if (BN_mod_mul(product.get(), numbers.iqmp.get(), numbers.q.get(), numbers.p.get(), context.get()) != 1)
        return fail(openssl_failure("cannot check the RSA CRT coefficient"));
    if (!BN_is_one(product.get()))
        return fail(Error(ErrorCode::key_mismatch, "RSA coefficient iqmp is not the inverse of q mod p"));
    return {};
}

Result<EvpPkey> build(RsaNumbers& numbers, const SecretBytes& d, const SecretBytes& iqmp, const SecretBytes& p,
                      const SecretBytes& q)
{
    LATCHKEY_TRY(numbers.d, secret_bignum(d.view()));
    LATCHKEY_TRY(numbers.iqmp, secret_bignum(iqmp.view()));
    LATCHKEY_TRY(numbers.p, secret_bignum(p.view()));
    LATCHKEY_TRY(numbers.q, secret_bignum(q.view()));
    LATCHKEY_CHECK(complete(numbers));
    ParamBuilder builder(OSSL_PARAM_BLD_new());
    if (!builder)
        return fail(openssl_failure("cannot collect the RSA key parameters"));
    LATCHKEY_CHECK(push_bignums(*builder, {
                                              {OSSL_PKEY_PARAM_RSA_N, numbers.n.get()},
                                              {OSSL_PKEY_PARAM_RSA_E, numbers.e.get()},
                                              {OSSL_PKEY_PARAM_RSA_D, numbers.d.get()},
                                              {OSSL_PKEY_PARAM_RSA_FACTOR1, numbers.p.get()},
                                              {OSSL_PKEY_PARAM_RSA_FACTOR2, numbers.q.get()},
                                              {OSSL_PKEY_PARAM_RSA_EXPONENT1, numbers.dmp1.get()},
                                              {OSSL_PKEY_PARAM_RSA_EXPONENT2, numbers.dmq1.get()},
                                              {OSSL_PKEY_PARAM_RSA_COEFFICIENT1, numbers.iqmp.get()},
                                          }));
    return key_pair_from_params("RSA", *builder);
}

}  // namespace

Result<std::unique_ptr<SigningKey>> make_rsa_key(protocol::ByteView n, protocol::ByteView e, const SecretBytes& d,
                                                 const SecretBytes& iqmp, const SecretBytes& p,
                                                 const SecretBytes& q)
{
    RsaNumbers numbers;
    LATCHKEY_TRY(numbers.n, public_bignum(n));
    LATCHKEY_TRY(numbers.e, public_bignum(e));
    const int bits = BN_num_bits(numbers.n.get());
    if (bits < rsa_min_modulus_bits || bits > rsa_max_modulus_bits)
        return fail(Error(ErrorCode::unsupported, "RSA modulus of " + std::to_string(bits) + " bits (accepted: " +
                                                      std::to_string(rsa_min_modulus_bits) + " to " +
                                                      std::to_string(rsa_max_modulus_bits) + ")"));
    const auto modulus_bytes = static_cast<std::size_t>(BN_num_bytes(numbers.n.get()));
    LATCHKEY_TRY(EvpPkey key, build_in_locked_heap(locked_bytes_for_rsa(modulus_bytes),
                                                   [&] { return build(numbers, d, iqmp, p, q); }));
    return std::unique_ptr<SigningKey>(std::make_unique<RsaKey>(std::move(key), modulus_bytes));
}

}  // namespace latchkey::agent
