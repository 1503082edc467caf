// Digests, HMAC and the decryption modes of OpenSSH and PuTTY key files on OpenSSL 3's EVP interface.
#include "agent/keyfiles/crypto.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <climits>
#include <memory>

#include "agent/keys/openssl_handles.hpp"

namespace latchkey::agent::keyfiles {

namespace {

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, OpensslDeleter<EVP_CIPHER_CTX_free>>;
using Cipher = std::unique_ptr<EVP_CIPHER, OpensslDeleter<EVP_CIPHER_free>>;
using Mac = std::unique_ptr<EVP_MAC, OpensslDeleter<EVP_MAC_free>>;
using MacCtx = std::unique_ptr<EVP_MAC_CTX, OpensslDeleter<EVP_MAC_CTX_free>>;
using Md = std::unique_ptr<EVP_MD, OpensslDeleter<EVP_MD_free>>;

constexpr std::size_t tag_size = 16;

Error refused(std::string_view what)
{
    return Error(ErrorCode::crypto_failure, std::string(what));
}

// A MAC context of algorithm `mac` ("HMAC", "POLY1305") keyed by `key`, `digest` for HMAC only.
Result<MacCtx> mac_context(const char* mac, const char* digest_name, protocol::ByteView key)
{
    Mac algorithm(EVP_MAC_fetch(nullptr, mac, nullptr));
    if (!algorithm)
        return fail(refused("MAC unavailable"));
    MacCtx context(EVP_MAC_CTX_new(algorithm.get()));
    OSSL_PARAM params[2] = {OSSL_PARAM_construct_end(), OSSL_PARAM_construct_end()};
    if (digest_name != nullptr)
        params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(digest_name), 0);
    // An empty HMAC key is legal (PPK v3 without encryption); OpenSSL wants a non-null pointer.
    static const unsigned char no_key = 0;
    const unsigned char* key_data = key.empty() ? &no_key : key.data();
    if (!context || EVP_MAC_init(context.get(), key_data, key.size(), params) != 1)
        return fail(refused("MAC initialisation failed"));
    return context;
}

Result<SecretBytes> mac_final(EVP_MAC_CTX& context, std::initializer_list<protocol::ByteView> parts)
{
    for (auto part : parts)
        if (EVP_MAC_update(&context, part.data(), part.size()) != 1)
            return fail(refused("MAC update failed"));
    SecretBytes out(EVP_MAC_CTX_get_mac_size(&context));
    std::size_t written = 0;
    if (EVP_MAC_final(&context, out.data(), &written, out.size()) != 1)
        return fail(refused("MAC final failed"));
    out.resize(written);
    return out;
}

Result<CipherCtx> cipher_context(const char* name, protocol::ByteView key, protocol::ByteView iv)
{
    Cipher cipher(EVP_CIPHER_fetch(nullptr, name, nullptr));
    if (!cipher)
        return fail(refused(std::string("cipher unavailable: ") + name));
    if (static_cast<std::size_t>(EVP_CIPHER_get_key_length(cipher.get())) != key.size())
        return fail(refused("wrong key length for the cipher"));
    CipherCtx context(EVP_CIPHER_CTX_new());
    if (!context || EVP_DecryptInit_ex2(context.get(), cipher.get(), nullptr, nullptr, nullptr) != 1)
        return fail(refused("cipher initialisation failed"));
    if (EVP_CIPHER_get_mode(cipher.get()) == EVP_CIPH_GCM_MODE) {
        if (EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(iv.size()), nullptr) != 1)
            return fail(refused("cipher IV length refused"));
    } else if (static_cast<std::size_t>(EVP_CIPHER_get_iv_length(cipher.get())) != iv.size()) {
        return fail(refused("wrong IV length for the cipher"));
    }
    if (EVP_DecryptInit_ex2(context.get(), nullptr, key.data(), iv.data(), nullptr) != 1 ||
        EVP_CIPHER_CTX_set_padding(context.get(), 0) != 1)
        return fail(refused("cipher key set-up failed"));
    return context;
}

