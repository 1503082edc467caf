// Tests of agent/known_hosts against files made by ssh-keygen (tests/data/hosts, see its README).
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "agent/known_hosts.hpp"
#include "tests/support/test_data.hpp"

using namespace latchkey;
using namespace latchkey::agent;

namespace {

KnownHosts load(const char* name)
{
    return parse_known_hosts(test::read_file(test::data_dir / "hosts" / name));
}

protocol::PublicKey key_from(const char* relative_path)
{
    auto key = protocol::decode_public_key(test::public_blob_from_file(test::data_dir / relative_path));
    REQUIRE(key.has_value());
    return *key;
}

// "type base64" of a .pub file under tests/data.
std::string key_fields(const char* relative_path)
{
    const protocol::Bytes text = test::read_file(test::data_dir / relative_path);
    const std::string line(text.begin(), text.end());
    return line.substr(0, line.find(' ', line.find(' ') + 1));
}

// Both test files know host1's key as host1.example and Host1-Alias, and host2's as [host1.example]:2222.
void check_host1_names_and_port(const KnownHosts& hosts)
{
    const auto host1 = key_from("hosts/host1-ed25519.pub");
    for (const char* name : {"host1.example", "HOST1.example", "host1-alias", "Host1-Alias"}) {
        CAPTURE(name);
        const HostKeys found = find_host_keys(hosts, known_hosts_name(name));
        REQUIRE(found.keys.size() == 1);
        CHECK(found.keys[0] == host1);
    }
    const HostKeys on_port = find_host_keys(hosts, known_hosts_name("host1.example", 2222));
    REQUIRE(on_port.keys.size() == 1);
    CHECK(on_port.keys[0] == key_from("hosts/host2-ecdsa-256.pub"));
    CHECK(find_host_keys(hosts, known_hosts_name("host1.example", 2223)).keys.empty());
    CHECK(find_host_keys(hosts, known_hosts_name("host1.exampl")).keys.empty());
}

protocol::ByteView bytes(std::string_view text)
{
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

}  // namespace

TEST_CASE("parse_known_hosts keeps good lines and counts bad ones")
{
    const KnownHosts hosts = load("known_hosts_lookup");
    REQUIRE(hosts.entries.size() == 6);
    CHECK(hosts.bad_lines == 5);
    CHECK(hosts.first_bad_line == 9);
    const KnownHostEntry& first = hosts.entries[0];
    CHECK(first.line == 3);
    CHECK(first.marker == KnownHostMarker::none);
    CHECK(first.patterns == "host1.example,Host1-Alias,192.0.2.1");
    CHECK(first.comment == "host1 comment");
    CHECK(first.key == key_from("hosts/host1-ed25519.pub"));
    CHECK(hosts.entries[2].patterns == "*.wild.example,!bad.wild.example,node?.example");
    CHECK(hosts.entries[3].marker == KnownHostMarker::cert_authority);
    CHECK(hosts.entries[4].marker == KnownHostMarker::revoked);
}

TEST_CASE("find_host_keys: names, aliases, ports, wildcards and negation")
{
    const KnownHosts hosts = load("known_hosts_lookup");
    check_host1_names_and_port(hosts);
    CHECK(find_host_keys(hosts, "192.0.2.1").keys.size() == 1);
    CHECK(find_host_keys(hosts, "a.wild.example").keys.size() == 1);
    CHECK(find_host_keys(hosts, "node5.example").keys.size() == 1);
    CHECK(find_host_keys(hosts, "node10.example").keys.empty());
    CHECK(find_host_keys(hosts, "bad.wild.example").keys.empty());
    CHECK(find_host_keys(hosts, "unknown.example").keys.empty());

    const HostKeys ca = find_host_keys(hosts, "server.ca.example");
    CHECK(ca.keys.empty());
    REQUIRE(ca.certificate_authorities.size() == 1);
    CHECK(ca.certificate_authorities[0] == key_from("ca/ca-ed25519.pub"));

    const HostKeys revoked = find_host_keys(hosts, "revoked.example");
    CHECK(revoked.keys.size() == 1);
    CHECK(revoked.revoked.size() == 1);
}

TEST_CASE("hashed names (ssh-keygen -H) match by HMAC-SHA1")
{
    const KnownHosts hosts = load("known_hosts_hashed");
    REQUIRE(hosts.entries.size() == 3);
    CHECK(hosts.bad_lines == 0);
    CHECK(hosts.entries[0].hashed.has_value());
    CHECK(hosts.entries[0].patterns.empty());
    check_host1_names_and_port(hosts);
}

TEST_CASE("find_key_host_names names the host of a key, for prompts")
{
    const KnownHosts plain = load("known_hosts_lookup");
    const KeyHostNames host1 = find_key_host_names(plain, key_from("hosts/host1-ed25519.pub"));
    CHECK(host1.names == std::vector<std::string>{"host1.example", "Host1-Alias", "192.0.2.1"});
    CHECK(host1.hashed_matches == 0);
    const KeyHostNames host2 = find_key_host_names(plain, key_from("hosts/host2-ecdsa-256.pub"));
    CHECK(host2.names ==
          std::vector<std::string>{"[host1.example]:2222", "*.wild.example", "node?.example"});
    const KeyHostNames revoked = find_key_host_names(plain, key_from("keys/ed25519.pub"));
    CHECK(revoked.names.empty());  // also listed as a plain key, but @revoked wins
    CHECK(revoked.revoked);
    CHECK_FALSE(host2.revoked);

    const KeyHostNames hashed = find_key_host_names(load("known_hosts_hashed"), key_from("hosts/host1-ed25519.pub"));
    CHECK(hashed.names.empty());
    CHECK(hashed.hashed_matches == 2);
}

TEST_CASE("find_key_host_names names a host certificate by its principals under a listed CA")
{
    // hosts/host1-ed25519-cert.pub: principal host1.example, signed by ca/ca-ed25519.
    const auto certificate = key_from("hosts/host1-ed25519-cert.pub");
    const KnownHosts ca_for_example =
        parse_known_hosts(bytes("@cert-authority *.example " + key_fields("ca/ca-ed25519.pub")));
    CHECK(find_key_host_names(ca_for_example, certificate).names == std::vector<std::string>{"host1.example"});
    CHECK(find_key_host_names(load("known_hosts_lookup"), certificate).names.empty());  // CA only for *.ca.example
}

TEST_CASE("parse_known_hosts is bounded and total over odd input")
{
    CHECK(parse_known_hosts({}).entries.empty());
    const std::string long_line(max_known_hosts_line + 1, 'a');
    const KnownHosts too_long = parse_known_hosts(bytes(long_line));
    CHECK(too_long.bad_lines == 1);
    CHECK(too_long.first_bad_line == 1);
    using namespace std::literals;
    const KnownHosts odd = parse_known_hosts(bytes("@revoked\n@cert-authority host\n|1|\r\n \t\n#x\nx y\n\0\n"sv));
    CHECK(odd.entries.empty());
    CHECK(odd.bad_lines == 5);
}

TEST_CASE("parse_known_hosts survives every single-byte corruption of a real file")
{
    // A deterministic stand-in for the fuzzer: each byte of the file replaced by characters that
    // matter to the format; every result stays within the file's line count.
    const protocol::Bytes original = test::read_file(test::data_dir / "hosts" / "known_hosts_lookup");
    const auto lines = static_cast<std::size_t>(std::count(original.begin(), original.end(), '\n')) + 1;
    std::size_t checked = 0;
    for (std::size_t i = 0; i < original.size(); i += 3) {
        for (std::uint8_t replacement : {'\n', ' ', '|', '@', '!', '*', '=', '\0', '\xff'}) {
            protocol::Bytes corrupted = original;
            corrupted[i] = replacement;
            const KnownHosts hosts = parse_known_hosts(corrupted);
            REQUIRE(hosts.entries.size() + hosts.bad_lines <= lines + 1);
            ++checked;
        }
    }
    CHECK(checked > 1000);
}
