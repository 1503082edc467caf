// PuTTY .ppk v2/v3: header lines → key derivation → AES-256-CBC → MAC check → key fields.
#include "agent/keyfiles/ppk.hpp"

#include <argon2.h>

#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "agent/keyfiles/crypto.hpp"
#include "agent/keyfiles/encoding.hpp"

namespace latchkey::agent::keyfiles {

namespace {

using protocol::ByteView;
using protocol::Bytes;

constexpr std::string_view header_prefix = "PuTTY-User-Key-File-";
constexpr std::size_t cipher_block = 16;
constexpr std::size_t max_blob_lines = 1024;  // PuTTY writes 64 characters a line: 48 KiB

struct Argon2Parameters {
    argon2_type type = Argon2_id;
    std::uint32_t memory_kib = 0, passes = 0, parallelism = 0;
    Bytes salt;
};

// The fields of a .ppk file; blobs base64-decoded, the private one still encrypted if it was.
struct PpkFields {
    int version = 0;
    std::string algorithm, encryption, comment;
    SecretBytes public_blob;
    std::optional<Argon2Parameters> argon2;
    SecretBytes private_blob;
    Bytes mac;
    bool encrypted() const { return encryption != "none"; }
};

Error malformed(std::string_view what)
{
    return Error(ErrorCode::malformed, "ppk file: " + std::string(what));
}

Error unsupported(std::string_view what)
{
    return Error(ErrorCode::unsupported, "ppk file: " + std::string(what));
}

// The file's lines, one at a time, without line terminators.
class LineReader {
public:
    explicit LineReader(std::string_view text) : text_(text) {}

    Result<std::string_view> next()
    {
        if (text_.empty())
            return fail(malformed("file ends early"));
        auto end = text_.find('\n');
        auto line = text_.substr(0, end);
        text_ = end == std::string_view::npos ? std::string_view() : text_.substr(end + 1);
        if (line.ends_with('\r'))
            line.remove_suffix(1);
        return line;
    }

    // The value of the next line, which must be "<name>: <value>".
    Result<std::string_view> field(std::string_view name)
    {
        LATCHKEY_TRY(auto line, next());
        if (!line.starts_with(name) || line.substr(name.size()).substr(0, 2) != ": ")
            return fail(malformed("expected the line " + std::string(name)));
        return line.substr(name.size() + 2);
    }

    Result<std::uint32_t> number(std::string_view name)
    {
        LATCHKEY_TRY(auto text, field(name));
        std::uint32_t value = 0;
        auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (text.empty() || error != std::errc() || end != text.data() + text.size())
            return fail(malformed(std::string(name) + " is not a number"));
        return value;
    }

