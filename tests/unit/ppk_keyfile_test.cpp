// Tests of the PuTTY .ppk reader: every puttygen key type, v2 and v3, each Argon2 flavour,
// passphrase errors, the MAC checked first, damaged files and absurd Argon2 parameters.
#include <doctest/doctest.h>

#include <string>

#include "agent/keyfiles/ppk.hpp"
#include "tests/unit/keyfile_test_support.hpp"

using namespace latchkey;
using namespace latchkey::agent;
using namespace latchkey::agent::keyfiles;
using namespace latchkey::test;

namespace {

bool is_plain_name(const std::filesystem::path& file)
{
    return file.filename().string().find("-plain") != std::string::npos;
}

std::string read_text(const std::string& name)
{
    auto bytes = read_file(keyfile_dir / "ppk" / name);
    return std::string(bytes.begin(), bytes.end());
}

protocol::Bytes bytes_of(const std::string& text)
{
    return protocol::Bytes(text.begin(), text.end());
}

// The text with the first line starting with `prefix` replaced by `line`.
std::string with_line(std::string text, const std::string& prefix, const std::string& line)
{
    auto at = text.find(prefix);
    REQUIRE(at != std::string::npos);
    return text.replace(at, text.find('\n', at) - at, line);
}

Error read_error(const std::string& text, const SecretBytes* passphrase)
{
    auto read = read_ppk(bytes_of(text), passphrase);
    REQUIRE_FALSE(read.has_value());
    return read.error();
}

}  // namespace

TEST_CASE("every puttygen key file decodes to the key of its .pubkey, with its comment")
{
    for (const auto& file : key_files("ppk")) {
        auto key = check_key_file(read_ppk, file, is_plain_name(file));
        CHECK(key.comment == "latchkey-keyfile-" + file.stem().string());
    }
}

TEST_CASE("the dispatcher recognises .ppk files")
{
    auto contents = read_file(keyfile_dir / "ppk" / "ed25519-plain.ppk");
    CHECK(detect_key_file_format(contents) == KeyFileFormat::ppk);
    CHECK(read_key_file(contents, nullptr).has_value());
}

TEST_CASE("an encrypted .ppk without a passphrase asks for one; a wrong one fails the MAC")
{
    for (std::string name : {"ed25519.ppk", "ed25519-v2.ppk", "rsa-2048.ppk"}) {
        INFO(name);
        auto text = read_text(name);
        CHECK(read_error(text, nullptr).code == ErrorCode::passphrase_required);
        auto wrong = SecretBytes::from_text("not-the-passphrase");
        auto error = read_error(text, &wrong);
        CHECK(error.code == ErrorCode::bad_passphrase);
        CHECK(error.detail.find("MAC mismatch") != std::string::npos);
    }
}

TEST_CASE("a changed comment or public key is caught by the MAC before anything is decoded")
{
    auto text = read_text("ed25519-plain.ppk");
    auto error = read_error(with_line(text, "Comment: ", "Comment: someone-else"), nullptr);
    CHECK(error.code == ErrorCode::malformed);
    CHECK(error.detail.find("MAC mismatch") != std::string::npos);
    auto encrypted = read_text("ecdsa-256.ppk");
    CHECK(read_error(with_line(encrypted, "Comment: ", "Comment: x"), &test_passphrase()).code ==
          ErrorCode::bad_passphrase);
}

TEST_CASE("absurd Argon2 parameters are refused before any memory is allocated")
{
    auto text = read_text("ed25519.ppk");
    for (auto [prefix, line] : {std::pair<std::string, std::string>{"Argon2-Memory", "Argon2-Memory: 4294967295"},
                                {"Argon2-Memory", "Argon2-Memory: 1048577"},
                                {"Argon2-Passes", "Argon2-Passes: 1001"},
                                {"Argon2-Parallelism", "Argon2-Parallelism: 65"}}) {
        INFO(line);
        auto error = read_error(with_line(text, prefix, line), &test_passphrase());
        CHECK(error.code == ErrorCode::unsupported);
        CHECK(error.detail.find("Argon2") != std::string::npos);
    }
    CHECK(read_error(with_line(text, "Argon2-Memory", "Argon2-Memory: 1"), &test_passphrase()).code ==
          ErrorCode::malformed);
    CHECK(read_error(with_line(text, "Argon2-Passes", "Argon2-Passes: x"), &test_passphrase()).code ==
          ErrorCode::malformed);
    CHECK(read_error(with_line(text, "Key-Derivation", "Key-Derivation: scrypt"), &test_passphrase()).code ==
          ErrorCode::unsupported);
}

TEST_CASE("other versions and encryptions are refused by name")
{
    auto text = read_text("ed25519-plain.ppk");
    CHECK(read_error(with_line(text, "PuTTY-User-Key-File-3", "PuTTY-User-Key-File-1: ssh-ed25519"), nullptr)
              .detail.find("version 1") != std::string::npos);
    CHECK(read_error(with_line(text, "Encryption", "Encryption: 3des-cbc"), nullptr).code ==
          ErrorCode::unsupported);
    CHECK(read_error(with_line(text, "Public-Lines", "Public-Lines: 99999999"), nullptr).code ==
          ErrorCode::malformed);
}

TEST_CASE("truncated and corrupted .ppk files fail without crashing")
{
    check_damaged_copies(read_ppk, keyfile_dir / "ppk" / "ed25519-plain.ppk", true, 3);
    check_damaged_copies(read_ppk, keyfile_dir / "ppk" / "rsa-2048-plain.ppk", true, 41);
    check_damaged_copies(read_ppk, keyfile_dir / "ppk" / "ed25519-v2.ppk", false, 23);
    check_damaged_copies(read_ppk, keyfile_dir / "ppk" / "ed25519.ppk", false, 37);
}

TEST_CASE("the public half and comment of every .ppk file are read without its passphrase")
{
    for (const auto& file : key_files("ppk")) {
        INFO(file.string());
        auto half = read_public_half(read_file(file));
        REQUIRE_MESSAGE(half.has_value(), describe(half.error()));
        CHECK(half->public_blob == public_blob_from_file(public_file(file)));
        CHECK(half->comment == "latchkey-keyfile-" + file.stem().string());
        CHECK(half->encrypted == !is_plain_name(file));
    }
    std::string text = with_line(read_text("ed25519.ppk"), "PuTTY-User-Key-File-3:", "PuTTY-User-Key-File-3: ssh-rsa");
    CHECK(read_ppk_public_half(bytes_of(text)).error().code == ErrorCode::key_mismatch);
}
