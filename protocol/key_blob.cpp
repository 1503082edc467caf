// Decoding and encoding of public key and certificate blobs.
#include "protocol/key_blob.hpp"

#include <algorithm>
#include <array>

namespace latchkey::protocol {

namespace {

template <class... F>
struct Overloaded : F... {
    using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

// The algorithms, in the order of the names table below.
enum class KeyKind { ed25519, ecdsa_nistp256, ecdsa_nistp384, ecdsa_nistp521, rsa, dsa, sk_ed25519, sk_ecdsa };

struct TypeNames {
    KeyKind kind;
    std::string_view plain;
    std::string_view certificate;
};

constexpr std::array<TypeNames, 8> type_names = {{
    {KeyKind::ed25519, "ssh-ed25519", "ssh-ed25519-cert-v01@openssh.com"},
    {KeyKind::ecdsa_nistp256, "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256-cert-v01@openssh.com"},
    {KeyKind::ecdsa_nistp384, "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384-cert-v01@openssh.com"},
    {KeyKind::ecdsa_nistp521, "ecdsa-sha2-nistp521", "ecdsa-sha2-nistp521-cert-v01@openssh.com"},
    {KeyKind::rsa, "ssh-rsa", "ssh-rsa-cert-v01@openssh.com"},
    {KeyKind::dsa, "ssh-dss", "ssh-dss-cert-v01@openssh.com"},
    {KeyKind::sk_ed25519, "sk-ssh-ed25519@openssh.com", "sk-ssh-ed25519-cert-v01@openssh.com"},
    {KeyKind::sk_ecdsa, "sk-ecdsa-sha2-nistp256@openssh.com", "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com"},
}};

const TypeNames& names_of(KeyKind kind)
{
    return type_names[static_cast<std::size_t>(kind)];
}

// The table entry whose plain (or certificate) name is `name`, or nullptr.
const TypeNames* find_names(std::string_view name, std::string_view TypeNames::*field)
{
    auto it = std::find_if(type_names.begin(), type_names.end(),
                           [&](const TypeNames& names) { return names.*field == name; });
    return it == type_names.end() ? nullptr : &*it;
}

KeyKind ecdsa_kind(EcdsaCurve curve)
{
    return static_cast<KeyKind>(static_cast<int>(KeyKind::ecdsa_nistp256) + static_cast<int>(curve));
}

KeyKind kind_of(const PlainPublicKey& key)
{
    return std::visit(Overloaded{
                          [](const Ed25519PublicKey&) { return KeyKind::ed25519; },
                          [](const EcdsaPublicKey& k) { return ecdsa_kind(k.curve); },
                          [](const RsaPublicKey&) { return KeyKind::rsa; },
                          [](const DsaPublicKey&) { return KeyKind::dsa; },
                          [](const SkEd25519PublicKey&) { return KeyKind::sk_ed25519; },
                          [](const SkEcdsaPublicKey&) { return KeyKind::sk_ecdsa; },
                      },
                      key);
}

struct CurveInfo {
    std::string_view name;
    std::size_t point_size;
};

constexpr std::array<CurveInfo, 3> curves = {{{"nistp256", 65}, {"nistp384", 97}, {"nistp521", 133}}};

constexpr std::size_t ed25519_point_size = 32;
// OpenSSH's SSHKEY_CERT_MAX_PRINCIPALS.
constexpr std::size_t max_certificate_principals = 256;

Result<Bytes> read_ed25519_point(WireReader& reader)
{
    LATCHKEY_TRY(Bytes point, reader.read_string_copy());
    if (point.size() != ed25519_point_size)
        return fail(Error::invalid_value);
    return point;
}

// string curve name (must be `expected`), string Q (uncompressed, of the curve's length).
Result<Bytes> read_ecdsa_point(WireReader& reader, EcdsaCurve expected)
{
    LATCHKEY_TRY(std::string name, reader.read_text());
    LATCHKEY_TRY(EcdsaCurve curve, curve_from_name(name));
    if (curve != expected)
        return fail(Error::key_type_mismatch);
    LATCHKEY_TRY(Bytes point, reader.read_string_copy());
    if (point.size() != curve_point_size(curve) || point[0] != 0x04)
        return fail(Error::invalid_value);
    return point;
}

Result<PlainPublicKey> read_fields_of(KeyKind kind, WireReader& reader)
{
    switch (kind) {
    case KeyKind::ed25519: {
        LATCHKEY_TRY(Bytes point, read_ed25519_point(reader));
        return PlainPublicKey(Ed25519PublicKey{std::move(point)});
    }
    case KeyKind::ecdsa_nistp256:
    case KeyKind::ecdsa_nistp384:
    case KeyKind::ecdsa_nistp521: {
        auto curve = static_cast<EcdsaCurve>(static_cast<int>(kind) - static_cast<int>(KeyKind::ecdsa_nistp256));
        LATCHKEY_TRY(Bytes point, read_ecdsa_point(reader, curve));
        return PlainPublicKey(EcdsaPublicKey{curve, std::move(point)});
    }
    case KeyKind::rsa: {
        LATCHKEY_TRY(Bytes e, reader.read_positive_mpint_copy());
        LATCHKEY_TRY(Bytes n, reader.read_positive_mpint_copy());
        return PlainPublicKey(RsaPublicKey{std::move(e), std::move(n)});
    }
    case KeyKind::dsa: {
        DsaPublicKey key;
        for (Bytes* field : {&key.p, &key.q, &key.g, &key.y}) {
            LATCHKEY_TRY(*field, reader.read_positive_mpint_copy());
        }
        return PlainPublicKey(std::move(key));
    }
    case KeyKind::sk_ed25519: {
        LATCHKEY_TRY(Bytes point, read_ed25519_point(reader));
        LATCHKEY_TRY(std::string application, reader.read_text());
        return PlainPublicKey(SkEd25519PublicKey{std::move(point), std::move(application)});
    }
    case KeyKind::sk_ecdsa: {
        LATCHKEY_TRY(Bytes point, read_ecdsa_point(reader, EcdsaCurve::nistp256));
        LATCHKEY_TRY(std::string application, reader.read_text());
        return PlainPublicKey(SkEcdsaPublicKey{std::move(point), std::move(application)});
    }
    }
    return fail(Error::unknown_key_type);
}

// A string holding packed strings (certificate principals).
Result<std::vector<std::string>> read_packed_texts(WireReader& reader)
{
    LATCHKEY_TRY(WireReader inner, reader.read_nested());
    std::vector<std::string> texts;
    while (!inner.at_end()) {
        if (texts.size() == max_certificate_principals)
            return fail(Error::length_too_large);
        LATCHKEY_TRY(std::string text, inner.read_text());
        texts.push_back(std::move(text));
    }
    return texts;
}

// A string holding packed (string name, string data) pairs (critical options, extensions).
Result<std::vector<CertificateOption>> read_options(WireReader& reader)
{
    LATCHKEY_TRY(WireReader inner, reader.read_nested());
    std::vector<CertificateOption> options;
    while (!inner.at_end()) {
        LATCHKEY_TRY(std::string name, inner.read_text());
        LATCHKEY_TRY(Bytes data, inner.read_string_copy());
        options.push_back({std::move(name), std::move(data)});
    }
    return options;
}

// The CA key must be a well-formed plain key (PROTOCOL.certkeys: no chained certificates), which
// also keeps decoding free of recursion.
Result<void> check_signature_key(ByteView blob)
{
    WireReader reader(blob);
    LATCHKEY_TRY(std::string type_name, reader.read_text());
    if (is_certificate_type_name(type_name))
        return fail(Error::invalid_value);
    LATCHKEY_CHECK(read_public_fields(type_name, reader));
    return reader.finish();
}

// The certificate fields after the type name (PROTOCOL.certkeys).
Result<Certificate> read_certificate_fields(KeyKind kind, WireReader& reader)
{
    Certificate cert;
    LATCHKEY_TRY(cert.nonce, reader.read_string_copy());
    LATCHKEY_TRY(cert.key, read_fields_of(kind, reader));
    LATCHKEY_TRY(cert.serial, reader.read_u64());
    LATCHKEY_TRY(cert.type, reader.read_u32());
    if (cert.type != certificate_type_user && cert.type != certificate_type_host)
        return fail(Error::invalid_value);
    LATCHKEY_TRY(cert.key_id, reader.read_text());
    LATCHKEY_TRY(cert.principals, read_packed_texts(reader));
    LATCHKEY_TRY(cert.valid_after, reader.read_u64());
    LATCHKEY_TRY(cert.valid_before, reader.read_u64());
    LATCHKEY_TRY(cert.critical_options, read_options(reader));
    LATCHKEY_TRY(cert.extensions, read_options(reader));
    LATCHKEY_TRY(cert.reserved, reader.read_string_copy());
    LATCHKEY_TRY(cert.signature_key, reader.read_string_copy());
    LATCHKEY_CHECK(check_signature_key(cert.signature_key));
    LATCHKEY_TRY(cert.signature, reader.read_string_copy());
    return cert;
}

void write_packed_texts(WireWriter& writer, const std::vector<std::string>& texts)
{
    WireWriter inner;
    for (const auto& text : texts)
        inner.write_string(text);
    writer.write_string(inner.buffer());
}

void write_options(WireWriter& writer, const std::vector<CertificateOption>& options)
{
    WireWriter inner;
    for (const auto& option : options) {
        inner.write_string(option.name);
        inner.write_string(option.data);
    }
    writer.write_string(inner.buffer());
}

void write_certificate(WireWriter& writer, const Certificate& cert)
{
    writer.write_string(certificate_type_name(cert.key));
    writer.write_string(cert.nonce);
    write_public_fields(writer, cert.key);
    writer.write_u64(cert.serial);
    writer.write_u32(cert.type);
    writer.write_string(cert.key_id);
    write_packed_texts(writer, cert.principals);
    writer.write_u64(cert.valid_after);
    writer.write_u64(cert.valid_before);
    write_options(writer, cert.critical_options);
    write_options(writer, cert.extensions);
    writer.write_string(cert.reserved);
    writer.write_string(cert.signature_key);
    writer.write_string(cert.signature);
}

}  // namespace

std::string_view curve_name(EcdsaCurve curve)
{
    return curves[static_cast<std::size_t>(curve)].name;
}

Result<EcdsaCurve> curve_from_name(std::string_view name)
{
    for (std::size_t i = 0; i < curves.size(); ++i) {
        if (curves[i].name == name)
            return static_cast<EcdsaCurve>(i);
    }
    return fail(Error::unknown_curve);
}

std::size_t curve_point_size(EcdsaCurve curve)
{
    return curves[static_cast<std::size_t>(curve)].point_size;
}

Result<PlainPublicKey> read_public_fields(std::string_view type_name, WireReader& reader)
{
    const TypeNames* names = find_names(type_name, &TypeNames::plain);
    if (names == nullptr)
        return fail(Error::unknown_key_type);
    return read_fields_of(names->kind, reader);
}

template <class Buffer>
void write_public_fields(BasicWireWriter<Buffer>& writer, const PlainPublicKey& key)
{
    auto write_ecdsa_point = [&](EcdsaCurve curve, const Bytes& point) {
        writer.write_string(curve_name(curve));
        writer.write_string(point);
    };
    std::visit(Overloaded{
                   [&](const Ed25519PublicKey& k) { writer.write_string(k.point); },
                   [&](const EcdsaPublicKey& k) { write_ecdsa_point(k.curve, k.point); },
                   [&](const RsaPublicKey& k) {
                       writer.write_positive_mpint(k.e);
                       writer.write_positive_mpint(k.n);
                   },
                   [&](const DsaPublicKey& k) {
                       for (const Bytes* field : {&k.p, &k.q, &k.g, &k.y})
                           writer.write_positive_mpint(*field);
                   },
                   [&](const SkEd25519PublicKey& k) {
                       writer.write_string(k.point);
                       writer.write_string(k.application);
                   },
                   [&](const SkEcdsaPublicKey& k) {
                       write_ecdsa_point(EcdsaCurve::nistp256, k.point);
                       writer.write_string(k.application);
                   },
               },
               key);
}

template void write_public_fields(WireWriter&, const PlainPublicKey&);
template void write_public_fields(SecretWireWriter&, const PlainPublicKey&);

Result<PublicKey> decode_public_key(ByteView blob)
{
    WireReader reader(blob);
    LATCHKEY_TRY(std::string type_name, reader.read_text());
    PublicKey key;
    if (const TypeNames* names = find_names(type_name, &TypeNames::plain)) {
        LATCHKEY_TRY(key, read_fields_of(names->kind, reader));
    } else if (const TypeNames* cert_names = find_names(type_name, &TypeNames::certificate)) {
        LATCHKEY_TRY(key, read_certificate_fields(cert_names->kind, reader));
    } else {
        return fail(Error::unknown_key_type);
    }
    LATCHKEY_CHECK(reader.finish());
    return key;
}

Bytes encode_public_key(const PublicKey& key)
{
    WireWriter writer;
    std::visit(Overloaded{
                   [&](const PlainPublicKey& plain) {
                       writer.write_string(key_type_name(plain));
                       write_public_fields(writer, plain);
                   },
                   [&](const Certificate& cert) { write_certificate(writer, cert); },
               },
               key);
    return std::move(writer).take();
}

std::string_view key_type_name(const PlainPublicKey& key)
{
    return names_of(kind_of(key)).plain;
}

std::string_view certificate_type_name(const PlainPublicKey& key)
{
    return names_of(kind_of(key)).certificate;
}

std::string_view key_type_name(const PublicKey& key)
{
    return is_certificate(key) ? certificate_type_name(underlying_key(key)) : key_type_name(underlying_key(key));
}

bool is_certificate_type_name(std::string_view name)
{
    return find_names(name, &TypeNames::certificate) != nullptr;
}

bool is_certificate(const PublicKey& key)
{
    return std::holds_alternative<Certificate>(key);
}

const PlainPublicKey& underlying_key(const PublicKey& key)
{
    if (const auto* cert = std::get_if<Certificate>(&key))
        return cert->key;
    return std::get<PlainPublicKey>(key);
}

}  // namespace latchkey::protocol
