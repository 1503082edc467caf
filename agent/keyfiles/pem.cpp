// PEM private keys: OpenSSL decodes (with a passphrase callback), then the EVP_PKEY's parameters
// become a protocol::PrivateKey.
#include "agent/keyfiles/pem.hpp"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <memory>
#include <string>

#include "agent/keys/bignum.hpp"
#include "agent/keys/openssl_handles.hpp"
#include "platform/secure_memory.hpp"

namespace latchkey::agent::keyfiles {

namespace {

using Bio = std::unique_ptr<BIO, OpensslDeleter<BIO_free>>;
using protocol::Bytes;

// What the passphrase callback saw: whether OpenSSL asked, and what to answer.
struct PassphraseRequest {
    const SecretBytes* passphrase = nullptr;
    bool asked = false;
};

// pem_password_cb: copies the passphrase into OpenSSL's buffer, or refuses (-1) if there is none.
int answer_passphrase(char* buffer, int size, int /*rwflag*/, void* user)
{
    auto& request = *static_cast<PassphraseRequest*>(user);
    request.asked = true;
    if (request.passphrase == nullptr || request.passphrase->size() > static_cast<std::size_t>(size))
        return -1;
    std::copy_n(request.passphrase->data(), request.passphrase->size(), buffer);
    return static_cast<int>(request.passphrase->size());
}

Error export_failure(const char* what)
{
    ERR_clear_error();
    return Error(ErrorCode::crypto_failure, std::string("PEM key: cannot export ") + what);
}

Result<Bignum> bn_param(EVP_PKEY& pkey, const char* name)
{
    BIGNUM* number = nullptr;
    if (EVP_PKEY_get_bn_param(&pkey, name, &number) != 1)
        return fail(export_failure(name));
    return Bignum(number);
}

Result<Bytes> public_number(EVP_PKEY& pkey, const char* name)
{
    LATCHKEY_TRY(auto number, bn_param(pkey, name));
    return bignum_bytes(*number);
}

Result<SecretBytes> secret_number(EVP_PKEY& pkey, const char* name)
{
    LATCHKEY_TRY(auto number, bn_param(pkey, name));
    SecretBytes out(static_cast<std::size_t>(BN_num_bytes(number.get())));
    if (BN_bn2bin(number.get(), out.data()) != static_cast<int>(out.size()))
        return fail(export_failure(name));
    return out;
}

protocol::PublicKey plain(protocol::PlainPublicKey key)
{
    return protocol::PublicKey(std::move(key));
}

Result<protocol::PrivateKey> rsa_key(EVP_PKEY& pkey)
{
    protocol::RsaPublicKey key;
    LATCHKEY_TRY(key.e, public_number(pkey, OSSL_PKEY_PARAM_RSA_E));
    LATCHKEY_TRY(key.n, public_number(pkey, OSSL_PKEY_PARAM_RSA_N));
    protocol::RsaSecret secret;
    LATCHKEY_TRY(secret.d, secret_number(pkey, OSSL_PKEY_PARAM_RSA_D));
    LATCHKEY_TRY(secret.p, secret_number(pkey, OSSL_PKEY_PARAM_RSA_FACTOR1));
    LATCHKEY_TRY(secret.q, secret_number(pkey, OSSL_PKEY_PARAM_RSA_FACTOR2));
    LATCHKEY_TRY(secret.iqmp, secret_number(pkey, OSSL_PKEY_PARAM_RSA_COEFFICIENT1));  // q⁻¹ mod p
    return protocol::PrivateKey{plain(std::move(key)), std::move(secret)};
}

Result<protocol::EcdsaCurve> ec_curve(EVP_PKEY& pkey)
{
    char name[64] = {};
    if (EVP_PKEY_get_utf8_string_param(&pkey, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof name, nullptr) != 1)
        return fail(export_failure("EC group name"));
    const std::string_view group(name);
    if (group == "prime256v1" || group == "P-256")
        return protocol::EcdsaCurve::nistp256;
    if (group == "secp384r1" || group == "P-384")
        return protocol::EcdsaCurve::nistp384;
    if (group == "secp521r1" || group == "P-521")
        return protocol::EcdsaCurve::nistp521;
    return fail(Error(ErrorCode::unsupported, "PEM key: EC curve " + std::string(group) + " is not an SSH curve"));
}

Result<protocol::PrivateKey> ecdsa_key(EVP_PKEY& pkey)
{
    protocol::EcdsaPublicKey key;
    LATCHKEY_TRY(key.curve, ec_curve(pkey));
    // The file may hold a compressed point; SSH wants it uncompressed.
    if (EVP_PKEY_set_utf8_string_param(&pkey, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                       OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_UNCOMPRESSED) != 1)
        return fail(export_failure("EC point format"));
    key.point.resize(protocol::curve_point_size(key.curve));
    std::size_t size = 0;
    if (EVP_PKEY_get_octet_string_param(&pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, key.point.data(),
                                        key.point.size(), &size) != 1 ||
        size != key.point.size())
        return fail(export_failure("EC public point"));
    LATCHKEY_TRY(auto scalar, secret_number(pkey, OSSL_PKEY_PARAM_PRIV_KEY));
    return protocol::PrivateKey{plain(std::move(key)), protocol::EcdsaSecret{std::move(scalar)}};
}

Result<protocol::PrivateKey> ed25519_key(EVP_PKEY& pkey)
{
    protocol::Ed25519PublicKey key;
    key.point.resize(32);
    SecretBytes seed(32);
    std::size_t public_size = key.point.size();
    std::size_t seed_size = seed.size();
    if (EVP_PKEY_get_raw_public_key(&pkey, key.point.data(), &public_size) != 1 || public_size != 32 ||
        EVP_PKEY_get_raw_private_key(&pkey, seed.data(), &seed_size) != 1 || seed_size != 32)
        return fail(export_failure("Ed25519 raw key"));
    seed.append(key.point);
    return protocol::PrivateKey{plain(std::move(key)), protocol::Ed25519Secret{std::move(seed)}};
}

Result<protocol::PrivateKey> dsa_key(EVP_PKEY& pkey)
{
    protocol::DsaPublicKey key;
    LATCHKEY_TRY(key.p, public_number(pkey, OSSL_PKEY_PARAM_FFC_P));
    LATCHKEY_TRY(key.q, public_number(pkey, OSSL_PKEY_PARAM_FFC_Q));
    LATCHKEY_TRY(key.g, public_number(pkey, OSSL_PKEY_PARAM_FFC_G));
    LATCHKEY_TRY(key.y, public_number(pkey, OSSL_PKEY_PARAM_PUB_KEY));
    LATCHKEY_TRY(auto x, secret_number(pkey, OSSL_PKEY_PARAM_PRIV_KEY));
    return protocol::PrivateKey{plain(std::move(key)), protocol::DsaSecret{std::move(x)}};
}

Result<protocol::PrivateKey> convert(EVP_PKEY& pkey)
{
    if (EVP_PKEY_is_a(&pkey, "RSA"))
        return rsa_key(pkey);
    if (EVP_PKEY_is_a(&pkey, "EC"))
        return ecdsa_key(pkey);
    if (EVP_PKEY_is_a(&pkey, "ED25519"))
        return ed25519_key(pkey);
    if (EVP_PKEY_is_a(&pkey, "DSA"))
        return dsa_key(pkey);
    return fail(Error(ErrorCode::unsupported,
                      std::string("PEM key: key type ") + EVP_PKEY_get0_type_name(&pkey) + " has no SSH form"));
}

// Why OpenSSL found no key: a passphrase it asked for and did not get or could not use, or none.
Error decode_failure(const PassphraseRequest& request)
{
    ERR_clear_error();
    if (request.asked && request.passphrase == nullptr)
        return Error(ErrorCode::passphrase_required, "PEM key is encrypted");
    if (request.asked)
        return Error(ErrorCode::bad_passphrase, "wrong passphrase (OpenSSL could not decrypt the PEM key)");
    return Error(ErrorCode::malformed, "PEM: no private key OpenSSL can read");
}

}  // namespace

Result<KeyFile> read_pem_key(protocol::ByteView contents, const SecretBytes* passphrase)
{
    // OpenSSL's copies of the private numbers made while decoding and converting stay in locked memory.
    platform::SecretAllocationScope locked;
    if (contents.size() > static_cast<std::size_t>(INT_MAX))
        return fail(Error(ErrorCode::malformed, "PEM: file too large"));
    Bio bio(BIO_new_mem_buf(contents.data(), static_cast<int>(contents.size())));
    if (!bio)
        return fail(export_failure("(no memory for a BIO)"));
    PassphraseRequest request{passphrase};
    EvpPkey pkey(PEM_read_bio_PrivateKey_ex(bio.get(), nullptr, answer_passphrase, &request, nullptr, nullptr));
    if (!pkey)
        return fail(decode_failure(request));
    LATCHKEY_TRY(auto key, convert(*pkey));
    return KeyFile{std::move(key), {}};
}

}  // namespace latchkey::agent::keyfiles
