// The symmetric primitives key files need (digests, HMAC, AES modes, OpenSSH's ChaCha20-Poly1305),
// through OpenSSL's EVP interface, with every output that may be secret in SecretBytes.
#pragma once

#include <initializer_list>
#include <string>

#include "agent/error.hpp"
#include "protocol/secret_bytes.hpp"
#include "protocol/wire.hpp"

namespace latchkey::agent::keyfiles {

// The digest `name` ("SHA1", "SHA256", "SHA512") of the concatenated parts.
// Fails with crypto_failure if OpenSSL refuses.
Result<SecretBytes> digest(const char* name, std::initializer_list<protocol::ByteView> parts);

// HMAC with digest `name` keyed by `key` (may be empty) over the concatenated parts.
// Fails with crypto_failure if OpenSSL refuses.
Result<SecretBytes> hmac(const char* name, protocol::ByteView key, std::initializer_list<protocol::ByteView> parts);

// Decrypts with the unpadded OpenSSL cipher `name` ("AES-256-CTR", "AES-128-CBC", ...).
// Fails with invalid lengths (crypto_failure: key/IV size wrong for the cipher, or a CBC input that
// is not a whole number of blocks) or if OpenSSL refuses.
Result<SecretBytes> decrypt(const char* name, protocol::ByteView key, protocol::ByteView iv,
                            protocol::ByteView ciphertext);

// AES-256-GCM decryption with a 12-byte IV, no associated data and a 16-byte tag.
// Fails with bad_passphrase ("wrong passphrase") if the tag does not verify — which is what a
// wrong key looks like — or crypto_failure if OpenSSL refuses.
Result<SecretBytes> decrypt_aes_gcm(protocol::ByteView key, protocol::ByteView iv,
                                    protocol::ByteView ciphertext, protocol::ByteView tag);

// chacha20-poly1305@openssh.com (OpenSSH PROTOCOL.chacha20poly1305) for one message with sequence
// number 0 and no encrypted length: key is 64 bytes (the first 32 encrypt the payload), tag 16 bytes.
// The Poly1305 key is ChaCha20 block 0; the payload is encrypted from block 1. Fails like
// decrypt_aes_gcm.
Result<SecretBytes> decrypt_chacha20_poly1305_openssh(protocol::ByteView key, protocol::ByteView ciphertext,
                                                      protocol::ByteView tag);

// The error every reader returns when a check fails that a wrong passphrase would make fail.
Error wrong_passphrase(std::string_view what);

}  // namespace latchkey::agent::keyfiles
