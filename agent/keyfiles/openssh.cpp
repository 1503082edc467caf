// openssh-key-v1: armor → container → (bcrypt_pbkdf + cipher) → private section → key and comment.
#include "agent/keyfiles/openssh.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "agent/keyfiles/bcrypt_pbkdf.hpp"
#include "agent/keyfiles/crypto.hpp"
#include "agent/keyfiles/encoding.hpp"

namespace latchkey::agent::keyfiles {

namespace {

using protocol::ByteView;
using protocol::WireReader;

constexpr std::string_view armor_label = "OPENSSH PRIVATE KEY";
constexpr std::string_view magic{"openssh-key-v1\0", 15};

// One cipher of OpenSSH's cipher.c as key files use it. evp == nullptr: none or chacha20-poly1305.
struct CipherSpec {
    std::string_view name;
    const char* evp;
    std::size_t key_size, iv_size, block_size, tag_size;
};

constexpr std::array<CipherSpec, 10> ciphers = {{
    {"none", nullptr, 0, 0, 8, 0},
    {"aes128-ctr", "AES-128-CTR", 16, 16, 16, 0},
    {"aes192-ctr", "AES-192-CTR", 24, 16, 16, 0},
    {"aes256-ctr", "AES-256-CTR", 32, 16, 16, 0},
    {"aes128-cbc", "AES-128-CBC", 16, 16, 16, 0},
    {"aes192-cbc", "AES-192-CBC", 24, 16, 16, 0},
    {"aes256-cbc", "AES-256-CBC", 32, 16, 16, 0},
    {"aes256-gcm@openssh.com", "AES-256-GCM", 32, 12, 16, 16},
    {"chacha20-poly1305@openssh.com", nullptr, 64, 0, 8, 16},
    // OpenSSH also knows "rijndael-cbc@lysator.liu.se" (aes256-cbc by another name); ssh-keygen never writes it.
    {"rijndael-cbc@lysator.liu.se", "AES-256-CBC", 32, 16, 16, 0},
}};

// The fields of the container before decryption; views into the decoded file.
struct Container {
    const CipherSpec* cipher = nullptr;
    std::string kdf;
    ByteView kdf_options;
    ByteView public_blob;
    ByteView section;  // encrypted_len bytes, a multiple of the cipher's block size
    ByteView tag;      // tag_size bytes after the section
};

Error malformed(std::string_view what)
{
    return Error(ErrorCode::malformed, "openssh key file: " + std::string(what));
}

Result<const CipherSpec*> find_cipher(std::string_view name)
{
    auto found = std::find_if(ciphers.begin(), ciphers.end(), [&](const CipherSpec& c) { return c.name == name; });
    if (found == ciphers.end())
        return fail(Error(ErrorCode::unsupported, "openssh key file: unknown cipher " + std::string(name)));
    return &*found;
}

Result<Container> read_container(ByteView decoded)
{
    WireReader reader(decoded);
    LATCHKEY_TRY(auto header, reader.read_bytes(magic.size()));
    if (as_text(header) != magic)
        return fail(malformed("no openssh-key-v1 magic"));
    Container container;
    LATCHKEY_TRY(auto cipher_name, reader.read_text());
    LATCHKEY_TRY(container.cipher, find_cipher(cipher_name));
    LATCHKEY_TRY(container.kdf, reader.read_text());
    LATCHKEY_TRY(container.kdf_options, reader.read_string());
    LATCHKEY_TRY(auto count, reader.read_u32());
    if (count != 1)
        return fail(Error(ErrorCode::unsupported, "openssh key file: holds " + std::to_string(count) +
                                                      " keys; only files with one key are read"));
    LATCHKEY_TRY(container.public_blob, reader.read_string());
    LATCHKEY_TRY(container.section, reader.read_string());
    if (container.section.size() % container.cipher->block_size != 0)
        return fail(malformed("private section is not a whole number of cipher blocks"));
    LATCHKEY_TRY(container.tag, reader.read_bytes(container.cipher->tag_size));
    LATCHKEY_CHECK(reader.finish());
    return container;
}

// The bcrypt KDF's key ‖ IV for the container's cipher.
Result<SecretBytes> derive_key(const Container& container, const SecretBytes& passphrase)
{
    if (container.kdf != "bcrypt")
        return fail(Error(ErrorCode::unsupported, "openssh key file: unknown KDF " + container.kdf));
    WireReader options(container.kdf_options);
    LATCHKEY_TRY(auto salt, options.read_string());
    LATCHKEY_TRY(auto rounds, options.read_u32());
    LATCHKEY_CHECK(options.finish());
    return bcrypt_pbkdf(passphrase.view(), salt, rounds, container.cipher->key_size + container.cipher->iv_size);
}

Result<SecretBytes> decrypt_section(const Container& container, const SecretBytes* passphrase)
{
    const CipherSpec& cipher = *container.cipher;
    if (cipher.name == "none") {
        if (container.kdf != "none" || !container.kdf_options.empty())
            return fail(malformed("a KDF without a cipher"));
        return SecretBytes(container.section);
    }
    if (passphrase == nullptr)
        return fail(Error(ErrorCode::passphrase_required, "openssh key file is encrypted"));
    LATCHKEY_TRY(auto derived, derive_key(container, *passphrase));
    auto key = derived.view().first(cipher.key_size);
    auto iv = derived.view().subspan(cipher.key_size);
    if (cipher.name == "chacha20-poly1305@openssh.com")
        return decrypt_chacha20_poly1305_openssh(key, container.section, container.tag);
    if (cipher.tag_size != 0)
        return decrypt_aes_gcm(key, iv, container.section, container.tag);
    return decrypt(cipher.evp, key, iv, container.section);
}

// After the comment: 1, 2, 3, … up to less than one block.
Result<void> check_padding(ByteView padding, std::size_t block_size)
{
    if (padding.size() >= block_size)
        return fail(malformed("padding longer than a block"));
    for (std::size_t i = 0; i < padding.size(); ++i)
        if (padding[i] != static_cast<std::uint8_t>(i + 1))
            return fail(malformed("padding is not 1, 2, 3, ..."));
    return {};
}

Result<KeyFile> read_private_section(ByteView plaintext, const Container& container)
{
    const bool encrypted = container.cipher->name != "none";
    WireReader reader(plaintext);
    LATCHKEY_TRY(auto check1, reader.read_u32());
    LATCHKEY_TRY(auto check2, reader.read_u32());
    if (check1 != check2)
        return fail(encrypted ? wrong_passphrase("check-ints differ") : malformed("check-ints differ"));
    LATCHKEY_TRY(auto key, protocol::read_private_key(reader));
    LATCHKEY_TRY(auto comment, reader.read_text());
    LATCHKEY_CHECK(check_padding(reader.rest(), container.cipher->block_size));
    const auto blob = protocol::encode_public_key(key.public_key);
    if (!std::equal(blob.begin(), blob.end(), container.public_blob.begin(), container.public_blob.end()))
        return fail(Error(ErrorCode::key_mismatch, "openssh key file: private key differs from the public key"));
    return KeyFile{std::move(key), std::move(comment)};
}

// The file's public key in its canonical encoding; certificates are refused (ssh-keygen keeps them
// in the -cert.pub file, never in the key file).
Result<protocol::Bytes> checked_public_blob(ByteView blob)
{
    LATCHKEY_TRY(auto key, protocol::decode_public_key(blob));
    if (protocol::is_certificate(key))
        return fail(Error(ErrorCode::unsupported, "openssh key file: holds a certificate, not a key"));
    return protocol::encode_public_key(key);
}

Result<SecretBytes> decode_armor(ByteView contents)
{
    auto body = armored_body(as_text(contents), armor_label);
    if (!body)
        return fail(malformed("no BEGIN/END OPENSSH PRIVATE KEY lines"));
    return base64_decode(*body);
}

}  // namespace

bool is_openssh_key(ByteView contents)
{
    return armored_body(as_text(contents), armor_label).has_value();
}

Result<KeyFile> read_openssh_key(ByteView contents, const SecretBytes* passphrase)
{
    LATCHKEY_TRY(auto decoded, decode_armor(contents));
    LATCHKEY_TRY(auto container, read_container(decoded.view()));
    LATCHKEY_TRY(auto plaintext, decrypt_section(container, passphrase));
    return read_private_section(plaintext.view(), container);
}

Result<PublicHalf> read_openssh_public_half(ByteView contents)
{
    LATCHKEY_TRY(auto decoded, decode_armor(contents));
    LATCHKEY_TRY(auto container, read_container(decoded.view()));
    LATCHKEY_TRY(auto blob, checked_public_blob(container.public_blob));
    return PublicHalf{std::move(blob), "", container.cipher->name != "none"};
}

}  // namespace latchkey::agent::keyfiles
