// Checks SSH signatures against public key blobs (session-bind host keys, host certificates).
#pragma once

#include "agent/error.hpp"
#include "protocol/key_blob.hpp"
#include "protocol/wire.hpp"

namespace latchkey::agent {

// Checks `signature_blob` (string algorithm ‖ string signature, RFC 4253 §6.6) over `data` with
// `key`, like OpenSSH's sshkey_verify with no algorithm required: an RSA key accepts ssh-rsa,
// rsa-sha2-256 and rsa-sha2-512, as the blob names; a certificate verifies with the key it certifies.
// Fails with refused if the signature does not verify, malformed if the blob cannot be decoded or
// names an algorithm that does not fit the key, unsupported for security keys (sk-*),
// crypto_failure if OpenSSL cannot build the key.
Result<void> verify_signature(const protocol::PublicKey& key, protocol::ByteView signature_blob,
                              protocol::ByteView data);

// Checks the CA's signature on a certificate (PROTOCOL.certkeys: over every field before the
// signature, by signature_key, which must not itself be a certificate). Fails as verify_signature,
// or with malformed if signature_key cannot be decoded or is a certificate.
Result<void> verify_certificate(const protocol::Certificate& certificate);

}  // namespace latchkey::agent