// Runs the whole ciphertext through `context`; the final step fails for a bad GCM tag.
Result<SecretBytes> run_cipher(EVP_CIPHER_CTX& context, protocol::ByteView ciphertext, Error final_error)
{
    if (ciphertext.size() > static_cast<std::size_t>(INT_MAX - 64))
        return fail(refused("ciphertext too large"));
    SecretBytes out(ciphertext.size() + 32);
    int written = 0;
    int tail = 0;
    if (EVP_DecryptUpdate(&context, out.data(), &written, ciphertext.data(), static_cast<int>(ciphertext.size())) != 1)
        return fail(refused("decryption failed"));
    if (EVP_DecryptFinal_ex(&context, out.data() + written, &tail) != 1)
        return fail(std::move(final_error));
    out.resize(static_cast<std::size_t>(written + tail));
    return out;
}

}  // namespace

Error wrong_passphrase(std::string_view what)
{
    return Error(ErrorCode::bad_passphrase, "wrong passphrase (" + std::string(what) + ")");
}

Result<SecretBytes> digest(const char* name, std::initializer_list<protocol::ByteView> parts)
{
    Md md(EVP_MD_fetch(nullptr, name, nullptr));
    EvpMdCtx context(EVP_MD_CTX_new());
    if (!md || !context || EVP_DigestInit_ex2(context.get(), md.get(), nullptr) != 1)
        return fail(refused("digest initialisation failed"));
    for (auto part : parts)
        if (EVP_DigestUpdate(context.get(), part.data(), part.size()) != 1)
            return fail(refused("digest update failed"));
    SecretBytes out(static_cast<std::size_t>(EVP_MD_get_size(md.get())));
    if (EVP_DigestFinal_ex(context.get(), out.data(), nullptr) != 1)
        return fail(refused("digest final failed"));
    return out;
}

Result<SecretBytes> hmac(const char* name, protocol::ByteView key, std::initializer_list<protocol::ByteView> parts)
{
    LATCHKEY_TRY(auto context, mac_context("HMAC", name, key));
    return mac_final(*context, parts);
}

Result<SecretBytes> decrypt(const char* name, protocol::ByteView key, protocol::ByteView iv,
                            protocol::ByteView ciphertext)
{
    LATCHKEY_TRY(auto context, cipher_context(name, key, iv));
    return run_cipher(*context, ciphertext, refused("input is not a whole number of cipher blocks"));
}

Result<SecretBytes> decrypt_aes_gcm(protocol::ByteView key, protocol::ByteView iv, protocol::ByteView ciphertext,
                                    protocol::ByteView tag)
{
    if (tag.size() != tag_size)
        return fail(refused("GCM tag must be 16 bytes"));
    LATCHKEY_TRY(auto context, cipher_context("AES-256-GCM", key, iv));
    if (EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(tag.size()),
                            const_cast<std::uint8_t*>(tag.data())) != 1)
        return fail(refused("GCM tag refused"));
    return run_cipher(*context, ciphertext, wrong_passphrase("authentication tag mismatch"));
}

Result<SecretBytes> decrypt_chacha20_poly1305_openssh(protocol::ByteView key, protocol::ByteView ciphertext,
                                                      protocol::ByteView tag)
{
    if (key.size() != 64 || tag.size() != tag_size)
        return fail(refused("chacha20-poly1305 needs a 64-byte key and a 16-byte tag"));
    auto payload_key = key.first(32);
    // OpenSSL's 16-byte ChaCha20 IV is the 32-bit little-endian block counter then a 96-bit nonce;
    // OpenSSH's original ChaCha20 has a 64-bit counter and the 64-bit sequence number (0) as nonce.
    std::uint8_t iv[16] = {};
    const SecretBytes zeros(32);
    LATCHKEY_TRY(auto poly_key, decrypt("ChaCha20", payload_key, iv, zeros.view()));
    LATCHKEY_TRY(auto poly, mac_context("POLY1305", nullptr, poly_key.view()));
    LATCHKEY_TRY(auto expected, mac_final(*poly, {ciphertext}));
    if (!constant_time_equal(expected.view(), tag))
        return fail(wrong_passphrase("authentication tag mismatch"));
    iv[0] = 1;
    return decrypt("ChaCha20", payload_key, iv, ciphertext);
}

}  // namespace latchkey::agent::keyfiles
