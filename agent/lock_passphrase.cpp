// PBKDF2-HMAC-SHA256 through OpenSSL's EVP_KDF for the lock passphrase.
#include "agent/lock_passphrase.hpp"

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <memory>

#include "platform/secure_memory.hpp"

namespace latchkey::agent {

namespace {

constexpr std::size_t salt_size = 16;
constexpr std::size_t hash_size = 32;

struct KdfDeleter {
    void operator()(EVP_KDF* kdf) const { EVP_KDF_free(kdf); }
    void operator()(EVP_KDF_CTX* ctx) const { EVP_KDF_CTX_free(ctx); }
};

// Returns false if OpenSSL cannot compute the hash.
bool pbkdf2(const SecretBytes& passphrase, const SecretBytes& salt, unsigned iterations, SecretBytes& out)
{
    platform::SecretAllocationScope locked;  // OpenSSL's copies of the passphrase stay in locked memory
    std::unique_ptr<EVP_KDF, KdfDeleter> kdf(EVP_KDF_fetch(nullptr, OSSL_KDF_NAME_PBKDF2, nullptr));
    if (!kdf)
        return false;
    std::unique_ptr<EVP_KDF_CTX, KdfDeleter> ctx(EVP_KDF_CTX_new(kdf.get()));
    if (!ctx)
        return false;
    unsigned rounds = iterations;
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, const_cast<std::uint8_t*>(passphrase.data()),
                                          passphrase.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<std::uint8_t*>(salt.data()), salt.size()),
        OSSL_PARAM_construct_uint(OSSL_KDF_PARAM_ITER, &rounds),
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    out.resize(hash_size);
    return EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) == 1;
}

}  // namespace

Result<LockPassphrase> LockPassphrase::derive(const SecretBytes& passphrase, unsigned iterations)
{
    if (passphrase.empty())
        return fail(Error(ErrorCode::bad_passphrase, "an empty lock passphrase is not allowed"));
    SecretBytes salt(salt_size);
    if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1)
        return fail(Error(ErrorCode::crypto_failure, "no random bytes for the lock salt"));
    SecretBytes hash;
    if (!pbkdf2(passphrase, salt, iterations, hash))
        return fail(Error(ErrorCode::crypto_failure, "PBKDF2 of the lock passphrase failed"));
    return LockPassphrase(std::move(salt), std::move(hash), iterations);
}

bool LockPassphrase::matches(const SecretBytes& candidate) const
{
    SecretBytes hash;
    return pbkdf2(candidate, salt_, iterations_, hash) && hash == hash_;
}

}  // namespace latchkey::agent
