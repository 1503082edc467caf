// Tests of public key and certificate blobs: ssh-keygen golden blobs, round trips, malformed input.
#include <doctest/doctest.h>

#include <string_view>

#include "protocol/key_blob.hpp"
#include "tests/support/bytes.hpp"

using namespace latchkey::protocol;

using latchkey::test::from_hex;
using latchkey::test::filled;

namespace {

Bytes ec_point(EcdsaCurve curve)
{
    Bytes point = filled(curve_point_size(curve), 0x10);
    point[0] = 0x04;
    return point;
}

// ssh-keygen -t ed25519 certificate: serial 42, user, key id "key id", principals alice,bob,
// force-command=/bin/true and the five default permit-* extensions, signed by an Ed25519 CA.
constexpr std::string_view ed25519_cert_hex =
    "000000207373682d656432353531392d636572742d763031406f70656e7373682e636f6d00000020446910db58f73c91"
    "1093aa39a0fd65a205387531fd3a989b331317a6c373002c000000204339cc38aa2de04435ac16cfc685ae61a2ec0f2d"
    "e6a81925d7ffbca2449bcc48000000000000002a00000001000000066b65792069640000001000000005616c69636500"
    "000003626f62000000005e0be1000000000070dbd880000000220000000d666f7263652d636f6d6d616e640000000d00"
    "0000092f62696e2f7472756500000082000000157065726d69742d5831312d666f7277617264696e6700000000000000"
    "177065726d69742d6167656e742d666f7277617264696e6700000000000000167065726d69742d706f72742d666f7277"
    "617264696e67000000000000000a7065726d69742d707479000000000000000e7065726d69742d757365722d72630000"
    "000000000000000000330000000b7373682d65643235353139000000201f10198079b14a30e21cdfe2adf7cc8ed19764"
    "f8fff02d756c8141ca396863c0000000530000000b7373682d65643235353139000000400fc5ca9c7fa92870832247e9"
    "70979931460ed31884643f3b573198d19349b8c954ad3f7beed41c0e8b986da319e65f3f294b77859aea87d6352e9b3a"
    "81f6c20e";

// ssh-keygen -t ecdsa -b 384 public key.
constexpr std::string_view ecdsa384_hex =
    "0000001365636473612d736861322d6e69737470333834000000086e697374703338340000006104935f32692d1959ed"
    "51ef0782afe2405f75ab63ffa721c176cae5035d04020df9c53f36c99179f7baf06eb318924787ebd46a67501bd2a248"
    "fe7af8d086b02ec4a9c925d3ccead86e009d9ff96b86a2f77aca04b137917f5d195e25b4c192f410";

Certificate sample_certificate(PlainPublicKey key)
{
    Certificate cert;
    cert.nonce = filled(32, 0xa0);
    cert.key = std::move(key);
    cert.serial = 7;
    cert.type = certificate_type_host;
    cert.key_id = "id";
    cert.principals = {"host.example", "other"};
    cert.valid_after = 1;
    cert.valid_before = ~std::uint64_t{0};
    cert.critical_options = {{"force-command", filled(5, 1)}};
    cert.extensions = {{"permit-pty", {}}, {"x@example.com", filled(3, 9)}};
    cert.signature_key = encode_public_key(Ed25519PublicKey{filled(32, 0x40)});
    cert.signature = filled(20, 0x70);
    return cert;
}

std::vector<PlainPublicKey> sample_plain_keys()
{
    Bytes n = filled(128, 0x80);  // top bit set: needs the mpint sign byte
    return {
        Ed25519PublicKey{filled(32, 1)},
        EcdsaPublicKey{EcdsaCurve::nistp256, ec_point(EcdsaCurve::nistp256)},
        EcdsaPublicKey{EcdsaCurve::nistp384, ec_point(EcdsaCurve::nistp384)},
        EcdsaPublicKey{EcdsaCurve::nistp521, ec_point(EcdsaCurve::nistp521)},
        RsaPublicKey{{0x01, 0x00, 0x01}, n},
        DsaPublicKey{filled(128, 0x81), filled(20, 0x02), filled(128, 0x03), filled(128, 0x04)},
        SkEd25519PublicKey{filled(32, 2), "ssh:"},
        SkEcdsaPublicKey{ec_point(EcdsaCurve::nistp256), "ssh:test"},
    };
}

std::vector<PublicKey> sample_keys()
{
    std::vector<PublicKey> keys;
    for (const auto& plain : sample_plain_keys()) {
        keys.push_back(plain);
        keys.push_back(sample_certificate(plain));
    }
    return keys;
}

Bytes with_type_name(std::string_view name, const Bytes& fields)
{
    WireWriter writer;
    writer.write_string(name);
    writer.write_bytes(fields);
    return std::move(writer).take();
}

Error decode_error(const Bytes& blob)
{
    auto key = decode_public_key(blob);
    REQUIRE_FALSE(key.has_value());
    return key.error();
}

}  // namespace

