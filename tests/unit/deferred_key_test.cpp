// Tests of deferred keys: the identity made from a key file without its passphrase, and decrypting
// it at first use (right and wrong passphrase, another key's file).
#include <doctest/doctest.h>

#include "agent/deferred_key.hpp"
#include "agent/keystore.hpp"
#include "tests/unit/keyfile_test_support.hpp"

using namespace latchkey;
using namespace latchkey::agent;
using namespace latchkey::test;

namespace {

SecretBytes key_file(const std::string& name)
{
    auto bytes = read_file(keyfile_dir / name);
    return SecretBytes(bytes);
}

}  // namespace

TEST_CASE("an encrypted OpenSSH or .ppk file gives its public key and no signer until decrypted")
{
    for (std::string name : {"openssh/ed25519-aes256-ctr", "ppk/ecdsa-256.ppk", "ppk/rsa-2048-v2.ppk"}) {
        INFO(name);
        auto identity = identity_from_key_file(key_file(name), "");
        REQUIRE_MESSAGE(identity.has_value(), describe(identity.error()));
        CHECK(identity->public_blob == public_blob_from_file(public_file(keyfile_dir / name)));
        CHECK(identity->signer == nullptr);
        REQUIRE(identity->encrypted_file != nullptr);
        CHECK(identity->encrypted_file->contents == key_file(name));

        auto wrong = decrypt_key_file(*identity->encrypted_file, SecretBytes::from_text("wrong"), identity->public_blob);
        REQUIRE_FALSE(wrong.has_value());
        CHECK(wrong.error().code == ErrorCode::bad_passphrase);
        auto signer = decrypt_key_file(*identity->encrypted_file, test_passphrase(), identity->public_blob);
        REQUIRE_MESSAGE(signer.has_value(), describe(signer.error()));
        CHECK((*signer)->sign(protocol::Bytes{1, 2, 3}, 0).has_value());
    }
}

TEST_CASE("the comment: the client's if given, else the file's (a .ppk keeps it in clear, OpenSSH does not)")
{
    CHECK(identity_from_key_file(key_file("ppk/ed25519.ppk"), "")->comment == "latchkey-keyfile-ed25519");
    CHECK(identity_from_key_file(key_file("ppk/ed25519.ppk"), "mine")->comment == "mine");
    CHECK(identity_from_key_file(key_file("openssh/ed25519-aes256-ctr"), "")->comment.empty());
    CHECK(identity_from_key_file(key_file("openssh/ed25519-aes256-ctr"), "id_ed25519")->comment == "id_ed25519");
}

TEST_CASE("an unencrypted file is loaded at once, with the comment inside it")
{
    auto identity = identity_from_key_file(key_file("openssh/ed25519"), "");
    REQUIRE_MESSAGE(identity.has_value(), describe(identity.error()));
    CHECK(identity->signer != nullptr);
    CHECK(identity->encrypted_file == nullptr);
    CHECK(identity->comment == "latchkey-keyfile-ed25519");
}

TEST_CASE("files without a public half readable in clear, and damaged files, are refused")
{
    auto pem = identity_from_key_file(key_file("pem/rsa-2048-pkcs8-encrypted"), "");
    REQUIRE_FALSE(pem.has_value());
    CHECK(pem.error().code == ErrorCode::unsupported);
    CHECK_FALSE(identity_from_key_file(SecretBytes::from_text("hello"), "").has_value());
    auto text = key_file("ppk/ed25519.ppk");
    text.resize(60);
    CHECK_FALSE(identity_from_key_file(text, "").has_value());
}

TEST_CASE("a file that decrypts to another key than the one listed is refused")
{
    auto identity = identity_from_key_file(key_file("ppk/ed25519.ppk"), "");
    REQUIRE(identity.has_value());
    auto other = identity_from_key_file(key_file("ppk/ecdsa-256.ppk"), "");
    REQUIRE(other.has_value());
    auto signer = decrypt_key_file(*identity->encrypted_file, test_passphrase(), other->public_blob);
    REQUIRE_FALSE(signer.has_value());
    CHECK(signer.error().code == ErrorCode::key_mismatch);
}
