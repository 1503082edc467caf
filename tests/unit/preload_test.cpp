// Tests of preloading config.toml's keys: each file added deferred with its constraints, a bad file skipped
// without stopping the others, and what a reload adds.
#include <doctest/doctest.h>

#include "agent/preload.hpp"
#include "tests/support/test_data.hpp"

using namespace latchkey;
using namespace latchkey::agent;
using latchkey::test::data_dir;

namespace {

std::string key_file(const std::string& name)
{
    return (data_dir / "keyfiles" / "openssh" / name).string();
}

}  // namespace

TEST_CASE("an encrypted file is listed undecrypted, a clear one decrypted; a missing one is skipped")
{
    Keystore keystore;
    Dispatcher dispatcher(keystore);
    const std::vector<PreloadKey> keys = {
        {key_file("ed25519-aes256-ctr"), std::chrono::seconds(3600), true, {}},
        {key_file("no-such-file"), std::nullopt, false, {}},
        {key_file("ecdsa-256"), std::nullopt, false, {}},
    };
    CHECK(preload_keys(dispatcher, keys, {}) == 2);
    const std::vector<const Identity*> listed = keystore.list(Clock::now());
    REQUIRE(listed.size() == 2);
    CHECK(listed[0]->encrypted_file != nullptr);
    CHECK(listed[0]->signer == nullptr);
    CHECK(listed[0]->constraints.confirm);
    REQUIRE(listed[0]->constraints.expires_at);
    CHECK(*listed[0]->constraints.expires_at > Clock::now() + std::chrono::seconds(3500));
    CHECK(listed[1]->signer != nullptr);
    CHECK_FALSE(listed[1]->constraints.confirm);
    CHECK_FALSE(listed[1]->constraints.expires_at);
}

TEST_CASE("a destination without host keys in known_hosts keeps that key out")
{
    Keystore keystore;
    Dispatcher dispatcher(keystore);
    const std::vector<PreloadKey> keys = {{key_file("ecdsa-256"), std::nullopt, false, {"nowhere.invalid"}}};
    CHECK(preload_keys(dispatcher, keys, {(data_dir / "hosts" / "known_hosts").string()}) == 0);
    CHECK(keystore.size() == 0);
}

TEST_CASE("a reload adds the keys whose path the previous configuration did not list")
{
    const std::vector<PreloadKey> before = {{"/k/a", std::nullopt, false, {}}, {"/k/b", std::nullopt, false, {}}};
    const std::vector<PreloadKey> now = {{"/k/b", std::nullopt, true, {}}, {"/k/c", std::nullopt, false, {}}};
    const std::vector<PreloadKey> added = newly_listed_keys(before, now);
    REQUIRE(added.size() == 1);
    CHECK(added[0].path == "/k/c");
    CHECK(newly_listed_keys(now, now).empty());
}
