// Deferred keys: public half now, private half at first use, both from the same key file.
#include "agent/deferred_key.hpp"

#include <algorithm>

#include "agent/keyfiles/key_file.hpp"
#include "agent/keys/key_factory.hpp"
#include "agent/keystore.hpp"

namespace latchkey::agent {

namespace {

Result<std::shared_ptr<const SigningKey>> signer_for(const protocol::PrivateKey& key)
{
    LATCHKEY_TRY(std::unique_ptr<SigningKey> signer, make_signing_key(key));
    return std::shared_ptr<const SigningKey>(std::move(signer));
}

}  // namespace

Result<Identity> identity_from_key_file(const SecretBytes& file, const std::string& comment)
{
    LATCHKEY_TRY(keyfiles::PublicHalf half, keyfiles::read_public_half(file.view()));
    Identity identity{std::move(half.public_blob), comment.empty() ? half.comment : comment, nullptr, {}};
    if (half.encrypted) {
        identity.encrypted_file = std::make_shared<const EncryptedKeyFile>(EncryptedKeyFile{file});
        return identity;
    }
    LATCHKEY_TRY(keyfiles::KeyFile key_file, keyfiles::read_key_file(file.view(), nullptr));
    if (comment.empty())
        identity.comment = key_file.comment;
    LATCHKEY_TRY(identity.signer, signer_for(key_file.key));
    return identity;
}

Result<std::shared_ptr<const SigningKey>> decrypt_key_file(const EncryptedKeyFile& file,
                                                           const SecretBytes& passphrase,
                                                           protocol::ByteView public_blob)
{
    LATCHKEY_TRY(keyfiles::KeyFile key_file, keyfiles::read_key_file(file.contents.view(), &passphrase));
    protocol::Bytes blob = protocol::encode_public_key(key_file.key.public_key);
    if (!std::ranges::equal(blob, public_blob))
        return fail(Error(ErrorCode::key_mismatch, "the decrypted key file holds another key than the one listed"));
    return signer_for(key_file.key);
}

}  // namespace latchkey::agent