    // "<name>-Lines: N" followed by N lines of base64.
    Result<SecretBytes> blob(std::string_view name)
    {
        LATCHKEY_TRY(auto count, number(std::string(name) + "-Lines"));
        if (count > max_blob_lines)
            return fail(malformed(std::string(name) + "-Lines too large"));
        SecretBytes encoded;
        for (std::uint32_t i = 0; i < count; ++i) {
            LATCHKEY_TRY(auto line, next());
            encoded.append({reinterpret_cast<const std::uint8_t*>(line.data()), line.size()});
        }
        return base64_decode(as_text(encoded.view()));
    }

private:
    std::string_view text_;
};

Result<argon2_type> argon2_flavour(std::string_view name)
{
    if (name == "Argon2id")
        return Argon2_id;
    if (name == "Argon2i")
        return Argon2_i;
    if (name == "Argon2d")
        return Argon2_d;
    return fail(unsupported("unknown Key-Derivation " + std::string(name)));
}

Result<Argon2Parameters> read_argon2(LineReader& lines)
{
    Argon2Parameters parameters;
    LATCHKEY_TRY(auto flavour, lines.field("Key-Derivation"));
    LATCHKEY_TRY(parameters.type, argon2_flavour(flavour));
    LATCHKEY_TRY(parameters.memory_kib, lines.number("Argon2-Memory"));
    LATCHKEY_TRY(parameters.passes, lines.number("Argon2-Passes"));
    LATCHKEY_TRY(parameters.parallelism, lines.number("Argon2-Parallelism"));
    LATCHKEY_TRY(auto salt, lines.field("Argon2-Salt"));
    LATCHKEY_TRY(parameters.salt, hex_decode(salt));
    if (parameters.memory_kib > max_argon2_memory_kib || parameters.passes > max_argon2_passes ||
        parameters.parallelism > max_argon2_parallelism)
        return fail(unsupported("Argon2 parameters beyond latchkey's limits (memory " +
                                std::to_string(max_argon2_memory_kib) + " KiB, passes " +
                                std::to_string(max_argon2_passes) + ", parallelism " +
                                std::to_string(max_argon2_parallelism) + ")"));
    return parameters;
}

Result<int> read_version(std::string_view line, std::string& algorithm)
{
    if (!line.starts_with(header_prefix))
        return fail(malformed("no PuTTY-User-Key-File header"));
    auto rest = line.substr(header_prefix.size());
    if (rest.starts_with("1: "))
        return fail(unsupported("PPK version 1 (PuTTY before 0.52) is not read; convert it with puttygen"));
    if (!rest.starts_with("2: ") && !rest.starts_with("3: "))
        return fail(unsupported("unknown PPK version"));
    algorithm = std::string(rest.substr(3));
    return rest[0] - '0';
}

Result<PpkFields> read_fields(std::string_view text)
{
    LineReader lines(text);
    PpkFields fields;
    LATCHKEY_TRY(auto header, lines.next());
    LATCHKEY_TRY(fields.version, read_version(header, fields.algorithm));
    LATCHKEY_TRY(auto encryption, lines.field("Encryption"));
    fields.encryption = std::string(encryption);
    if (fields.encryption != "none" && fields.encryption != "aes256-cbc")
        return fail(unsupported("unknown Encryption " + fields.encryption));
    LATCHKEY_TRY(auto comment, lines.field("Comment"));
    fields.comment = std::string(comment);
    LATCHKEY_TRY(fields.public_blob, lines.blob("Public"));
    if (fields.version == 3 && fields.encrypted()) {
        LATCHKEY_TRY(fields.argon2, read_argon2(lines));
    }
    LATCHKEY_TRY(fields.private_blob, lines.blob("Private"));
    LATCHKEY_TRY(auto mac, lines.field("Private-MAC"));
    LATCHKEY_TRY(fields.mac, hex_decode(mac));
    return fields;
}

// The secrets a passphrase yields: AES key, IV and MAC key.
struct DerivedKeys {
    SecretBytes cipher_key, iv, mac_key;
};

Result<DerivedKeys> derive_v2(ByteView passphrase, bool encrypted)
{
    DerivedKeys keys;
    constexpr std::string_view mac_label = "putty-private-key-file-mac-key";
    LATCHKEY_TRY(keys.mac_key, digest("SHA1", {as_bytes(mac_label), passphrase}));
    if (encrypted) {
        const std::uint8_t zero[4] = {0, 0, 0, 0}, one[4] = {0, 0, 0, 1};
        LATCHKEY_TRY(auto first, digest("SHA1", {zero, passphrase}));
        LATCHKEY_TRY(auto second, digest("SHA1", {one, passphrase}));
        keys.cipher_key = std::move(first);
        keys.cipher_key.append(second.view().first(12));
        keys.iv = SecretBytes(cipher_block);
    }
    return keys;
}

Result<DerivedKeys> derive_v3(ByteView passphrase, const Argon2Parameters& parameters)
{
    SecretBytes output(80);
    int status = argon2_hash(parameters.passes, parameters.memory_kib, parameters.parallelism, passphrase.data(),
                             passphrase.size(), parameters.salt.data(), parameters.salt.size(), output.data(),
                             output.size(), nullptr, 0, parameters.type, ARGON2_VERSION_13);
    if (status == ARGON2_MEMORY_ALLOCATION_ERROR || status == ARGON2_THREAD_FAIL)
        return fail(Error(ErrorCode::crypto_failure, std::string("Argon2: ") + argon2_error_message(status)));
    if (status != ARGON2_OK)
        return fail(malformed(std::string("Argon2 parameters refused: ") + argon2_error_message(status)));
    return DerivedKeys{SecretBytes(output.view().first(32)), SecretBytes(output.view().subspan(32, 16)),
                       SecretBytes(output.view().subspan(48))};
}

Result<DerivedKeys> derive_keys(const PpkFields& fields, const SecretBytes* passphrase)
{
    if (fields.encrypted() && passphrase == nullptr)
        return fail(Error(ErrorCode::passphrase_required, "ppk file is encrypted"));
    if (fields.version == 2)
        return derive_v2(fields.encrypted() ? passphrase->view() : ByteView(), fields.encrypted());
    if (!fields.encrypted())
        return DerivedKeys{};  // v3 without encryption: HMAC-SHA-256 with an empty key
    return derive_v3(passphrase->view(), *fields.argon2);
}

Result<void> check_mac(const PpkFields& fields, const DerivedKeys& keys, ByteView plaintext)
{
    protocol::SecretWireWriter data;
    data.write_string(fields.algorithm);
    data.write_string(fields.encryption);
    data.write_string(fields.comment);
    data.write_string(fields.public_blob.view());
    data.write_string(plaintext);
    LATCHKEY_TRY(auto mac, hmac(fields.version == 2 ? "SHA1" : "SHA256", keys.mac_key.view(),
                                {data.buffer().view()}));
    if (constant_time_equal(mac.view(), fields.mac))
        return {};
    constexpr std::string_view what = "MAC mismatch: file corrupted or wrong passphrase";
    return fail(fields.encrypted() ? wrong_passphrase(what) : malformed("MAC mismatch: file corrupted"));
}

// The secret fields PuTTY writes for the key's type (sshrsa.c, sshdss.c, sshecc.c).
Result<protocol::PrivateParts> read_secret(const protocol::PlainPublicKey& key, protocol::WireReader& reader)
{
    if (const auto* ed25519 = std::get_if<protocol::Ed25519PublicKey>(&key)) {
        LATCHKEY_TRY(auto seed, reader.read_secret_string());
        if (seed.size() != 32)
            return fail(malformed("Ed25519 private key is not 32 bytes"));
        seed.append(ed25519->point);
        return protocol::PrivateParts(protocol::Ed25519Secret{std::move(seed)});
    }
    if (std::holds_alternative<protocol::EcdsaPublicKey>(key)) {
        LATCHKEY_TRY(auto scalar, reader.read_secret_mpint());
        return protocol::PrivateParts(protocol::EcdsaSecret{std::move(scalar)});
    }
    if (std::holds_alternative<protocol::RsaPublicKey>(key)) {
        protocol::RsaSecret secret;
        LATCHKEY_TRY(secret.d, reader.read_secret_mpint());
        LATCHKEY_TRY(secret.p, reader.read_secret_mpint());
        LATCHKEY_TRY(secret.q, reader.read_secret_mpint());
        LATCHKEY_TRY(secret.iqmp, reader.read_secret_mpint());
        return protocol::PrivateParts(std::move(secret));
    }
    if (std::holds_alternative<protocol::DsaPublicKey>(key)) {
        LATCHKEY_TRY(auto x, reader.read_secret_mpint());
        return protocol::PrivateParts(protocol::DsaSecret{std::move(x)});
    }
    return fail(unsupported("key type " + std::string(protocol::key_type_name(key))));
}

// The public key of the file, checked against the header's algorithm.
Result<protocol::PublicKey> checked_public_key(const PpkFields& fields)
{
    LATCHKEY_TRY(auto public_key, protocol::decode_public_key(fields.public_blob.view()));
    if (protocol::is_certificate(public_key))
        return fail(unsupported("certificates inside .ppk files"));
    if (protocol::key_type_name(public_key) != fields.algorithm)
        return fail(Error(ErrorCode::key_mismatch, "ppk file: public key type differs from the header"));
    return public_key;
}

Result<protocol::PrivateKey> decode_key(const PpkFields& fields, ByteView plaintext)
{
    LATCHKEY_TRY(auto public_key, checked_public_key(fields));
    protocol::WireReader reader(plaintext);
    LATCHKEY_TRY(auto secret, read_secret(protocol::underlying_key(public_key), reader));
    if (reader.remaining() >= cipher_block)
        return fail(malformed("private blob has more than one block of padding"));
    return protocol::PrivateKey{std::move(public_key), std::move(secret)};
}

}  // namespace

bool is_ppk(ByteView contents)
{
    return as_text(contents).starts_with(header_prefix);
}

Result<KeyFile> read_ppk(ByteView contents, const SecretBytes* passphrase)
{
    LATCHKEY_TRY(auto fields, read_fields(as_text(contents)));
    LATCHKEY_TRY(auto keys, derive_keys(fields, passphrase));
    SecretBytes plaintext;
    if (fields.encrypted()) {
        if (fields.private_blob.size() % cipher_block != 0)
            return fail(malformed("encrypted private blob is not a whole number of AES blocks"));
        LATCHKEY_TRY(plaintext, decrypt("AES-256-CBC", keys.cipher_key.view(), keys.iv.view(),
                                        fields.private_blob.view()));
    } else {
        plaintext = std::move(fields.private_blob);
    }
    LATCHKEY_CHECK(check_mac(fields, keys, plaintext.view()));
    LATCHKEY_TRY(auto key, decode_key(fields, plaintext.view()));
    return KeyFile{std::move(key), std::move(fields.comment)};
}

Result<PublicHalf> read_ppk_public_half(ByteView contents)
{
    LATCHKEY_TRY(auto fields, read_fields(as_text(contents)));
    LATCHKEY_TRY(auto public_key, checked_public_key(fields));
    return PublicHalf{protocol::encode_public_key(public_key), std::move(fields.comment), fields.encrypted()};
}

}  // namespace latchkey::agent::keyfiles
