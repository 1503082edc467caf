// Test helpers for agent/keys: generate keys with OpenSSL, take them apart, check SSH signatures.
#pragma once

#include <doctest/doctest.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <string>
#include <string_view>
#include <utility>

#include "agent/keys/openssl_handles.hpp"
#include "protocol/secret_bytes.hpp"
#include "protocol/wire.hpp"
#include "tests/support/bytes.hpp"

namespace latchkey::test {

using agent::EvpPkey;
using protocol::ByteView;
using protocol::Bytes;

inline Bytes text_bytes(std::string_view text)
{
    return Bytes(text.begin(), text.end());
}

// A fresh key of `type` made by EVP_PKEY_generate, with `params` (may be null) set on the context.
inline EvpPkey generate_key(const char* type, const OSSL_PARAM* params = nullptr)
{
    agent::EvpPkeyCtx context(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
    REQUIRE(context);
    REQUIRE(EVP_PKEY_keygen_init(context.get()) == 1);
    if (params != nullptr)
        REQUIRE(EVP_PKEY_CTX_set_params(context.get(), params) == 1);
    EVP_PKEY* key = nullptr;
    REQUIRE(EVP_PKEY_generate(context.get(), &key) == 1);
    return EvpPkey(key);
}

// A fresh DSA key over fresh domain parameters of p_bits/q_bits.
inline EvpPkey generate_dsa(std::size_t p_bits, std::size_t q_bits)
{
    agent::EvpPkeyCtx context(EVP_PKEY_CTX_new_from_name(nullptr, "DSA", nullptr));
    REQUIRE(context);
    REQUIRE(EVP_PKEY_paramgen_init(context.get()) == 1);
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_size_t(OSSL_PKEY_PARAM_FFC_PBITS, &p_bits),
        OSSL_PARAM_construct_size_t(OSSL_PKEY_PARAM_FFC_QBITS, &q_bits),
        OSSL_PARAM_construct_end(),
    };
    REQUIRE(EVP_PKEY_CTX_set_params(context.get(), params) == 1);
    EVP_PKEY* raw_parameters = nullptr;
    REQUIRE(EVP_PKEY_generate(context.get(), &raw_parameters) == 1);
    EvpPkey parameters(raw_parameters);
    agent::EvpPkeyCtx key_context(EVP_PKEY_CTX_new_from_pkey(nullptr, parameters.get(), nullptr));
    REQUIRE(key_context);
    REQUIRE(EVP_PKEY_keygen_init(key_context.get()) == 1);
    EVP_PKEY* key = nullptr;
    REQUIRE(EVP_PKEY_generate(key_context.get(), &key) == 1);
    return EvpPkey(key);
}

// The big-endian magnitude of one numeric parameter of `key`.
inline Bytes number_of(const EVP_PKEY& key, const char* name)
{
    BIGNUM* raw = nullptr;
    REQUIRE(EVP_PKEY_get_bn_param(&key, name, &raw) == 1);
    agent::Bignum number(raw);
    Bytes bytes(static_cast<std::size_t>(BN_num_bytes(number.get())));
    BN_bn2bin(number.get(), bytes.data());
    return bytes;
}

inline SecretBytes secret_number_of(const EVP_PKEY& key, const char* name)
{
    return SecretBytes(number_of(key, name));
}

// An SSH signature blob taken apart: string algorithm ‖ string signature, nothing after.
struct SshSignature {
    std::string algorithm;
    Bytes body;
};

inline SshSignature parse_signature(ByteView blob)
{
    protocol::WireReader reader(blob);
    auto algorithm = reader.read_text();
    REQUIRE(algorithm);
    auto body = reader.read_string();
    REQUIRE(body);
    REQUIRE(reader.finish());
    return {*algorithm, Bytes(body->begin(), body->end())};
}

// True if `signature` (in OpenSSL's format: raw, or DER for ECDSA/DSA) verifies `data` under `key`.
inline bool openssl_verifies(EVP_PKEY& key, const char* digest, ByteView data, ByteView signature)
{
    agent::EvpMdCtx context(EVP_MD_CTX_new());
    REQUIRE(context);
    REQUIRE(EVP_DigestVerifyInit_ex(context.get(), nullptr, digest, nullptr, nullptr, &key, nullptr) == 1);
    const int status = EVP_DigestVerify(context.get(), signature.data(), signature.size(), data.data(), data.size());
    ERR_clear_error();
    return status == 1;
}

// r and s (big-endian) as the DER signature OpenSSL's ECDSA verifier takes.
inline Bytes ecdsa_der(ByteView r, ByteView s)
{
    agent::EcdsaSig signature(ECDSA_SIG_new());
    REQUIRE(signature);
    REQUIRE(ECDSA_SIG_set0(signature.get(), BN_bin2bn(r.data(), static_cast<int>(r.size()), nullptr),
                           BN_bin2bn(s.data(), static_cast<int>(s.size()), nullptr)) == 1);
    Bytes der(static_cast<std::size_t>(i2d_ECDSA_SIG(signature.get(), nullptr)));
    unsigned char* cursor = der.data();
    REQUIRE(i2d_ECDSA_SIG(signature.get(), &cursor) == static_cast<int>(der.size()));
    return der;
}

// r and s (big-endian) as the DER signature OpenSSL's DSA verifier takes.
inline Bytes dsa_der(ByteView r, ByteView s)
{
    agent::DsaSig signature(DSA_SIG_new());
    REQUIRE(signature);
    REQUIRE(DSA_SIG_set0(signature.get(), BN_bin2bn(r.data(), static_cast<int>(r.size()), nullptr),
                         BN_bin2bn(s.data(), static_cast<int>(s.size()), nullptr)) == 1);
    Bytes der(static_cast<std::size_t>(i2d_DSA_SIG(signature.get(), nullptr)));
    unsigned char* cursor = der.data();
    REQUIRE(i2d_DSA_SIG(signature.get(), &cursor) == static_cast<int>(der.size()));
    return der;
}

}  // namespace latchkey::test
