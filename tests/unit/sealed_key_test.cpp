// Sealed keys: AES-256-GCM round trips of private key encodings captured from ssh-add, refusals of
// a wrong key or damaged bytes, and signers rebuilt from the opened encoding.
#include <doctest/doctest.h>

#include <algorithm>

#include "agent/sealed_key.hpp"
#include "protocol/message.hpp"
#include "tests/support/ssh_keygen_verifier.hpp"
#include "tests/support/test_data.hpp"

using namespace latchkey;
using namespace latchkey::protocol;

namespace {

PrivateKey captured_key(const std::string& name)
{
    Bytes bytes = test::read_file(test::data_dir / "captures" / ("add-" + name + ".bin"));
    auto request = decode_request(bytes);
    REQUIRE(request.has_value());
    REQUIRE(std::holds_alternative<AddIdentity>(*request));
    return std::get<AddIdentity>(*request).key;
}

SecretBytes sealing_key(std::uint8_t fill)
{
    SecretBytes key(32);
    std::fill(key.data(), key.data() + key.size(), fill);
    return key;
}

bool contains(ByteView haystack, ByteView needle)
{
    return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) != haystack.end();
}

}  // namespace

TEST_CASE("every key type seals and opens to the same encoding, and its signer signs verifiably")
{
    for (const auto& name : test::key_names) {
        CAPTURE(name);
        const PrivateKey key = captured_key(name);
        const SecretBytes encoding = agent::private_key_encoding(key);
        auto sealed = agent::seal(sealing_key(7), encoding);
        REQUIRE(sealed);
        CHECK(sealed->ciphertext.size() == encoding.size());
        CHECK(sealed->nonce.size() == 12);
        CHECK(sealed->tag.size() == 16);
        CHECK_FALSE(contains(sealed->ciphertext, encoding.view().subspan(encoding.size() - 16)));

        auto opened = agent::open(sealing_key(7), *sealed);
        REQUIRE(opened);
        CHECK(*opened == encoding);
        auto signer = agent::signer_from_encoding(*opened);
        REQUIRE(signer);
        const Bytes blob = encode_public_key(key.public_key);
        const Bytes message = {'s', 'e', 'a', 'l', 'e', 'd'};
        auto signature = (*signer)->sign(test::sshsig_signed_data(message), name.starts_with("rsa") ? sign_flag_rsa_sha2_256 : 0);
        REQUIRE(signature);
        CHECK(test::ssh_keygen_verifies(blob, *signature, message));
    }
}

TEST_CASE("the Ed25519 seed is not in the sealed bytes, and each seal uses a fresh nonce")
{
    const PrivateKey key = captured_key("ed25519");
    const auto& seed = std::get<Ed25519Secret>(key.secret).seed_and_public;
    const SecretBytes encoding = agent::private_key_encoding(key);
    REQUIRE(contains(encoding.view(), seed.view().first(32)));
    auto first = agent::seal(sealing_key(1), encoding);
    auto second = agent::seal(sealing_key(1), encoding);
    REQUIRE(first);
    REQUIRE(second);
    CHECK_FALSE(contains(first->ciphertext, seed.view().first(16)));
    CHECK(first->nonce != second->nonce);
    CHECK(first->ciphertext != second->ciphertext);
}

TEST_CASE("a wrong key or a damaged byte is refused as bad_passphrase, a short key as crypto_failure")
{
    const SecretBytes encoding = agent::private_key_encoding(captured_key("ecdsa-256"));
    auto sealed = agent::seal(sealing_key(3), encoding);
    REQUIRE(sealed);

    auto wrong = agent::open(sealing_key(4), *sealed);
    REQUIRE_FALSE(wrong);
    CHECK(wrong.error().code == agent::ErrorCode::bad_passphrase);
    for (Bytes agent::SealedKey::*part : {&agent::SealedKey::nonce, &agent::SealedKey::ciphertext, &agent::SealedKey::tag}) {
        agent::SealedKey damaged = *sealed;
        (damaged.*part)[0] ^= 0x01;
        auto opened = agent::open(sealing_key(3), damaged);
        REQUIRE_FALSE(opened);
        CHECK(opened.error().code == agent::ErrorCode::bad_passphrase);
    }

    SecretBytes short_key(16);
    auto refused = agent::seal(short_key, encoding);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == agent::ErrorCode::crypto_failure);
}

TEST_CASE("an encoding that is cut short or has bytes after it builds no signer")
{
    const SecretBytes encoding = agent::private_key_encoding(captured_key("ed25519"));
    SecretBytes cut(encoding.view().first(encoding.size() - 1));
    auto from_cut = agent::signer_from_encoding(cut);
    REQUIRE_FALSE(from_cut);
    CHECK(from_cut.error().code == agent::ErrorCode::malformed);
    SecretBytes longer = encoding;
    longer.push_back(0);
    auto from_longer = agent::signer_from_encoding(longer);
    REQUIRE_FALSE(from_longer);
    CHECK(from_longer.error().code == agent::ErrorCode::malformed);
}
