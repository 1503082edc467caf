// Tests of the status@latchkey.invalid and list-details@latchkey.invalid reply codecs.
#include <doctest/doctest.h>

#include "protocol/latchkey_extensions.hpp"
#include "tests/support/bytes.hpp"

using namespace latchkey;
using namespace latchkey::protocol;

using latchkey::test::filled;
using latchkey::test::from_hex;

namespace {

IdentityDetails restricted_identity()
{
    DestinationConstraint hop{{}, {"git", "h.example", {{Ed25519PublicKey{filled(32, 7)}, true}}}};
    return {encode_public_key(Ed25519PublicKey{filled(32, 1)}), "me@host", 90, true, true, {hop},
            KeyState::deferred_decrypted};
}

}  // namespace

TEST_CASE("status contents: layout and round trip")
{
    AgentStatus status{4242, "0.1.0", 3, true};
    Bytes encoded = encode_agent_status(status);
    CHECK(encoded == from_hex("00001092" "00000005" "302e312e30" "00000003" "01"));
    auto decoded = decode_agent_status(encoded);
    REQUIRE(decoded);
    CHECK(*decoded == status);
}

TEST_CASE("status contents: every proper prefix is truncated, an extra byte is trailing")
{
    Bytes encoded = encode_agent_status({1, "v", 0, false});
    for (std::size_t n = 0; n < encoded.size(); ++n) {
        auto decoded = decode_agent_status(ByteView(encoded).first(n));
        REQUIRE_FALSE(decoded);
        CHECK(decoded.error() == Error::truncated);
    }
    encoded.push_back(0);
    auto decoded = decode_agent_status(encoded);
    REQUIRE_FALSE(decoded);
    CHECK(decoded.error() == Error::trailing_bytes);
}

TEST_CASE("list-details contents: a plain identity's layout")
{
    IdentityDetails plain{from_hex("0102"), "c", std::nullopt, false, false, {}, KeyState::decrypted};
    Bytes encoded = encode_identity_details({plain});
    CHECK(encoded == from_hex("00000001" "00000002" "0102" "00000001" "63" "00" "00000000" "00" "00"
                              "00000000" "00000009" "646563727970746564"));
}

TEST_CASE("list-details contents: round trip with lifetime, confirm, destinations and each state")
{
    std::vector<IdentityDetails> identities = {restricted_identity(), restricted_identity(), restricted_identity()};
    identities[1].state = KeyState::deferred;
    identities[1].seconds_left = std::nullopt;
    identities[1].destinations.clear();
    identities[2].state = KeyState::decrypted;
    identities[2].seconds_left = 0;
    auto decoded = decode_identity_details(encode_identity_details(identities));
    REQUIRE(decoded);
    CHECK(*decoded == identities);
    CHECK(decode_identity_details(encode_identity_details({}))->empty());
}

TEST_CASE("list-details contents: truncation, trailing bytes, absurd counts, unknown states")
{
    Bytes encoded = encode_identity_details({restricted_identity()});
    for (std::size_t n = 0; n < encoded.size(); ++n)
        CHECK_FALSE(decode_identity_details(ByteView(encoded).first(n)));
    Bytes trailing = encoded;
    trailing.push_back(0);
    CHECK(decode_identity_details(trailing).error() == Error::trailing_bytes);

    CHECK(decode_identity_details(from_hex("ffffffff")).error() == Error::length_too_large);
    CHECK(decode_identity_details(from_hex("00000002" "00000000")).error() == Error::length_too_large);

    IdentityDetails plain{from_hex("01"), "", std::nullopt, false, false, {}, KeyState::decrypted};
    Bytes unknown_state = encode_identity_details({plain});
    unknown_state[unknown_state.size() - 1] = 'X';  // "decrypteX"
    CHECK(decode_identity_details(unknown_state).error() == Error::invalid_value);
}

TEST_CASE("list-details contents: a destinations field holding another constraint is refused")
{
    WireWriter contents;
    contents.write_u32(1);
    contents.write_string(from_hex("01"));
    contents.write_string(std::string_view("c"));
    contents.write_bool(false);
    contents.write_u32(0);
    contents.write_bool(false);
    contents.write_bool(false);
    contents.write_string(from_hex("02"));  // a CONFIRM constraint where destinations belong
    contents.write_string(std::string_view("decrypted"));
    CHECK(decode_identity_details(contents.buffer()).error() == Error::invalid_value);
}

TEST_CASE("key state names")
{
    CHECK(key_state_name(KeyState::decrypted) == "decrypted");
    CHECK(key_state_name(KeyState::deferred) == "deferred");
    CHECK(key_state_name(KeyState::deferred_decrypted) == "deferred-decrypted");
}
