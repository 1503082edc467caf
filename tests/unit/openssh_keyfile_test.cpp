// Tests of the openssh-key-v1 reader: every ssh-keygen key type and cipher, passphrase errors,
// damaged files and absurd bcrypt rounds.
#include <doctest/doctest.h>

#include <string>

#include "agent/keyfiles/encoding.hpp"
#include "agent/keyfiles/openssh.hpp"
#include "tests/unit/keyfile_test_support.hpp"

using namespace latchkey;
using namespace latchkey::agent;
using namespace latchkey::agent::keyfiles;
using namespace latchkey::test;

namespace {

bool is_encrypted_name(const std::filesystem::path& file)
{
    auto name = file.filename().string();
    return name.find("-aes") != std::string::npos || name.find("chacha") != std::string::npos ||
           name.find("rounds") != std::string::npos;
}

// The file with its base64 body decoded, changed by `edit`, and re-armored.
protocol::Bytes rewrite(const std::filesystem::path& file, const std::function<void(SecretBytes&)>& edit)
{
    auto contents = read_file(file);
    auto body = armored_body(as_text(contents), "OPENSSH PRIVATE KEY");
    REQUIRE(body.has_value());
    auto decoded = keyfiles::base64_decode(*body);
    REQUIRE(decoded.has_value());
    edit(*decoded);
    static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string text = "-----BEGIN OPENSSH PRIVATE KEY-----\n";
    for (std::size_t i = 0; i < decoded->size(); i += 3) {
        std::uint32_t group = (*decoded)[i] << 16;
        std::size_t n = std::min<std::size_t>(3, decoded->size() - i);
        if (n > 1)
            group |= (*decoded)[i + 1] << 8;
        if (n > 2)
            group |= (*decoded)[i + 2];
        for (std::size_t k = 0; k < 4; ++k)
            text += k <= n ? alphabet[(group >> (18 - 6 * k)) & 63] : '=';
    }
    text += "\n-----END OPENSSH PRIVATE KEY-----\n";
    return protocol::Bytes(text.begin(), text.end());
}

// Offset of the bcrypt rounds field: magic, cipher, kdf, then kdfoptions = string salt, u32 rounds.
std::size_t rounds_offset(const SecretBytes& decoded)
{
    protocol::WireReader reader(decoded.view());
    (void)reader.read_bytes(15);
    (void)reader.read_string();
    (void)reader.read_string();
    (void)reader.read_u32();  // kdfoptions length
    auto salt = reader.read_string();
    REQUIRE(salt.has_value());
    return decoded.size() - reader.remaining();
}

}  // namespace

TEST_CASE("every ssh-keygen key file decodes to the key of its .pub, with its comment")
{
    for (const auto& file : key_files("openssh")) {
        auto key = check_key_file(read_openssh_key, file, !is_encrypted_name(file));
        CHECK(key.comment.starts_with("latchkey-keyfile-"));
    }
}

TEST_CASE("the dispatcher recognises OpenSSH key files")
{
    auto contents = read_file(keyfile_dir / "openssh" / "ed25519");
    CHECK(detect_key_file_format(contents) == KeyFileFormat::openssh);
    auto key = read_key_file(contents, nullptr);
    REQUIRE(key.has_value());
    CHECK(key->comment == "latchkey-keyfile-ed25519");
}

TEST_CASE("an encrypted key without a passphrase asks for one; a wrong one is reported as such")
{
    for (std::string name : {"ed25519-aes256-ctr", "ed25519-aes128-cbc", "ed25519-aes256-gcm",
                             "ed25519-chacha20-poly1305"}) {
        INFO(name);
        auto contents = read_file(keyfile_dir / "openssh" / name);
        auto missing = read_openssh_key(contents, nullptr);
        REQUIRE_FALSE(missing.has_value());
        CHECK(missing.error().code == ErrorCode::passphrase_required);
        auto wrong_passphrase = SecretBytes::from_text("not-the-passphrase");
        auto wrong = read_openssh_key(contents, &wrong_passphrase);
        REQUIRE_FALSE(wrong.has_value());
        CHECK(wrong.error().code == ErrorCode::bad_passphrase);
        CHECK(wrong.error().detail.starts_with("wrong passphrase"));
        SecretBytes empty;
        CHECK(read_openssh_key(contents, &empty).error().code == ErrorCode::bad_passphrase);
    }
}

