// Tests of agent/host_names: the bound host as a confirmation prompt names it.
#include <doctest/doctest.h>

#include "agent/host_names.hpp"
#include "tests/support/test_data.hpp"

using namespace latchkey;
using latchkey::agent::describe_host_key;

namespace {

protocol::PublicKey host1_key()
{
    auto key = protocol::decode_public_key(test::public_blob_from_file(test::data_dir / "hosts/host1-ed25519.pub"));
    REQUIRE(key.has_value());
    return *key;
}

std::string data_file(const char* name)
{
    return (test::data_dir / "hosts" / name).string();
}

}  // namespace

TEST_CASE("a host key listed in known_hosts is named by its host names and fingerprint")
{
    CHECK(describe_host_key(host1_key(), "SHA256:fp", {data_file("known_hosts_lookup")}) ==
          "host1.example, Host1-Alias, 192.0.2.1 (SHA256:fp)");
    // Names found in two files appear once.
    CHECK(describe_host_key(host1_key(), "SHA256:fp", {data_file("known_hosts"), data_file("known_hosts_lookup")}) ==
          "host1.example, Host1-Alias, 192.0.2.1 (SHA256:fp)");
}

TEST_CASE("hashed, missing and unlisted hosts fall back to the fingerprint")
{
    CHECK(describe_host_key(host1_key(), "SHA256:fp", {data_file("known_hosts_hashed")}) ==
          "a host with a hashed known_hosts name (SHA256:fp)");
    CHECK(describe_host_key(host1_key(), "SHA256:fp", {data_file("no-such-file")}) == "an unknown host (SHA256:fp)");
    CHECK(describe_host_key(host1_key(), "SHA256:fp", {}) == "an unknown host (SHA256:fp)");
}

TEST_CASE("a key revoked in one file is called revoked whatever another file says")
{
    auto revoked = protocol::decode_public_key(test::public_blob_from_file(test::data_dir / "keys/ed25519.pub"));
    REQUIRE(revoked.has_value());
    CHECK(describe_host_key(*revoked, "SHA256:fp", {data_file("known_hosts_lookup")}) ==
          "a host whose key known_hosts marks @revoked (SHA256:fp)");
}

TEST_CASE("default_known_hosts_files are ssh's user and system files")
{
    CHECK(agent::default_known_hosts_files("/home/u") ==
          std::vector<std::string>{"/home/u/.ssh/known_hosts", "/home/u/.ssh/known_hosts2", "/etc/ssh/ssh_known_hosts",
                                   "/etc/ssh/ssh_known_hosts2"});
    CHECK(agent::default_known_hosts_files(nullptr) ==
          std::vector<std::string>{"/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2"});
}
