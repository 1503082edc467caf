// Signature verification from public key blobs: EVP keys built from public parameters, EVP_DigestVerify.
#include "agent/keys/verify.hpp"

#include <openssl/core_names.h>
#include <openssl/err.h>

#include <algorithm>
#include <iterator>
#include <string>

#include "agent/keys/bignum.hpp"
#include "agent/keys/evp_key.hpp"

namespace latchkey::agent {

namespace {

using protocol::ByteView;
using protocol::Bytes;

// The two fields of an SSH signature blob.
struct SignatureParts {
    std::string algorithm;
    ByteView signature;
};

Result<SignatureParts> split_signature(ByteView blob)
{
    protocol::WireReader reader(blob);
    SignatureParts parts;
    LATCHKEY_TRY(parts.algorithm, reader.read_text());
    LATCHKEY_TRY(parts.signature, reader.read_string());
    LATCHKEY_CHECK(reader.finish());
    return parts;
}

Error wrong_algorithm(std::string_view algorithm, std::string_view key_type)
{
    return Error(ErrorCode::malformed, "a " + std::string(algorithm) + " signature cannot come from a " +
                                           std::string(key_type) + " key");
}

// A public-only EVP key of `key_type` from the builder's parameters.
Result<EvpPkey> public_key_from_params(const char* key_type, OSSL_PARAM_BLD& builder)
{
    Params params(OSSL_PARAM_BLD_to_param(&builder));
    EvpPkeyCtx context(EVP_PKEY_CTX_new_from_name(nullptr, key_type, nullptr));
    if (!params || !context || EVP_PKEY_fromdata_init(context.get()) != 1)
        return fail(openssl_failure(std::string("cannot create a ") + key_type + " public key"));
    EVP_PKEY* raw_key = nullptr;
    if (EVP_PKEY_fromdata(context.get(), &raw_key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
        return fail(openssl_failure(std::string("OpenSSL rejected the ") + key_type + " public key"));
    return EvpPkey(raw_key);
}

// EVP_DigestVerify with the digest named `digest` (nullptr for Ed25519).
Result<void> digest_verify(EVP_PKEY& key, const char* digest, ByteView data, ByteView signature)
{
    EvpMdCtx context(EVP_MD_CTX_new());
    if (!context || EVP_DigestVerifyInit_ex(context.get(), nullptr, digest, nullptr, nullptr, &key, nullptr) != 1)
        return fail(openssl_failure("cannot start verifying a signature"));
    int verified = EVP_DigestVerify(context.get(), signature.data(), signature.size(), data.data(), data.size());
    ERR_clear_error();
    if (verified != 1)
        return fail(Error(ErrorCode::refused, "signature does not verify"));
    return {};
}

Result<Bytes> ecdsa_der(ByteView r, ByteView s)
{
    LATCHKEY_TRY(Bignum r_number, public_bignum(r));
    LATCHKEY_TRY(Bignum s_number, public_bignum(s));
    EcdsaSig signature(ECDSA_SIG_new());
    if (!signature || ECDSA_SIG_set0(signature.get(), r_number.get(), s_number.get()) != 1)
        return fail(openssl_failure("cannot hold an ECDSA signature"));
    (void)r_number.release();
    (void)s_number.release();
    unsigned char* der = nullptr;
    int length = i2d_ECDSA_SIG(signature.get(), &der);
    if (length <= 0)
        return fail(openssl_failure("cannot encode an ECDSA signature"));
    Bytes bytes(der, der + length);
    OPENSSL_free(der);
    return bytes;
}

Result<Bytes> dsa_der(ByteView r, ByteView s)
{
    LATCHKEY_TRY(Bignum r_number, public_bignum(r));
    LATCHKEY_TRY(Bignum s_number, public_bignum(s));
    DsaSig signature(DSA_SIG_new());
    if (!signature || DSA_SIG_set0(signature.get(), r_number.get(), s_number.get()) != 1)
        return fail(openssl_failure("cannot hold a DSA signature"));
    (void)r_number.release();
    (void)s_number.release();
    unsigned char* der = nullptr;
    int length = i2d_DSA_SIG(signature.get(), &der);
    if (length <= 0)
        return fail(openssl_failure("cannot encode a DSA signature"));
    Bytes bytes(der, der + length);
    OPENSSL_free(der);
    return bytes;
}

// One plain key's check of a split signature; the certificate case reduces to these.
struct PlainVerifier {
    const SignatureParts& parts;
    ByteView data;

    Result<void> operator()(const protocol::Ed25519PublicKey& key) const
    {
        if (parts.algorithm != "ssh-ed25519")
            return fail(wrong_algorithm(parts.algorithm, "ssh-ed25519"));
        if (parts.signature.size() != 64)
            return fail(Error(ErrorCode::malformed, "Ed25519 signature is not 64 bytes"));
        EvpPkey evp(EVP_PKEY_new_raw_public_key_ex(nullptr, "ED25519", nullptr, key.point.data(), key.point.size()));
        if (!evp)
            return fail(openssl_failure("cannot create the Ed25519 public key"));
        return digest_verify(*evp, nullptr, data, parts.signature);
    }

    Result<void> operator()(const protocol::EcdsaPublicKey& key) const
    {
        static constexpr struct {
            protocol::EcdsaCurve curve;
            std::string_view algorithm;
            const char* group;
            const char* digest;
        } curves[] = {
            {protocol::EcdsaCurve::nistp256, "ecdsa-sha2-nistp256", "P-256", "SHA256"},
            {protocol::EcdsaCurve::nistp384, "ecdsa-sha2-nistp384", "P-384", "SHA384"},
            {protocol::EcdsaCurve::nistp521, "ecdsa-sha2-nistp521", "P-521", "SHA512"},
        };
        const auto& curve = *std::find_if(std::begin(curves), std::end(curves),
                                          [&](const auto& c) { return c.curve == key.curve; });
        if (parts.algorithm != curve.algorithm)
            return fail(wrong_algorithm(parts.algorithm, curve.algorithm));
        protocol::WireReader reader(parts.signature);
        LATCHKEY_TRY(ByteView r, reader.read_positive_mpint());
        LATCHKEY_TRY(ByteView s, reader.read_positive_mpint());
        LATCHKEY_CHECK(reader.finish());
        LATCHKEY_TRY(Bytes der, ecdsa_der(r, s));
        ParamBuilder builder(OSSL_PARAM_BLD_new());
        if (!builder ||
            OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, curve.group, 0) != 1 ||
            OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, key.point.data(),
                                             key.point.size()) != 1)
            return fail(openssl_failure("cannot collect the ECDSA public key parameters"));
        LATCHKEY_TRY(EvpPkey evp, public_key_from_params("EC", *builder));
        return digest_verify(*evp, curve.digest, data, der);
    }

    Result<void> operator()(const protocol::RsaPublicKey& key) const
    {
        const char* digest = parts.algorithm == "ssh-rsa"        ? "SHA1"
                             : parts.algorithm == "rsa-sha2-256" ? "SHA256"
                             : parts.algorithm == "rsa-sha2-512" ? "SHA512"
                                                                 : nullptr;
        if (digest == nullptr)
            return fail(wrong_algorithm(parts.algorithm, "ssh-rsa"));
        // As OpenSSH's ssh_rsa_verify: a shorter signature is left-padded to the modulus size.
        if (parts.signature.size() > key.n.size())
            return fail(Error(ErrorCode::malformed, "RSA signature is longer than the modulus"));
        Bytes padded(key.n.size() - parts.signature.size(), 0);
        padded.insert(padded.end(), parts.signature.begin(), parts.signature.end());
        LATCHKEY_TRY(Bignum n, public_bignum(key.n));
        LATCHKEY_TRY(Bignum e, public_bignum(key.e));
        ParamBuilder builder(OSSL_PARAM_BLD_new());
        if (!builder)
            return fail(openssl_failure("cannot collect the RSA public key parameters"));
        LATCHKEY_CHECK(push_bignums(*builder, {{OSSL_PKEY_PARAM_RSA_N, n.get()}, {OSSL_PKEY_PARAM_RSA_E, e.get()}}));
        LATCHKEY_TRY(EvpPkey evp, public_key_from_params("RSA", *builder));
        return digest_verify(*evp, digest, data, padded);
    }

    Result<void> operator()(const protocol::DsaPublicKey& key) const
    {
        if (parts.algorithm != "ssh-dss")
            return fail(wrong_algorithm(parts.algorithm, "ssh-dss"));
        if (parts.signature.size() != 40)  // RFC 4253 §6.6: r and s, 160 bits each
            return fail(Error(ErrorCode::malformed, "DSA signature is not 40 bytes"));
        LATCHKEY_TRY(Bytes der, dsa_der(parts.signature.first(20), parts.signature.subspan(20)));
        LATCHKEY_TRY(Bignum p, public_bignum(key.p));
        LATCHKEY_TRY(Bignum q, public_bignum(key.q));
        LATCHKEY_TRY(Bignum g, public_bignum(key.g));
        LATCHKEY_TRY(Bignum y, public_bignum(key.y));
        ParamBuilder builder(OSSL_PARAM_BLD_new());
        if (!builder)
            return fail(openssl_failure("cannot collect the DSA public key parameters"));
        LATCHKEY_CHECK(push_bignums(*builder, {{OSSL_PKEY_PARAM_FFC_P, p.get()},
                                               {OSSL_PKEY_PARAM_FFC_Q, q.get()},
                                               {OSSL_PKEY_PARAM_FFC_G, g.get()},
                                               {OSSL_PKEY_PARAM_PUB_KEY, y.get()}}));
        LATCHKEY_TRY(EvpPkey evp, public_key_from_params("DSA", *builder));
        return digest_verify(*evp, "SHA1", data, der);
    }

    Result<void> operator()(const protocol::SkEd25519PublicKey&) const { return unsupported(); }
    Result<void> operator()(const protocol::SkEcdsaPublicKey&) const { return unsupported(); }

    static Result<void> unsupported()
    {
        return fail(Error(ErrorCode::unsupported, "verifying security key (sk-*) signatures is not supported"));
    }
};

}  // namespace

Result<void> verify_signature(const protocol::PublicKey& key, ByteView signature_blob, ByteView data)
{
    LATCHKEY_TRY(SignatureParts parts, split_signature(signature_blob));
    return std::visit(PlainVerifier{parts, data}, protocol::underlying_key(key));
}

Result<void> verify_certificate(const protocol::Certificate& certificate)
{
    LATCHKEY_TRY(protocol::PublicKey authority, protocol::decode_public_key(certificate.signature_key));
    if (protocol::is_certificate(authority))
        return fail(Error(ErrorCode::malformed, "a certificate is signed by another certificate"));
    Bytes blob = protocol::encode_public_key(certificate);
    // Everything before the last field (string signature) is signed.
    ByteView signed_part = ByteView(blob).first(blob.size() - 4 - certificate.signature.size());
    return verify_signature(authority, certificate.signature, signed_part);
}

}  // namespace latchkey::agent
