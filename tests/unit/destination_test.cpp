// Tests of agent/destination: host certificates against @cert-authority hops, including the CA
// signature algorithms OpenSSH allows (SSH_ALLOWED_CA_SIGALGS).
#include <doctest/doctest.h>

#include "agent/destination.hpp"
#include "tests/support/test_data.hpp"

using namespace latchkey;
using namespace latchkey::agent;

namespace {

protocol::PublicKey key_from(const char* relative_path)
{
    auto key = protocol::decode_public_key(test::public_blob_from_file(test::data_dir / relative_path));
    REQUIRE(key.has_value());
    return *key;
}

// ssh-add -h host1.example with known_hosts "@cert-authority *.example <ca-ed25519>".
std::vector<protocol::DestinationConstraint> ca_constraint(const char* hostname)
{
    protocol::DestinationConstraint constraint;
    constraint.to.hostname = hostname;
    constraint.to.keys.push_back(protocol::HostKeySpec{key_from("ca/ca-ed25519.pub"), true});
    return {constraint};
}

BindState bound_to(const protocol::PublicKey& host_key)
{
    BindState state;
    state.binds.push_back(SessionBinding{host_key, protocol::Bytes(32, 7), false});
    state.attempted = true;
    return state;
}

// The certificate with its CA signature relabelled as `algorithm` (the signature bytes unchanged).
protocol::PublicKey with_signature_algorithm(protocol::Certificate certificate, std::string_view algorithm)
{
    protocol::WireReader reader(certificate.signature);
    REQUIRE(reader.read_string().has_value());
    protocol::WireWriter writer;
    writer.write_string(algorithm);
    writer.write_bytes(reader.rest());
    certificate.signature = std::move(writer).take();
    return certificate;
}

// Whether a connection bound to `host_key` may list a key restricted to the CA of `hostname`.
bool permitted(const char* hostname, const protocol::PublicKey& host_key, std::uint64_t unix_now)
{
    return destination_permitted(ca_constraint(hostname), bound_to(host_key), std::nullopt, unix_now).has_value();
}

}  // namespace

TEST_CASE("a host certificate from a listed CA is permitted for its principal")
{
    // hosts/host1-ed25519-cert.pub: host certificate for host1.example, signed by ca/ca-ed25519.
    const auto certificate = key_from("hosts/host1-ed25519-cert.pub");
    const auto& fields = std::get<protocol::Certificate>(certificate);
    const std::uint64_t now = fields.valid_after + 1;
    CHECK(permitted("host1.example", certificate, now));
    CHECK_FALSE(permitted("host2.example", certificate, now));
    CHECK_FALSE(permitted("host1.example", certificate, fields.valid_before));  // expired
    // The plain host key is not the CA's: a CA entry does not admit it.
    CHECK_FALSE(permitted("host1.example", key_from("hosts/host1-ed25519.pub"), now));
}

TEST_CASE("a host certificate signed with an algorithm outside SSH_ALLOWED_CA_SIGALGS is refused")
{
    const auto certificate = std::get<protocol::Certificate>(key_from("hosts/host1-ed25519-cert.pub"));
    const std::uint64_t now = certificate.valid_after + 1;
    for (const char* allowed : {"ssh-ed25519", "rsa-sha2-256", "rsa-sha2-512", "ecdsa-sha2-nistp256"}) {
        CAPTURE(allowed);
        CHECK(permitted("host1.example", with_signature_algorithm(certificate, allowed), now));
    }
    for (const char* refused : {"ssh-rsa", "ssh-dss", "ssh-ed25519-cert-v01@openssh.com", ""}) {
        CAPTURE(refused);
        CHECK_FALSE(permitted("host1.example", with_signature_algorithm(certificate, refused), now));
    }
}
