// Tests of the PEM reader: ssh-keygen -m PEM/PKCS8 and openssl PKCS#1, SEC1, PKCS#8 (plain and
// encrypted) and legacy encrypted keys, passphrase errors and damaged files.
#include <doctest/doctest.h>

#include <string>

#include "agent/keyfiles/pem.hpp"
#include "tests/unit/keyfile_test_support.hpp"

using namespace latchkey;
using namespace latchkey::agent;
using namespace latchkey::agent::keyfiles;
using namespace latchkey::test;

namespace {

bool is_encrypted(const std::filesystem::path& file)
{
    auto bytes = read_file(file);
    return std::string(bytes.begin(), bytes.end()).find("ENCRYPTED") != std::string::npos;
}

}  // namespace

TEST_CASE("every PEM key file decodes to the key of its .pubkey, without a comment")
{
    for (const auto& file : key_files("pem")) {
        auto key = check_key_file(read_pem_key, file, !is_encrypted(file));
        CHECK(key.comment.empty());
    }
}

TEST_CASE("the dispatcher sends PEM files to the PEM reader")
{
    auto contents = read_file(keyfile_dir / "pem" / "ed25519-pkcs8");
    CHECK(detect_key_file_format(contents) == KeyFileFormat::pem);
    CHECK(read_key_file(contents, nullptr).has_value());
}

TEST_CASE("an encrypted PEM key without a passphrase asks for one; a wrong one is reported as such")
{
    for (std::string name : {"rsa-2048-pkcs1-aes256", "rsa-2048-pkcs8-encrypted", "ed25519-pkcs8-encrypted",
                             "ecdsa-384-sec1-aes256", "ecdsa-256-ssh-keygen-pem-encrypted"}) {
        INFO(name);
        auto contents = read_file(keyfile_dir / "pem" / name);
        auto missing = read_pem_key(contents, nullptr);
        REQUIRE_FALSE(missing.has_value());
        CHECK(missing.error().code == ErrorCode::passphrase_required);
        auto wrong_passphrase = SecretBytes::from_text("not-the-passphrase");
        auto wrong = read_pem_key(contents, &wrong_passphrase);
        REQUIRE_FALSE(wrong.has_value());
        CHECK(wrong.error().code == ErrorCode::bad_passphrase);
        CHECK(wrong.error().detail.starts_with("wrong passphrase"));
    }
}

TEST_CASE("text without a private key is malformed; other formats are not PEM")
{
    auto pub = read_file(keyfile_dir / "pem" / "rsa-2048-pkcs8.pubkey");
    CHECK(read_pem_key(pub, nullptr).error().code == ErrorCode::malformed);
    std::string certificate_only = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    CHECK(read_pem_key(protocol::Bytes(certificate_only.begin(), certificate_only.end()), nullptr).error().code ==
          ErrorCode::malformed);
    CHECK(read_key_file(pub, nullptr).error().code == ErrorCode::unsupported);
}

TEST_CASE("truncated and corrupted PEM files fail without crashing")
{
    check_damaged_copies(read_pem_key, keyfile_dir / "pem" / "ecdsa-256-ssh-keygen-pem", true, 5);
    check_damaged_copies(read_pem_key, keyfile_dir / "pem" / "ed25519-pkcs8", true, 3);
    check_damaged_copies(read_pem_key, keyfile_dir / "pem" / "rsa-2048-pkcs1-aes256", false, 53);
}

TEST_CASE("a PEM file has no public half readable without its passphrase: refused with advice")
{
    auto half = read_public_half(read_file(keyfile_dir / "pem" / "rsa-2048-pkcs8-encrypted"));
    REQUIRE_FALSE(half.has_value());
    CHECK(half.error().code == ErrorCode::unsupported);
    CHECK(half.error().detail.find("ssh-keygen -p") != std::string::npos);
}
