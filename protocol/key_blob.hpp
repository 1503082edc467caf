// Public key and OpenSSH certificate blobs (RFC 4253 §6.6, RFC 5656 §3.1, RFC 8709 §4,
// OpenSSH PROTOCOL.certkeys and PROTOCOL.u2f) as typed values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "protocol/wire.hpp"

namespace latchkey::protocol {

enum class EcdsaCurve { nistp256, nistp384, nistp521 };

// "nistp256", "nistp384", "nistp521".
std::string_view curve_name(EcdsaCurve curve);
// The curve named by "nistp256"/"nistp384"/"nistp521"; anything else → Error::unknown_curve.
Result<EcdsaCurve> curve_from_name(std::string_view name);
// Length of an uncompressed SEC1 point on the curve (0x04 ‖ X ‖ Y): 65, 97 or 133.
std::size_t curve_point_size(EcdsaCurve curve);

// "ssh-ed25519": A, 32 bytes.
struct Ed25519PublicKey {
    Bytes point;
    bool operator==(const Ed25519PublicKey&) const = default;
};

// "ecdsa-sha2-<curve>": Q as an uncompressed SEC1 point of curve_point_size(curve) bytes.
struct EcdsaPublicKey {
    EcdsaCurve curve = EcdsaCurve::nistp256;
    Bytes point;
    bool operator==(const EcdsaPublicKey&) const = default;
};

// "ssh-rsa": mpint magnitudes without leading zeros; on the wire e comes before n.
struct RsaPublicKey {
    Bytes e;
    Bytes n;
    bool operator==(const RsaPublicKey&) const = default;
};

// "ssh-dss": mpint magnitudes without leading zeros.
struct DsaPublicKey {
    Bytes p, q, g, y;
    bool operator==(const DsaPublicKey&) const = default;
};

// "sk-ssh-ed25519@openssh.com": A (32 bytes) and the FIDO application string.
struct SkEd25519PublicKey {
    Bytes point;
    std::string application;
    bool operator==(const SkEd25519PublicKey&) const = default;
};

// "sk-ecdsa-sha2-nistp256@openssh.com": a nistp256 point (65 bytes) and the FIDO application.
struct SkEcdsaPublicKey {
    Bytes point;
    std::string application;
    bool operator==(const SkEcdsaPublicKey&) const = default;
};

// A key that is not a certificate.
using PlainPublicKey = std::variant<Ed25519PublicKey, EcdsaPublicKey, RsaPublicKey, DsaPublicKey,
                                    SkEd25519PublicKey, SkEcdsaPublicKey>;

// One critical option or extension of a certificate: (string name, string data).
struct CertificateOption {
    std::string name;
    Bytes data;
    bool operator==(const CertificateOption&) const = default;
};

inline constexpr std::uint32_t certificate_type_user = 1;
inline constexpr std::uint32_t certificate_type_host = 2;

// A "<plain type>-cert-v01@openssh.com" certificate, field by field as in PROTOCOL.certkeys.
// Nothing here is verified cryptographically: signature_key and signature are kept as blobs.
struct Certificate {
    Bytes nonce;
    PlainPublicKey key;
    std::uint64_t serial = 0;
    std::uint32_t type = certificate_type_user;  // certificate_type_user or certificate_type_host
    std::string key_id;
    std::vector<std::string> principals;  // packed strings; empty means any principal
    std::uint64_t valid_after = 0;
    std::uint64_t valid_before = 0;
    std::vector<CertificateOption> critical_options;
    std::vector<CertificateOption> extensions;
    Bytes reserved;
    Bytes signature_key;  // the CA's public key blob
    Bytes signature;      // the CA's signature blob over everything before it
    bool operator==(const Certificate&) const = default;
};

// Any public key the agent handles: a plain key or a certificate wrapping one.
// Visit the outer variant for "is it a certificate", the inner one for the algorithm.
using PublicKey = std::variant<PlainPublicKey, Certificate>;

// Decodes a whole public key blob (string type name, then the type's fields).
// Fails with unknown_key_type, unknown_curve, key_type_mismatch (curve name differs from the type),
// invalid_value (wrong point length, certificate type not 1/2, certificate of a certificate),
// negative_mpint, length_too_large, truncated, or trailing_bytes.
Result<PublicKey> decode_public_key(ByteView blob);

// The canonical blob of a key; decode_public_key(encode_public_key(k)) == k.
Bytes encode_public_key(const PublicKey& key);

// "ssh-ed25519", "ecdsa-sha2-nistp384", "ssh-rsa-cert-v01@openssh.com", ...
std::string_view key_type_name(const PlainPublicKey& key);
std::string_view key_type_name(const PublicKey& key);
// The certificate type name for a plain key, e.g. "ssh-ed25519-cert-v01@openssh.com".
std::string_view certificate_type_name(const PlainPublicKey& key);

// True for the known "*-cert-v01@openssh.com" names, e.g. "ssh-rsa-cert-v01@openssh.com".
bool is_certificate_type_name(std::string_view name);

bool is_certificate(const PublicKey& key);
// The key itself, or for a certificate the key it certifies.
const PlainPublicKey& underlying_key(const PublicKey& key);

// Reads the fields of a plain key of the given type name (the name itself already read):
// fails like decode_public_key, but leaves any following bytes unread.
Result<PlainPublicKey> read_public_fields(std::string_view type_name, WireReader& reader);
// Writes the fields of a plain key without its type name.
template <class Buffer>
void write_public_fields(BasicWireWriter<Buffer>& writer, const PlainPublicKey& key);

extern template void write_public_fields(WireWriter&, const PlainPublicKey&);
extern template void write_public_fields(SecretWireWriter&, const PlainPublicKey&);

}  // namespace latchkey::protocol
