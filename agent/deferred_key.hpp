// Keys added still encrypted (decrypt on first use): the identity made from a key file without its
// passphrase, and the decryption at first use.
#pragma once

#include <memory>
#include <string>

#include "agent/error.hpp"
#include "agent/keys/signing_key.hpp"
#include "protocol/secret_bytes.hpp"
#include "protocol/wire.hpp"

namespace latchkey::agent {

struct Identity;

// The key file of an identity added deferred, as the client sent it; kept (in locked memory) until
// the identity is removed, so that the key can be re-encrypted and decrypted again.
struct EncryptedKeyFile {
    SecretBytes contents;
};

// The identity for a key file added without its passphrase (add-ppk, add-encrypted), constraints
// left empty. An encrypted file gives its public half, the file, and no signer yet; an unencrypted
// one gives its key at once, as Pageant does. The comment is `comment` when not empty, else the
// file's. Fails with unsupported for a file whose public half cannot be read without the passphrase
// (PEM) or another format, and as keyfiles::read_public_half, read_key_file and make_signing_key.
Result<Identity> identity_from_key_file(const SecretBytes& file, const std::string& comment);

// Decrypts `file` with `passphrase` and builds its signer, whose public key must be `public_blob`.
// Fails with bad_passphrase ("wrong passphrase ..."), key_mismatch when the file holds another key,
// and as keyfiles::read_key_file and make_signing_key (locked_memory_full, crypto_failure, ...).
Result<std::shared_ptr<const SigningKey>> decrypt_key_file(const EncryptedKeyFile& file,
                                                           const SecretBytes& passphrase,
                                                           protocol::ByteView public_blob);

}  // namespace latchkey::agent
