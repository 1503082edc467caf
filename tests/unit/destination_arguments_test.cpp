// Tests of ssh-add -h style destinations (latchkey add -h, key.destinations): the syntax and the host keys from known_hosts.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "agent/destination_arguments.hpp"
#include "agent/client/key_loading.hpp"
#include "tests/support/test_data.hpp"

using namespace latchkey;
using namespace latchkey::agent;
using latchkey::agent::client::parse_public_key_line;
using latchkey::test::data_dir;

namespace {

std::string pub_line(const std::string& name)
{
    auto text = read_text_file((data_dir / "keys" / (name + ".pub")).string());
    REQUIRE(text);
    return text->substr(0, text->find_last_not_of("\n") + 1);
}

protocol::PublicKey key_of(const std::string& name)
{
    auto blob = parse_public_key_line(pub_line(name));
    REQUIRE(blob);
    return *protocol::decode_public_key(*blob);
}

KnownHosts known(const std::string& text)
{
    return parse_known_hosts(protocol::ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

}  // namespace

TEST_CASE("destinations: host, user@host, from>to, brackets; the last @ separates the user")
{
    CHECK(*parse_destination("host1.example") == DestinationSpec{"", "", "host1.example"});
    CHECK(*parse_destination("alice@host1.example") == DestinationSpec{"", "alice", "host1.example"});
    CHECK(*parse_destination("jump>bob@db") == DestinationSpec{"jump", "bob", "db"});
    CHECK(*parse_destination("a@b@host") == DestinationSpec{"", "a@b", "host"});
    CHECK(*parse_destination("[jump]>[db]") == DestinationSpec{"jump", "", "db"});
}

TEST_CASE("destinations: empty hosts, two '>' and a user on the from host are refused with the argument")
{
    for (std::string bad : {"", "alice@", ">db", "a>b>c", "u@jump>db", "jump>"}) {
        auto spec = parse_destination(bad);
        REQUIRE_FALSE(spec);
        CHECK(spec.error().code == ErrorCode::malformed);
        CHECK(spec.error().detail.find("\"" + bad + "\"") != std::string::npos);
    }
}

TEST_CASE("host keys: plain lines are keys, @cert-authority lines CAs, @revoked ignored, other hosts skipped")
{
    KnownHosts hosts = known("db,db.example " + pub_line("ed25519") + "\n" +
                             "@cert-authority *.example " + pub_line("ecdsa-256") + "\n" +
                             "@revoked db " + pub_line("rsa-2048") + "\n" +
                             "other " + pub_line("ecdsa-384") + "\n" +
                             "jump " + pub_line("ecdsa-521") + "\n");
    auto constraint = destination_constraint({"", "bob", "db.example"}, hosts);
    REQUIRE(constraint);
    CHECK(constraint->from.hostname.empty());
    CHECK(constraint->from.keys.empty());
    CHECK(constraint->to.user == "bob");
    CHECK(constraint->to.hostname == "db.example");
    REQUIRE(constraint->to.keys.size() == 2);
    CHECK(constraint->to.keys[0] == protocol::HostKeySpec{key_of("ed25519"), false});
    CHECK(constraint->to.keys[1] == protocol::HostKeySpec{key_of("ecdsa-256"), true});

    auto hop = destination_constraint({"jump", "", "db"}, hosts);
    REQUIRE(hop);
    CHECK(hop->from.hostname == "jump");
    REQUIRE(hop->from.keys.size() == 1);
    CHECK(hop->from.keys[0].key == key_of("ecdsa-521"));
    REQUIRE(hop->to.keys.size() == 1);  // "db" matches the plain line only, not *.example

    auto unknown = destination_constraint({"", "", "nowhere"}, hosts);
    REQUIRE_FALSE(unknown);
    CHECK(unknown.error().code == ErrorCode::not_found);
    CHECK(unknown.error().detail.find("\"nowhere\"") != std::string::npos);
    CHECK_FALSE(destination_constraint({"nowhere", "", "db"}, hosts));
}

TEST_CASE("restrict_destinations: one constraint per argument, keys from several files, missing files empty")
{
    auto dir = std::filesystem::temp_directory_path() / "latchkey-destinations-test";
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "a") << "h1 " << pub_line("ed25519") << "\n";
    std::ofstream(dir / "b") << "h2 " << pub_line("ecdsa-256") << "\n";
    std::vector<std::string> files = {(dir / "a").string(), (dir / "missing").string(), (dir / "b").string()};
    auto restrict = restrict_destinations({"h1", "h1>u@h2"}, files);
    auto unknown = restrict_destinations({"h1", "h3"}, files);
    std::filesystem::remove_all(dir);
    CHECK_FALSE(unknown);
    REQUIRE(restrict);
    REQUIRE(restrict->constraints.size() == 2);
    CHECK(restrict->constraints[0].to.hostname == "h1");
    CHECK(restrict->constraints[1].from.hostname == "h1");
    CHECK(restrict->constraints[1].to.keys[0].key == key_of("ecdsa-256"));
}
