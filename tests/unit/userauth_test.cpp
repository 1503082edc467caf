// Tests for protocol/userauth: the userauth requests ssh has an agent sign, and everything else refused.
#include <doctest/doctest.h>

#include "protocol/userauth.hpp"
#include "tests/support/test_data.hpp"

using namespace latchkey;
using namespace latchkey::protocol;
using latchkey::test::data_dir;

namespace {

Bytes key_blob(const std::string& file)
{
    return test::public_blob_from_file(data_dir / file);
}

// Field values of one request; tests change one and encode.
struct Fields {
    Bytes session_id = {1, 2, 3, 4};
    std::uint8_t type = ssh_msg_userauth_request;
    std::string user = "alice";
    std::string service = "ssh-connection";
    std::string method = "publickey-hostbound-v00@openssh.com";
    std::uint8_t signature_follows = 1;
    std::string algorithm = "ssh-ed25519";
    Bytes key = key_blob("keys/ed25519.pub");
    Bytes host_key = key_blob("hosts/host1-ed25519.pub");

    Bytes encode() const
    {
        WireWriter writer;
        writer.write_string(ByteView(session_id));
        writer.write_u8(type);
        writer.write_string(std::string_view(user));
        writer.write_string(std::string_view(service));
        writer.write_string(std::string_view(method));
        writer.write_u8(signature_follows);
        writer.write_string(std::string_view(algorithm));
        writer.write_string(ByteView(key));
        if (method != "publickey")
            writer.write_string(ByteView(host_key));
        return std::move(writer).take();
    }
};

}  // namespace

TEST_CASE("a hostbound userauth request is parsed field by field")
{
    Fields fields;
    auto request = parse_userauth_request(fields.encode());
    REQUIRE(request.has_value());
    CHECK(request->session_id == fields.session_id);
    CHECK(request->user == "alice");
    CHECK(request->method == "publickey-hostbound-v00@openssh.com");
    CHECK(request->algorithm == "ssh-ed25519");
    CHECK(encode_public_key(request->key) == fields.key);
    REQUIRE(request->host_key.has_value());
    CHECK(encode_public_key(*request->host_key) == fields.host_key);
}

TEST_CASE("a plain publickey request has no host key")
{
    Fields fields;
    fields.method = "publickey";
    auto request = parse_userauth_request(fields.encode());
    REQUIRE(request.has_value());
    CHECK_FALSE(request->host_key.has_value());
}

TEST_CASE("anything but a well-formed publickey userauth request is refused")
{
    auto refused = [](const Fields& fields) { return !parse_userauth_request(fields.encode()).has_value(); };
    Fields fields;
    CHECK(refused([&] { auto f = fields; f.session_id.clear(); return f; }()));
    CHECK(refused([&] { auto f = fields; f.type = 51; return f; }()));
    CHECK(refused([&] { auto f = fields; f.service = "ssh-userauth"; return f; }()));
    CHECK(refused([&] { auto f = fields; f.method = "password"; return f; }()));
    CHECK(refused([&] { auto f = fields; f.signature_follows = 0; return f; }()));
    CHECK(refused([&] { auto f = fields; f.user = std::string("al\0ice", 6); return f; }()));
    CHECK(refused([&] { auto f = fields; f.key = {0, 0, 0, 1, 'x'}; return f; }()));

    Bytes trailing = fields.encode();
    trailing.push_back(0);
    CHECK_FALSE(parse_userauth_request(trailing).has_value());
    Bytes truncated = fields.encode();
    truncated.pop_back();
    CHECK_FALSE(parse_userauth_request(truncated).has_value());
    Bytes sshsig = {'S', 'S', 'H', 'S', 'I', 'G'};
    CHECK_FALSE(parse_userauth_request(sshsig).has_value());
}

TEST_CASE("the signature algorithm must name the key's type")
{
    auto ed25519 = decode_public_key(key_blob("keys/ed25519.pub"));
    auto rsa = decode_public_key(key_blob("keys/rsa-2048.pub"));
    auto rsa_cert = decode_public_key(key_blob("keys/rsa-2048-cert.pub"));
    REQUIRE((ed25519 && rsa && rsa_cert));
    CHECK(algorithm_matches_key("ssh-ed25519", *ed25519));
    CHECK_FALSE(algorithm_matches_key("ssh-rsa", *ed25519));
    for (const char* name : {"ssh-rsa", "rsa-sha2-256", "rsa-sha2-512"})
        CHECK(algorithm_matches_key(name, *rsa));
    CHECK_FALSE(algorithm_matches_key("rsa-sha2-256-cert-v01@openssh.com", *rsa));
    CHECK(algorithm_matches_key("rsa-sha2-512-cert-v01@openssh.com", *rsa_cert));
    CHECK_FALSE(algorithm_matches_key("rsa-sha2-512", *rsa_cert));
}
