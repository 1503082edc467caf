// Reader for OpenSSH's own private key files ("openssh-key-v1", OpenSSH PROTOCOL.key), plain or
// encrypted with bcrypt_pbkdf and any cipher ssh-keygen -Z offers.
#pragma once

#include "agent/keyfiles/key_file.hpp"

namespace latchkey::agent::keyfiles {

// True if the text holds "-----BEGIN OPENSSH PRIVATE KEY-----".
bool is_openssh_key(protocol::ByteView contents);

// Reads the one key of an openssh-key-v1 file: armor, container, decryption (bcrypt KDF;
// aes{128,192,256}-{ctr,cbc}, aes256-gcm@openssh.com, chacha20-poly1305@openssh.com), check-ints,
// the key, its comment and the 1,2,3… padding, and the key against the file's public key.
// Fails like read_key_file: passphrase_required, bad_passphrase (tag or check-int mismatch, empty
// passphrase), unsupported (other cipher or KDF, more than one key, bcrypt rounds above
// max_bcrypt_rounds), malformed (armor, base64, any field, padding), key_mismatch.
Result<KeyFile> read_openssh_key(protocol::ByteView contents, const SecretBytes* passphrase);

// The public key of an openssh-key-v1 file, read from its clear part; the comment is empty (it is in
// the encrypted part). Fails as read_openssh_key does before decryption, and with unsupported for
// a certificate or an unknown key type.
Result<PublicHalf> read_openssh_public_half(protocol::ByteView contents);

}  // namespace latchkey::agent::keyfiles