TEST_CASE("an ssh-keygen Ed25519 certificate decodes field by field and re-encodes byte for byte")
{
    Bytes blob = from_hex(ed25519_cert_hex);
    auto key = decode_public_key(blob);
    REQUIRE(key.has_value());
    REQUIRE(is_certificate(*key));
    const auto& cert = std::get<Certificate>(*key);
    CHECK(cert.serial == 42);
    CHECK(cert.type == certificate_type_user);
    CHECK(cert.key_id == "key id");
    CHECK(cert.principals == std::vector<std::string>{"alice", "bob"});
    CHECK(cert.valid_after == 0x5e0be100);
    CHECK(cert.critical_options.size() == 1);
    CHECK(cert.critical_options[0].name == "force-command");
    CHECK(cert.extensions.size() == 5);
    CHECK(std::holds_alternative<Ed25519PublicKey>(underlying_key(*key)));
    CHECK(key_type_name(*key) == "ssh-ed25519-cert-v01@openssh.com");
    CHECK(encode_public_key(*key) == blob);
}

TEST_CASE("an ssh-keygen ECDSA P-384 key round-trips")
{
    Bytes blob = from_hex(ecdsa384_hex);
    auto key = decode_public_key(blob);
    REQUIRE(key.has_value());
    const auto& ecdsa = std::get<EcdsaPublicKey>(std::get<PlainPublicKey>(*key));
    CHECK(ecdsa.curve == EcdsaCurve::nistp384);
    CHECK(ecdsa.point.size() == 97);
    CHECK(key_type_name(*key) == "ecdsa-sha2-nistp384");
    CHECK(encode_public_key(*key) == blob);
}

TEST_CASE("every key type and its certificate round-trip")
{
    for (const auto& key : sample_keys()) {
        CAPTURE(key_type_name(key));
        Bytes blob = encode_public_key(key);
        auto decoded = decode_public_key(blob);
        REQUIRE(decoded.has_value());
        CHECK(*decoded == key);
        CHECK(encode_public_key(*decoded) == blob);
    }
}

TEST_CASE("type names")
{
    std::vector<std::string_view> expected = {
        "ssh-ed25519", "ssh-ed25519-cert-v01@openssh.com",
        "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256-cert-v01@openssh.com",
        "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384-cert-v01@openssh.com",
        "ecdsa-sha2-nistp521", "ecdsa-sha2-nistp521-cert-v01@openssh.com",
        "ssh-rsa", "ssh-rsa-cert-v01@openssh.com",
        "ssh-dss", "ssh-dss-cert-v01@openssh.com",
        "sk-ssh-ed25519@openssh.com", "sk-ssh-ed25519-cert-v01@openssh.com",
        "sk-ecdsa-sha2-nistp256@openssh.com", "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com",
    };
    auto keys = sample_keys();
    REQUIRE(keys.size() == expected.size());
    for (std::size_t i = 0; i < keys.size(); ++i) {
        CHECK(key_type_name(keys[i]) == expected[i]);
        CHECK(is_certificate_type_name(expected[i]) == (i % 2 == 1));
    }
}

TEST_CASE("RSA fields are e then n, as canonical mpints")
{
    PublicKey key = RsaPublicKey{{0x03}, {0x80, 0x01}};
    CHECK(encode_public_key(key) == from_hex("000000077373682d727361"
                                             "0000000103"
                                             "00000003008001"));
}

