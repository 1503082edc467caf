// PBKDF2-HMAC-SHA256 through OpenSSL's EVP_KDF for the lock passphrase; HMAC splits its output into
// a verifier and a sealing key, so that the kept verifier tells nothing about the key.
#include "agent/lock_passphrase.hpp"

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <memory>

#include "agent/keyfiles/crypto.hpp"
#include "platform/secure_memory.hpp"

namespace latchkey::agent {

namespace {

constexpr std::size_t salt_size = 16;
constexpr std::size_t master_size = 32;

struct KdfDeleter {
    void operator()(EVP_KDF* kdf) const { EVP_KDF_free(kdf); }
    void operator()(EVP_KDF_CTX* ctx) const { EVP_KDF_CTX_free(ctx); }
};

// Returns false if OpenSSL cannot compute the hash.
bool pbkdf2(const SecretBytes& passphrase, const SecretBytes& salt, unsigned iterations, SecretBytes& out)
{
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
    out.resize(master_size);
    return EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) == 1;
}

struct Keys {
    SecretBytes verifier;
    SecretBytes sealing_key;
};

// The verifier and the sealing key: HMAC-SHA256 of two fixed labels under the PBKDF2 output.
// Fails with crypto_failure.
Result<Keys> derive_keys(const SecretBytes& passphrase, const SecretBytes& salt, unsigned iterations)
{
    platform::SecretAllocationScope locked;  // OpenSSL's copies of the passphrase stay in locked memory
    SecretBytes master;
    if (iterations == 0 || !pbkdf2(passphrase, salt, iterations, master))
        return fail(Error(ErrorCode::crypto_failure, "PBKDF2 of the lock passphrase failed"));
    static constexpr std::uint8_t verifier_label[] = {'v', 'e', 'r', 'i', 'f', 'y'};
    static constexpr std::uint8_t sealing_label[] = {'s', 'e', 'a', 'l'};
    LATCHKEY_TRY(SecretBytes verifier, keyfiles::hmac("SHA256", master.view(), {verifier_label}));
    LATCHKEY_TRY(SecretBytes sealing_key, keyfiles::hmac("SHA256", master.view(), {sealing_label}));
    return Keys{std::move(verifier), std::move(sealing_key)};
}

}  // namespace

Result<LockPassphrase::Derived> LockPassphrase::derive(const SecretBytes& passphrase, unsigned iterations)
{
    if (passphrase.empty())
        return fail(Error(ErrorCode::bad_passphrase, "an empty lock passphrase is not allowed"));
    SecretBytes salt(salt_size);
    if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1)
        return fail(Error(ErrorCode::crypto_failure, "no random bytes for the lock salt"));
    LATCHKEY_TRY(Keys keys, derive_keys(passphrase, salt, iterations));
    return Derived{LockPassphrase(std::move(salt), std::move(keys.verifier), iterations), std::move(keys.sealing_key)};
}

Result<SecretBytes> LockPassphrase::sealing_key(const SecretBytes& candidate) const
{
    LATCHKEY_TRY(Keys keys, derive_keys(candidate, salt_, iterations_));
    if (!(keys.verifier == verifier_))
        return fail(Error(ErrorCode::bad_passphrase, "wrong unlock passphrase"));
    return std::move(keys.sealing_key);
}

}  // namespace latchkey::agent
