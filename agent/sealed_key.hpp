// A private key encrypted with AES-256-GCM: how an identity's key is kept while the agent is locked
// (under a key derived from the lock passphrase). Sealed bytes may live in ordinary memory.
#pragma once

#include <memory>

#include "agent/error.hpp"
#include "agent/keys/signing_key.hpp"
#include "protocol/private_key.hpp"
#include "protocol/secret_bytes.hpp"
#include "protocol/wire.hpp"

namespace latchkey::agent {

struct SealedKey {
    protocol::Bytes nonce;       // 12 random bytes, fresh for each seal
    protocol::Bytes ciphertext;  // the encrypted private key encoding, as long as the encoding
    protocol::Bytes tag;         // 16-byte GCM tag
};

// The wire encoding of `key` (protocol::write_private_key) in locked memory: what seal() takes
// and signer_from_encoding() reads back. Throws SecretHeapExhausted if the locked heap is full.
SecretBytes private_key_encoding(const protocol::PrivateKey& key);

// Encrypts `encoding` under the 32-byte `key` with a fresh random nonce; OpenSSL's cipher state is
// kept in locked memory. Fails with crypto_failure (no random bytes, OpenSSL refuses, key not 32 bytes).
Result<SealedKey> seal(const SecretBytes& key, const SecretBytes& encoding);

// Decrypts what seal() made under the same key, into locked memory. Fails with bad_passphrase if
// the tag does not verify (another key, or damaged bytes), crypto_failure if OpenSSL refuses.
Result<SecretBytes> open(const SecretBytes& key, const SealedKey& sealed);

// The signer of a private key encoding: protocol::read_private_key, then make_signing_key. Fails
// with malformed if the encoding does not decode completely, otherwise as make_signing_key.
Result<std::unique_ptr<SigningKey>> signer_from_encoding(const SecretBytes& encoding);

}  // namespace latchkey::agent
