// Tests of Blowfish (Eric Young's vectors) and bcrypt_pbkdf (OpenBSD's regress vectors) and its limits.
#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "agent/keyfiles/bcrypt_pbkdf.hpp"
#include "agent/keyfiles/blowfish.hpp"
#include "tests/support/bytes.hpp"

using namespace latchkey;
using namespace latchkey::agent;
using namespace latchkey::agent::keyfiles;
using latchkey::test::from_hex;

namespace {

protocol::Bytes bytes_of(std::string_view text)
{
    return protocol::Bytes(text.begin(), text.end());
}

protocol::Bytes derive(std::string_view pass, std::string_view salt, unsigned rounds, std::size_t size)
{
    auto pass_bytes = bytes_of(pass);
    auto salt_bytes = bytes_of(salt);
    auto key = bcrypt_pbkdf(pass_bytes, salt_bytes, rounds, size);
    REQUIRE(key.has_value());
    return protocol::Bytes(key->view().begin(), key->view().end());
}

}  // namespace

TEST_CASE("Blowfish with the standard key schedule matches Eric Young's vectors")
{
    struct Vector {
        std::string_view key, plain, cipher;
    };
    for (auto [key, plain, cipher] : {Vector{"0000000000000000", "0000000000000000", "4ef997456198dd78"},
                                      Vector{"ffffffffffffffff", "ffffffffffffffff", "51866fd5b85ecb8a"},
                                      Vector{"0123456789abcdef", "1111111111111111", "61f9c3802281b096"},
                                      Vector{"fedcba9876543210", "0123456789abcdef", "0aceab0fc6a0a28d"}}) {
        Blowfish blowfish;
        blowfish.expand0_state(from_hex(key));
        auto block = from_hex(plain);
        std::size_t position = 0;
        std::uint32_t left = stream_to_word(block, position);
        std::uint32_t right = stream_to_word(block, position);
        blowfish.encipher(left, right);
        auto expected = from_hex(cipher);
        position = 0;
        CHECK(left == stream_to_word(expected, position));
        CHECK(right == stream_to_word(expected, position));
    }
}

TEST_CASE("bcrypt_pbkdf matches OpenBSD's regress vectors")
{
    using namespace std::string_view_literals;
    CHECK(derive("password", "salt", 4, 32) ==
          from_hex("5bbf0cc293587f1c3635555c27796598d47e579071bf427e9d8fbe842aba34d9"));
    CHECK(derive("password", "\0"sv, 4, 16) == from_hex("c12b566235eee04c212598970a579a67"));
    CHECK(derive("\0"sv, "salt", 4, 16) == from_hex("6051be18c2f4f82cbf0efee5471b4bb9"));
    CHECK(derive("password\0"sv, "salt\0"sv, 4, 32) ==
          from_hex("7410e44cf4fa07bfaac8a928b1727fac001375e7bf7384370f48efd121743050"));
}

TEST_CASE("bcrypt_pbkdf spreads a long output over its blocks")
{
    auto whole = derive("password", "salt", 2, 48);
    CHECK(whole.size() == 48);
    auto shorter = derive("password", "salt", 2, 32);
    CHECK(whole != shorter);  // stride 2 versus 1: different interleaving, not a prefix
}

TEST_CASE("bcrypt_pbkdf refuses absurd parameters")
{
    auto pass = bytes_of("password");
    auto salt = bytes_of("salt");
    auto too_many = bcrypt_pbkdf(pass, salt, max_bcrypt_rounds + 1, 32);
    REQUIRE_FALSE(too_many.has_value());
    CHECK(too_many.error().code == ErrorCode::unsupported);
    CHECK(too_many.error().detail.find("rounds") != std::string::npos);
    CHECK(bcrypt_pbkdf(pass, salt, 0, 32).error().code == ErrorCode::unsupported);
    CHECK(bcrypt_pbkdf({}, salt, 4, 32).error().code == ErrorCode::bad_passphrase);
    CHECK(bcrypt_pbkdf(pass, {}, 4, 32).error().code == ErrorCode::malformed);
    CHECK(bcrypt_pbkdf(pass, salt, 4, 0).error().code == ErrorCode::malformed);
    CHECK(bcrypt_pbkdf(pass, salt, 4, max_bcrypt_key_size + 1).error().code == ErrorCode::malformed);
}
