// Decoding and encoding of private keys in OpenSSH's agent serialisation.
#include "protocol/private_key.hpp"

#include <type_traits>

namespace latchkey::protocol {

namespace {

constexpr std::size_t ed25519_secret_size = 64;
constexpr std::size_t ed25519_seed_size = 32;
// The one plain type whose private encoding does not start with its public fields (n before e).
constexpr std::string_view rsa_type_name = "ssh-rsa";

Result<PrivateParts> read_ed25519_secret(const Ed25519PublicKey& key, WireReader& reader)
{
    LATCHKEY_TRY(SecretBytes seed_and_public, reader.read_secret_string());
    if (seed_and_public.size() != ed25519_secret_size)
        return fail(Error::invalid_value);
    if (!constant_time_equal(seed_and_public.view().subspan(ed25519_seed_size), key.point))
        return fail(Error::public_key_mismatch);
    return PrivateParts(Ed25519Secret{std::move(seed_and_public)});
}

// ECDSA's d or DSA's x.
template <class Secret>
Result<PrivateParts> read_single_mpint(WireReader& reader)
{
    LATCHKEY_TRY(SecretBytes value, reader.read_secret_mpint());
    return PrivateParts(Secret{std::move(value)});
}

Result<PrivateParts> read_rsa_secret(WireReader& reader)
{
    RsaSecret secret;
    for (SecretBytes* field : {&secret.d, &secret.iqmp, &secret.p, &secret.q}) {
        LATCHKEY_TRY(*field, reader.read_secret_mpint());
    }
    return PrivateParts(std::move(secret));
}

Result<PrivateParts> read_security_key_secret(WireReader& reader)
{
    SecurityKeySecret secret;
    LATCHKEY_TRY(secret.flags, reader.read_u8());
    LATCHKEY_TRY(secret.key_handle, reader.read_secret_string());
    LATCHKEY_TRY(ByteView reserved, reader.read_string());
    secret.reserved.assign(reserved.begin(), reserved.end());
    return PrivateParts(std::move(secret));
}

// The secret fields that follow the public ones, chosen by the key's algorithm.
Result<PrivateParts> read_secret(const PlainPublicKey& key, WireReader& reader)
{
    return std::visit(
        [&](const auto& k) -> Result<PrivateParts> {
            using K = std::decay_t<decltype(k)>;
            if constexpr (std::is_same_v<K, Ed25519PublicKey>)
                return read_ed25519_secret(k, reader);
            else if constexpr (std::is_same_v<K, EcdsaPublicKey>)
                return read_single_mpint<EcdsaSecret>(reader);
            else if constexpr (std::is_same_v<K, RsaPublicKey>)
                return read_rsa_secret(reader);
            else if constexpr (std::is_same_v<K, DsaPublicKey>)
                return read_single_mpint<DsaSecret>(reader);
            else
                return read_security_key_secret(reader);
        },
        key);
}

void write_secret(SecretWireWriter& writer, const PrivateParts& secret)
{
    std::visit(
        [&](const auto& s) {
            using S = std::decay_t<decltype(s)>;
            if constexpr (std::is_same_v<S, Ed25519Secret>) {
                writer.write_string(s.seed_and_public.view());
            } else if constexpr (std::is_same_v<S, EcdsaSecret>) {
                writer.write_positive_mpint(s.scalar.view());
            } else if constexpr (std::is_same_v<S, RsaSecret>) {
                for (const SecretBytes* field : {&s.d, &s.iqmp, &s.p, &s.q})
                    writer.write_positive_mpint(field->view());
            } else if constexpr (std::is_same_v<S, DsaSecret>) {
                writer.write_positive_mpint(s.x.view());
            } else {
                writer.write_u8(s.flags);
                writer.write_string(s.key_handle.view());
                writer.write_string(s.reserved);
            }
        },
        secret);
}

// Public fields OpenSSH repeats after a certificate blob: Ed25519's A, the sk application.
Result<void> read_repeated_public(const PlainPublicKey& key, WireReader& reader)
{
    if (std::holds_alternative<Ed25519PublicKey>(key) || std::holds_alternative<SkEd25519PublicKey>(key)) {
        LATCHKEY_TRY(PlainPublicKey repeated, read_public_fields(key_type_name(key), reader));
        if (repeated != key)
            return fail(Error::public_key_mismatch);
    } else if (const auto* sk = std::get_if<SkEcdsaPublicKey>(&key)) {
        LATCHKEY_TRY(std::string application, reader.read_text());
        if (application != sk->application)
            return fail(Error::public_key_mismatch);
    }
    return {};
}

void write_repeated_public(SecretWireWriter& writer, const PlainPublicKey& key)
{
    if (std::holds_alternative<Ed25519PublicKey>(key) || std::holds_alternative<SkEd25519PublicKey>(key))
        write_public_fields(writer, key);
    else if (const auto* sk = std::get_if<SkEcdsaPublicKey>(&key))
        writer.write_string(sk->application);
}

Result<PrivateKey> read_certified(std::string_view type_name, WireReader& reader)
{
    LATCHKEY_TRY(ByteView blob, reader.read_string());
    LATCHKEY_TRY(PublicKey public_key, decode_public_key(blob));
    if (key_type_name(public_key) != type_name)
        return fail(Error::key_type_mismatch);
    LATCHKEY_CHECK(read_repeated_public(underlying_key(public_key), reader));
    LATCHKEY_TRY(PrivateParts secret, read_secret(underlying_key(public_key), reader));
    return PrivateKey{std::move(public_key), std::move(secret)};
}

Result<PlainPublicKey> read_plain_public(std::string_view type_name, WireReader& reader)
{
    if (type_name != rsa_type_name)
        return read_public_fields(type_name, reader);
    RsaPublicKey key;
    LATCHKEY_TRY(ByteView n, reader.read_positive_mpint());
    LATCHKEY_TRY(ByteView e, reader.read_positive_mpint());
    key.n.assign(n.begin(), n.end());
    key.e.assign(e.begin(), e.end());
    return PlainPublicKey(std::move(key));
}

void write_plain_public(SecretWireWriter& writer, const PlainPublicKey& key)
{
    if (const auto* rsa = std::get_if<RsaPublicKey>(&key)) {
        writer.write_positive_mpint(rsa->n);
        writer.write_positive_mpint(rsa->e);
    } else {
        write_public_fields(writer, key);
    }
}

Result<PrivateKey> read_plain(std::string_view type_name, WireReader& reader)
{
    LATCHKEY_TRY(PlainPublicKey key, read_plain_public(type_name, reader));
    LATCHKEY_TRY(PrivateParts secret, read_secret(key, reader));
    return PrivateKey{PublicKey(std::move(key)), std::move(secret)};
}

}  // namespace

Result<PrivateKey> read_private_key(WireReader& reader)
{
    LATCHKEY_TRY(std::string type_name, reader.read_text());
    if (is_certificate_type_name(type_name))
        return read_certified(type_name, reader);
    return read_plain(type_name, reader);
}

void write_private_key(SecretWireWriter& writer, const PrivateKey& key)
{
    writer.write_string(key_type_name(key.public_key));
    if (const auto* cert = std::get_if<Certificate>(&key.public_key)) {
        writer.write_string(encode_public_key(key.public_key));
        write_repeated_public(writer, cert->key);
    } else {
        write_plain_public(writer, std::get<PlainPublicKey>(key.public_key));
    }
    write_secret(writer, key.secret);
}

}  // namespace latchkey::protocol
