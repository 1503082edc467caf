// Tests of latchkey add --deferred's requests: add-ppk for .ppk files, add-encrypted for OpenSSH files,
// PEM refused; each request survives the protocol's own encoder and decoder.
#include <doctest/doctest.h>

#include "agent/deferred_add.hpp"
#include "agent/key_file_reading.hpp"
#include "tests/support/test_data.hpp"

using namespace latchkey;
using namespace latchkey::agent;
using latchkey::test::data_dir;

namespace {

SecretBytes file_bytes(const std::string& name)
{
    auto bytes = read_key_file_bytes((data_dir / "keyfiles" / name).string());
    REQUIRE(bytes);
    return std::move(*bytes);
}

// The request as latchkeyd would decode it from the wire.
protocol::Extension round_trip(const protocol::Extension& extension)
{
    SecretBytes body = protocol::encode_request(extension);
    auto decoded = protocol::decode_request(body.view());
    REQUIRE(decoded);
    REQUIRE(std::holds_alternative<protocol::Extension>(*decoded));
    return std::get<protocol::Extension>(*decoded);
}

const std::vector<protocol::Constraint> lifetime_and_confirm = {protocol::LifetimeConstraint{60},
                                                                protocol::ConfirmConstraint{}};

}  // namespace

TEST_CASE("a .ppk file goes as add-ppk@putty.projects.tartarus.org with its constraints")
{
    SecretBytes contents = file_bytes("ppk/ecdsa-256-v2.ppk");
    auto request = deferred_add_request("k.ppk", contents, "ignored", lifetime_and_confirm);
    REQUIRE(request);
    protocol::Extension decoded = round_trip(*request);
    CHECK(decoded.name == "add-ppk@putty.projects.tartarus.org");
    REQUIRE(std::holds_alternative<protocol::AddPpk>(decoded.body));
    const auto& add = std::get<protocol::AddPpk>(decoded.body);
    CHECK(add.file == contents);
    CHECK(add.constraints == lifetime_and_confirm);
}

TEST_CASE("an OpenSSH file goes as add-encrypted@latchkey.invalid with the comment given")
{
    SecretBytes contents = file_bytes("openssh/ed25519-aes256-ctr");
    auto request = deferred_add_request("id", contents, "me@host", {});
    REQUIRE(request);
    protocol::Extension decoded = round_trip(*request);
    CHECK(decoded.name == "add-encrypted@latchkey.invalid");
    REQUIRE(std::holds_alternative<protocol::AddEncrypted>(decoded.body));
    const auto& add = std::get<protocol::AddEncrypted>(decoded.body);
    CHECK(add.file == contents);
    CHECK(add.comment == "me@host");
    CHECK(add.constraints.empty());
}

TEST_CASE("PEM and unknown files cannot be deferred; the message names the file or the format")
{
    auto pem = deferred_add_request("old.pem", file_bytes("pem/rsa-2048-ssh-keygen-pem"), "", {});
    REQUIRE_FALSE(pem);
    CHECK(pem.error().code == ErrorCode::unsupported);
    CHECK(pem.error().detail.find("old.pem is a PEM file") == 0);
    auto unknown = deferred_add_request("x", SecretBytes::from_text("hello"), "", {});
    REQUIRE_FALSE(unknown);
    CHECK(unknown.error().code == ErrorCode::unsupported);
}
