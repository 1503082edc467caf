// Tests of agent/fingerprint against ssh-keygen -l output.
#include <doctest/doctest.h>

#include "agent/fingerprint.hpp"
#include "tests/support/test_data.hpp"
#include "tests/unit/key_test_support.hpp"

using namespace latchkey;
using namespace latchkey::test;

namespace {

// string "ssh-ed25519" ‖ string A, with A the RFC 8032 §7.1 TEST 1 public key.
const Bytes ed25519_blob = from_hex(
    "0000000b7373682d6564323535313900000020d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");

// A 1024-bit RSA public key made once with `ssh-keygen -t rsa -b 1024`.
constexpr std::string_view rsa_base64 =
    "AAAAB3NzaC1yc2EAAAADAQABAAAAgQDjd/JWMKT6jr5Oyk54ZJ79kZJShtq7tQY0Sll3V1i6LsU1AJJDnzP4lBKMBRZFqBKnjgfZ"
    "ruLNB16tCggx29hOV6qWJWl4T+HxjOl4xql+RntPfCM2hmMyn/k1dfA0NADGTOe7CsAYvmujwRlJ51wFpaBkb3wPQZKf1BchLuXukw==";

Bytes decode_base64(std::string_view text)
{
    auto bytes = test::base64_decode(text);
    REQUIRE(bytes.has_value());
    return *bytes;
}

}  // namespace

// Expected values from OpenSSH 9.2: `ssh-keygen -lf key.pub` and `ssh-keygen -E md5 -lf key.pub`.
TEST_CASE("SHA256 fingerprints match ssh-keygen -l")
{
    CHECK(agent::sha256_fingerprint(ed25519_blob) == "SHA256:bbXpuKG6zhzdmnxq256TlqzFBzRl2f6OOg722cYNbU8");
    CHECK(agent::sha256_fingerprint(decode_base64(rsa_base64)) == "SHA256:AnX05eXhp1ZHSUbKdR0Shdq8Fq8dTzmG9UE01iSymNc");
    CHECK(agent::sha256_fingerprint({}) == "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU");
}

TEST_CASE("MD5 fingerprints match ssh-keygen -E md5 -l")
{
    CHECK(agent::md5_fingerprint(ed25519_blob) == "MD5:cf:07:be:9d:68:ae:65:54:6d:a0:93:c3:6f:bd:0d:82");
    CHECK(agent::md5_fingerprint(decode_base64(rsa_base64)) == "MD5:d3:5b:ae:5b:31:f2:f3:49:cf:19:9d:45:10:8c:05:bf");
}

TEST_CASE("fingerprint() follows the -E choice")
{
    CHECK(agent::fingerprint(ed25519_blob, agent::FingerprintHash::sha256) == agent::sha256_fingerprint(ed25519_blob));
    CHECK(agent::fingerprint(ed25519_blob, agent::FingerprintHash::md5) == agent::md5_fingerprint(ed25519_blob));
}
