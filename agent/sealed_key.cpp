// AES-256-GCM sealing of private key encodings through OpenSSL EVP, inside the locked heap.
#include "agent/sealed_key.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <climits>

#include "agent/keyfiles/crypto.hpp"
#include "agent/keys/key_factory.hpp"
#include "agent/keys/openssl_handles.hpp"
#include "platform/secure_memory.hpp"

namespace latchkey::agent {

namespace {

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, OpensslDeleter<EVP_CIPHER_CTX_free>>;

constexpr std::size_t key_size = 32;
constexpr std::size_t nonce_size = 12;
constexpr std::size_t tag_size = 16;

Error sealing_failed(const char* what)
{
    return Error(ErrorCode::crypto_failure, std::string("cannot seal the key: ") + what);
}

}  // namespace

SecretBytes private_key_encoding(const protocol::PrivateKey& key)
{
    protocol::SecretWireWriter writer;
    protocol::write_private_key(writer, key);
    return std::move(writer).take();
}

Result<SealedKey> seal(const SecretBytes& key, const SecretBytes& encoding)
{
    if (key.size() != key_size)
        return fail(sealing_failed("the sealing key is not 32 bytes"));
    if (encoding.size() > static_cast<std::size_t>(INT_MAX))
        return fail(sealing_failed("the key is too large"));
    SealedKey sealed{protocol::Bytes(nonce_size), protocol::Bytes(encoding.size()), protocol::Bytes(tag_size)};
    if (RAND_bytes(sealed.nonce.data(), static_cast<int>(nonce_size)) != 1)
        return fail(sealing_failed("no random bytes for the nonce"));
    const platform::SecretAllocationScope locked;  // the AES key schedule lives in the cipher context
    CipherCtx context(EVP_CIPHER_CTX_new());
    int written = 0;
    int tail = 0;
    if (!context || EVP_EncryptInit_ex2(context.get(), EVP_aes_256_gcm(), key.data(), sealed.nonce.data(), nullptr) != 1 ||
        EVP_EncryptUpdate(context.get(), sealed.ciphertext.data(), &written, encoding.data(),
                          static_cast<int>(encoding.size())) != 1 ||
        EVP_EncryptFinal_ex(context.get(), sealed.ciphertext.data() + written, &tail) != 1 ||
        EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_AEAD_GET_TAG, static_cast<int>(tag_size), sealed.tag.data()) != 1)
        return fail(sealing_failed("OpenSSL refused AES-256-GCM"));
    return sealed;
}

Result<SecretBytes> open(const SecretBytes& key, const SealedKey& sealed)
{
    const platform::SecretAllocationScope locked;
    return keyfiles::decrypt_aes_gcm(key.view(), sealed.nonce, sealed.ciphertext, sealed.tag);
}

Result<std::unique_ptr<SigningKey>> signer_from_encoding(const SecretBytes& encoding)
{
    protocol::WireReader reader(encoding.view());
    LATCHKEY_TRY(protocol::PrivateKey key, protocol::read_private_key(reader));
    LATCHKEY_CHECK(reader.finish());
    return make_signing_key(key);
}

}  // namespace latchkey::agent
