// Private keys as they travel inside ADD_IDENTITY / ADD_ID_CONSTRAINED (RFC 9987 §5.2.1–5.2.4,
// OpenSSH sshkey_private_serialize), with every secret field held in SecretBytes.
#pragma once

#include <cstdint>
#include <variant>

#include "protocol/key_blob.hpp"
#include "protocol/secret_bytes.hpp"
#include "protocol/wire.hpp"

namespace latchkey::protocol {

// Ed25519: the 32-byte seed k followed by the 32-byte public key A, as OpenSSH sends it.
struct Ed25519Secret {
    SecretBytes seed_and_public;  // 64 bytes; the last 32 equal the public key's point
    bool operator==(const Ed25519Secret&) const = default;
};

// ECDSA: the private scalar d (mpint magnitude).
struct EcdsaSecret {
    SecretBytes scalar;
    bool operator==(const EcdsaSecret&) const = default;
};

// RSA: d, iqmp = q⁻¹ mod p, p and q (mpint magnitudes). n and e are in the public key.
struct RsaSecret {
    SecretBytes d, iqmp, p, q;
    bool operator==(const RsaSecret&) const = default;
};

// DSA: the private exponent x (mpint magnitude).
struct DsaSecret {
    SecretBytes x;
    bool operator==(const DsaSecret&) const = default;
};

// FIDO security keys (sk-*): the private key stays on the token; the agent holds its handle.
struct SecurityKeySecret {
    std::uint8_t flags = 0;  // SSH_SK_USER_PRESENCE_REQD 0x01, ... (PROTOCOL.u2f)
    SecretBytes key_handle;
    Bytes reserved;
    bool operator==(const SecurityKeySecret&) const = default;
};

// The secret half; which alternative is determined by the key's algorithm
// (Ed25519PublicKey ↔ Ed25519Secret, EcdsaPublicKey ↔ EcdsaSecret, RsaPublicKey ↔ RsaSecret,
// DsaPublicKey ↔ DsaSecret, SkEd25519PublicKey and SkEcdsaPublicKey ↔ SecurityKeySecret).
using PrivateParts = std::variant<Ed25519Secret, EcdsaSecret, RsaSecret, DsaSecret, SecurityKeySecret>;

// A private key: its public half (a Certificate when a certificate was added, whose
// underlying_key() then matches the secret) and its secret half.
struct PrivateKey {
    PublicKey public_key;
    PrivateParts secret;
    bool operator==(const PrivateKey&) const = default;
};

// Reads "string type, <type-specific fields>" up to but not including the comment.
// Fails with unknown_key_type, unknown_curve, key_type_mismatch (curve name differs from the type,
// or a certificate blob of another type than announced), public_key_mismatch (a field repeated
// beside a certificate — Ed25519 A, the sk application — differs from the certificate's, or the
// tail of Ed25519 k‖A differs from A), invalid_value (wrong lengths), negative_mpint,
// length_too_large or truncated.
Result<PrivateKey> read_private_key(WireReader& reader);

// Writes the encoding read_private_key reads. Precondition (not checked): key.secret is the
// alternative that belongs to the key's algorithm; otherwise the output does not decode.
void write_private_key(SecretWireWriter& writer, const PrivateKey& key);

}  // namespace latchkey::protocol
