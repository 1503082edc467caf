// Shared EVP helpers for the key algorithms.
#include "agent/keys/evp_key.hpp"

#include <openssl/crypto.h>
#include <openssl/err.h>

#include <array>
#include <string>

#include "platform/secure_memory.hpp"

namespace latchkey::agent {

Error openssl_failure(std::string_view what)
{
    std::string detail(what);
    // OpenSSL 3.0's secure heap queues no error when it is full: the caller reports a malloc failure,
    // which on this platform means the secure heap (ordinary malloc failing would end the process).
    // Later versions add CRYPTO_R_SECURE_MALLOC_FAILURE.
    const bool secure_heap_in_use = platform::secure_heap_ready();
    bool secure_heap_refused = false;
    unsigned long last = 0;
    while (unsigned long code = ERR_get_error()) {
        const int reason = ERR_GET_REASON(code);
        secure_heap_refused |= (ERR_GET_LIB(code) == ERR_LIB_CRYPTO && reason == CRYPTO_R_SECURE_MALLOC_FAILURE) ||
                               (secure_heap_in_use && reason == ERR_R_MALLOC_FAILURE);
        last = code;
    }
    if (last != 0) {
        std::array<char, 256> reason{};
        ERR_error_string_n(last, reason.data(), reason.size());
        detail += " (";
        detail += reason.data();
        detail += ")";
    }
    return Error(secure_heap_refused ? ErrorCode::locked_memory_full : ErrorCode::crypto_failure, std::move(detail));
}

Result<void> push_bignums(OSSL_PARAM_BLD& builder,
                          std::initializer_list<std::pair<const char*, const BIGNUM*>> numbers)
{
    for (const auto& [name, number] : numbers) {
        if (OSSL_PARAM_BLD_push_BN(&builder, name, number) != 1)
            return fail(openssl_failure(std::string("cannot add key parameter ") + name));
    }
    return {};
}

Result<EvpPkey> key_pair_from_params(const char* key_type, OSSL_PARAM_BLD& builder)
{
    Params params(OSSL_PARAM_BLD_to_param(&builder));
    if (!params)
        return fail(openssl_failure(std::string("cannot collect the ") + key_type + " key parameters"));
    EvpPkeyCtx context(EVP_PKEY_CTX_new_from_name(nullptr, key_type, nullptr));
    if (!context || EVP_PKEY_fromdata_init(context.get()) != 1)
        return fail(openssl_failure(std::string("cannot create a ") + key_type + " key"));
    EVP_PKEY* raw_key = nullptr;
    if (EVP_PKEY_fromdata(context.get(), &raw_key, EVP_PKEY_KEYPAIR, params.get()) != 1)
        return fail(openssl_failure(std::string("OpenSSL rejected the ") + key_type + " key"));
    return EvpPkey(raw_key);
}

Result<void> check_key_pair(EVP_PKEY& key, std::string_view what)
{
    EvpPkeyCtx context(EVP_PKEY_CTX_new_from_pkey(nullptr, &key, nullptr));
    if (!context)
        return fail(openssl_failure("cannot check the key"));
    if (EVP_PKEY_pairwise_check(context.get()) != 1) {
        ERR_clear_error();
        return fail(Error(ErrorCode::key_mismatch, std::string(what)));
    }
    return {};
}

Result<SignContext> SignContext::make(EVP_PKEY& key, const char* digest)
{
    const platform::SecretAllocationScope locked;
    EvpMdCtx context(EVP_MD_CTX_new());
    if (!context || EVP_DigestSignInit_ex(context.get(), nullptr, digest, nullptr, nullptr, &key, nullptr) != 1)
        return fail(openssl_failure("cannot start signing"));
    return SignContext(std::move(context));
}

Result<protocol::Bytes> SignContext::sign(protocol::ByteView data) const
{
    // Signing allocates with the private numbers (nonces, blinding, the caches RSA makes at its first
    // signature), so all of it goes to the locked heap.
    const platform::SecretAllocationScope locked;
    EvpMdCtx context(EVP_MD_CTX_new());
    if (!context || EVP_MD_CTX_copy_ex(context.get(), prepared_.get()) != 1)
        return fail(openssl_failure("cannot start signing"));
    std::size_t length = 0;
    if (EVP_DigestSign(context.get(), nullptr, &length, data.data(), data.size()) != 1)
        return fail(openssl_failure("cannot size the signature"));
    protocol::Bytes signature(length);
    if (EVP_DigestSign(context.get(), signature.data(), &length, data.data(), data.size()) != 1)
        return fail(openssl_failure("signing failed"));
    signature.resize(length);
    return signature;
}

Result<protocol::Bytes> digest_sign(EVP_PKEY& key, const char* digest, protocol::ByteView data)
{
    LATCHKEY_TRY(SignContext context, SignContext::make(key, digest));
    return context.sign(data);
}

protocol::Bytes signature_blob(std::string_view algorithm, protocol::ByteView signature)
{
    protocol::WireWriter writer;
    writer.write_string(algorithm);
    writer.write_string(signature);
    return std::move(writer).take();
}

}  // namespace latchkey::agent