TEST_CASE("every truncation of every blob fails without reading past the end")
{
    for (const auto& key : sample_keys()) {
        Bytes blob = encode_public_key(key);
        for (std::size_t length = 0; length < blob.size(); ++length) {
            Bytes prefix(blob.begin(), blob.begin() + static_cast<std::ptrdiff_t>(length));
            CHECK_FALSE(decode_public_key(prefix).has_value());
        }
    }
}

TEST_CASE("trailing bytes are refused")
{
    for (const auto& key : sample_keys()) {
        Bytes blob = encode_public_key(key);
        blob.push_back(0);
        CHECK(decode_error(blob) == Error::trailing_bytes);
    }
}

TEST_CASE("unknown algorithms and curves")
{
    CHECK(decode_error(with_type_name("ssh-foo", {})) == Error::unknown_key_type);
    CHECK(decode_error(with_type_name("foo-cert-v01@openssh.com", {})) == Error::unknown_key_type);

    WireWriter fields;
    fields.write_string(std::string_view("nistp999"));
    fields.write_string(ec_point(EcdsaCurve::nistp256));
    CHECK(decode_error(with_type_name("ecdsa-sha2-nistp256", fields.buffer())) == Error::unknown_curve);
}

TEST_CASE("a curve name that differs from the type is a mismatch")
{
    WireWriter fields;
    fields.write_string(std::string_view("nistp384"));
    fields.write_string(ec_point(EcdsaCurve::nistp384));
    CHECK(decode_error(with_type_name("ecdsa-sha2-nistp256", fields.buffer())) == Error::key_type_mismatch);
    CHECK(decode_error(with_type_name("sk-ecdsa-sha2-nistp256@openssh.com", fields.buffer())) ==
          Error::key_type_mismatch);
}

TEST_CASE("wrong point lengths and a compressed point are invalid")
{
    WireWriter short_ed;
    short_ed.write_string(filled(31, 0));
    CHECK(decode_error(with_type_name("ssh-ed25519", short_ed.buffer())) == Error::invalid_value);

    Bytes compressed = ec_point(EcdsaCurve::nistp256);
    compressed[0] = 0x02;
    WireWriter ec;
    ec.write_string(std::string_view("nistp256"));
    ec.write_string(compressed);
    CHECK(decode_error(with_type_name("ecdsa-sha2-nistp256", ec.buffer())) == Error::invalid_value);
}

TEST_CASE("negative mpints and 4 GiB lengths")
{
    WireWriter fields;
    fields.write_string(Bytes{0x80});  // e with its sign bit set
    fields.write_positive_mpint(Bytes{0x01});
    CHECK(decode_error(with_type_name("ssh-rsa", fields.buffer())) == Error::negative_mpint);

    CHECK(decode_error(from_hex("ffffffff0000")) == Error::truncated);
    CHECK(decode_error(with_type_name("ssh-ed25519", from_hex("ffffffff01"))) == Error::truncated);
}

TEST_CASE("certificate checks: type 1 or 2, a plain CA key")
{
    Certificate cert = sample_certificate(Ed25519PublicKey{filled(32, 1)});
    cert.type = 3;
    CHECK(decode_error(encode_public_key(cert)) == Error::invalid_value);

    cert.type = certificate_type_user;
    cert.signature_key = encode_public_key(sample_certificate(Ed25519PublicKey{filled(32, 1)}));
    CHECK(decode_error(encode_public_key(cert)) == Error::invalid_value);

    cert.signature_key = from_hex("00000003666f6f");  // "foo": not a key
    CHECK(decode_error(encode_public_key(cert)) == Error::unknown_key_type);

    cert.signature_key = encode_public_key(Ed25519PublicKey{filled(32, 1)});
    cert.principals.assign(257, "p");
    CHECK(decode_error(encode_public_key(cert)) == Error::length_too_large);
}

TEST_CASE("curve helpers")
{
    CHECK(curve_name(EcdsaCurve::nistp521) == "nistp521");
    CHECK(*curve_from_name("nistp384") == EcdsaCurve::nistp384);
    CHECK(curve_from_name("secp256k1").error() == Error::unknown_curve);
    CHECK(curve_point_size(EcdsaCurve::nistp521) == 133);
}
