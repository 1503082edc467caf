// Shielded keys: the clear signer is dropped once idle and rebuilt on the next signature, which
// still verifies; the encoding comes back out of the shield for locking.
#include <doctest/doctest.h>

#include "agent/keys/key_factory.hpp"
#include "agent/shielded_key.hpp"
#include "protocol/message.hpp"
#include "tests/support/ssh_keygen_verifier.hpp"
#include "tests/support/test_data.hpp"

using namespace latchkey;
using namespace latchkey::protocol;
using Clock = agent::ShieldedKey::Clock;

namespace {

PrivateKey captured_key(const std::string& name)
{
    Bytes bytes = test::read_file(test::data_dir / "captures" / ("add-" + name + ".bin"));
    auto request = decode_request(bytes);
    REQUIRE(request.has_value());
    return std::get<AddIdentity>(*request).key;
}

std::shared_ptr<agent::ShieldedKey> shielded(const PrivateKey& key, Clock::duration keep_clear)
{
    auto signer = agent::make_signing_key(key);
    REQUIRE(signer);
    auto made = agent::ShieldedKey::make(agent::private_key_encoding(key), std::move(*signer), keep_clear);
    REQUIRE(made);
    return *made;
}

}  // namespace

TEST_CASE("every key type signs verifiably before and after its clear signer is dropped")
{
    const Bytes message = {'s', 'h', 'i', 'e', 'l', 'd'};
    for (const auto& name : test::key_names) {
        CAPTURE(name);
        const PrivateKey key = captured_key(name);
        auto held = shielded(key, std::chrono::seconds(0));
        const Bytes blob = encode_public_key(key.public_key);
        const std::uint32_t flags = name.starts_with("rsa") ? sign_flag_rsa_sha2_512 : 0;
        for (int round = 0; round < 2; ++round) {
            CAPTURE(round);
            CHECK(held->clear() == (round == 0));
            auto signature = held->sign(test::sshsig_signed_data(message), flags);
            REQUIRE(signature);
            CHECK(test::ssh_keygen_verifies(blob, *signature, message));
            CHECK(held->clear());
            CHECK_FALSE(held->shield_if_idle(Clock::now()).has_value());
            CHECK_FALSE(held->clear());
        }
    }
}

TEST_CASE("a key stays clear for its keep-clear time after use, then is shielded")
{
    auto held = shielded(captured_key("ed25519"), std::chrono::hours(1));
    REQUIRE(held->sign(Bytes{1, 2, 3}, 0));
    const auto now = Clock::now();
    auto due = held->shield_if_idle(now);
    REQUIRE(due.has_value());
    CHECK(*due > now + std::chrono::minutes(59));
    CHECK(held->clear());
    CHECK_FALSE(held->shield_if_idle(*due).has_value());
    CHECK_FALSE(held->clear());
    CHECK_FALSE(held->shield_if_idle(*due).has_value());  // already shielded: nothing to wait for
}

TEST_CASE("the encoding comes out of the shield unchanged")
{
    const PrivateKey key = captured_key("rsa-2048");
    auto held = shielded(key, std::chrono::seconds(0));
    REQUIRE_FALSE(held->shield_if_idle(Clock::now()).has_value());
    auto encoding = held->encoding();
    REQUIRE(encoding);
    CHECK(*encoding == agent::private_key_encoding(key));
}

// Not a test: the measurement behind README "Key shielding", run by hand with
//   build/tests/shielded_key_test --no-skip -tc='measure*'
// It prints the mean time of one signature per key type: with a plain signer, with a shielded key
// that stays clear between signatures (latchkey's design), and with one shielded again after every
// signature (what unshielding for each use, as OpenSSH does, would cost).
TEST_CASE("measure: signature cost with and without shielding" * doctest::skip())
{
    using std::chrono::duration;
    const Bytes data(64, 0x5a);
    for (const auto& name : test::key_names) {
        const PrivateKey key = captured_key(name);
        const int rounds = name.starts_with("rsa-4096") ? 100 : 400;
        auto timed = [&](auto&& sign_once) {
            const auto start = Clock::now();
            for (int i = 0; i < rounds; ++i)
                sign_once();
            return duration<double, std::micro>(Clock::now() - start).count() / rounds;
        };
        auto plain = agent::make_signing_key(key);
        REQUIRE(plain);
        auto kept_clear = shielded(key, std::chrono::hours(1));
        auto reshielded = shielded(key, std::chrono::seconds(0));
        const double plain_us = timed([&] { REQUIRE((*plain)->sign(data, 0)); });
        const double clear_us = timed([&] { REQUIRE(kept_clear->sign(data, 0)); });
        const double each_us = timed([&] {
            REQUIRE(reshielded->sign(data, 0));
            reshielded->shield_if_idle(Clock::now());
        });
        MESSAGE(name << ": plain " << plain_us << " us, shielded but kept clear " << clear_us
                     << " us, unshielded for every signature " << each_us << " us");
    }
}