TEST_CASE("a plain key ignores a passphrase")
{
    auto contents = read_file(keyfile_dir / "openssh" / "ecdsa-256");
    CHECK(read_openssh_key(contents, &test_passphrase()).has_value());
}

TEST_CASE("truncated and corrupted OpenSSH files fail without crashing")
{
    check_damaged_copies(read_openssh_key, keyfile_dir / "openssh" / "ed25519", true, 3);
    check_damaged_copies(read_openssh_key, keyfile_dir / "openssh" / "ecdsa-256", true);
    check_damaged_copies(read_openssh_key, keyfile_dir / "openssh" / "ed25519-aes256-gcm", false, 29);
    check_damaged_copies(read_openssh_key, keyfile_dir / "openssh" / "ed25519-chacha20-poly1305", false, 31);
    CHECK_FALSE(read_openssh_key(protocol::Bytes{}, nullptr).has_value());
}

TEST_CASE("damaged fields are reported precisely")
{
    const auto plain = keyfile_dir / "openssh" / "ed25519";
    SUBCASE("check-ints differ in a plain file: malformed")
    {
        auto contents = rewrite(plain, [](SecretBytes& decoded) {
            // The private section's first check-int sits after the length of the section.
            protocol::WireReader reader(decoded.view());
            (void)reader.read_bytes(15);
            for (int i = 0; i < 3; ++i)
                (void)reader.read_string();
            (void)reader.read_u32();
            (void)reader.read_string();
            decoded[decoded.size() - reader.remaining() + 4] ^= 1;
        });
        auto read = read_openssh_key(contents, nullptr);
        REQUIRE_FALSE(read.has_value());
        CHECK(read.error().code == ErrorCode::malformed);
        CHECK(read.error().detail.find("check-ints") != std::string::npos);
    }
    SUBCASE("padding that is not 1, 2, 3")
    {
        auto contents = rewrite(plain, [](SecretBytes& decoded) { decoded[decoded.size() - 1] ^= 0x40; });
        auto read = read_openssh_key(contents, nullptr);
        REQUIRE_FALSE(read.has_value());
        CHECK(read.error().detail.find("padding") != std::string::npos);
    }
    SUBCASE("trailing bytes after the private section")
    {
        auto contents = rewrite(plain, [](SecretBytes& decoded) { decoded.push_back(0); });
        CHECK(read_openssh_key(contents, nullptr).error().code == ErrorCode::malformed);
    }
}

TEST_CASE("absurd bcrypt rounds are refused before any work")
{
    auto contents = rewrite(keyfile_dir / "openssh" / "ed25519-aes256-ctr", [](SecretBytes& decoded) {
        auto at = rounds_offset(decoded);
        decoded[at] = 0x7f;  // rounds ≥ 2^30
    });
    auto read = read_openssh_key(contents, &test_passphrase());
    REQUIRE_FALSE(read.has_value());
    CHECK(read.error().code == ErrorCode::unsupported);
    CHECK(read.error().detail.find("rounds") != std::string::npos);
}

TEST_CASE("the public half of every openssh key file is read without its passphrase")
{
    for (const auto& file : key_files("openssh")) {
        INFO(file.string());
        auto half = read_public_half(read_file(file));
        REQUIRE_MESSAGE(half.has_value(), describe(half.error()));
        CHECK(half->public_blob == public_blob_from_file(public_file(file)));
        CHECK(half->comment.empty());  // it is in the encrypted part
        CHECK(half->encrypted == is_encrypted_name(file));
    }
    CHECK(read_openssh_public_half(protocol::Bytes{'x'}).error().code == ErrorCode::malformed);
}
