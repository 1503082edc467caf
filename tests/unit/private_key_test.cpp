// Tests of the private key encoding inside ADD_IDENTITY: ssh-keygen golden keys, OpenSSH field
// order, every algorithm plain and certified, and the consistency checks.
#include <doctest/doctest.h>

#include <string_view>

#include "protocol/private_key.hpp"
#include "tests/support/bytes.hpp"

using namespace latchkey;
using namespace latchkey::protocol;

using latchkey::test::from_hex;
using latchkey::test::filled;

namespace {

SecretBytes secret(std::size_t size, std::uint8_t first)
{
    return SecretBytes(filled(size, first));
}

Bytes to_bytes(const SecretBytes& bytes)
{
    return Bytes(bytes.view().begin(), bytes.view().end());
}

// The private section of `ssh-keygen -t ed25519` output: type, A, k‖A (the comment excluded).
constexpr std::string_view ed25519_private_hex =
    "0000000b7373682d65643235353139000000204339cc38aa2de04435ac16cfc685ae61a2ec0f2de6a81925d7ffbca244"
    "9bcc4800000040b7cc699a77c74a9809c1f2c292f791c134fa43496b0583698255e4cb4a298bce4339cc38aa2de04435"
    "ac16cfc685ae61a2ec0f2de6a81925d7ffbca2449bcc48";

// The same for `ssh-keygen -t rsa -b 1024`: type, n, e, d, iqmp, p, q.
constexpr std::string_view rsa_private_hex =
    "000000077373682d7273610000008100b64c9150104d3fc14de0dd47e61f7c75c3e25095d2e64cd95959ad1b70733fa8"
    "00cf5269ec751f6ed13bacc8a61c81baacf5792cae63c8dc6e0d09933721fbc2c19faaad0ec933198fef14a894e74db5"
    "7a4391a11c89a15eaca04d09d4f6f08c5442aade8614ac4165b7dc758538660d26310a61cab858c175e04b5c9195e089"
    "0000000301000100000080156bd7e37596ee37f3c3c99cca40c6ea3bb35b4ecfb27a334c198a8adfe2db070dd94ed0dd"
    "9541b54ee6d93dd6af20db63b9909c9c7d633bebbea27267171a332cada389278891b6932ebac2dfdcc83b0650056407"
    "341ebda6ea74a63849bdc74c184ef27e044ba7b61129a15b7451fa0bd4144344c24ccd070751f2ae066b95000000401e"
    "d1b58e05e0a94b00c08cc9e47a73726882d73675a5ce06c0f22548de54f1918fc95998c8fb6a6849788fd5fbf696a9cc"
    "915c29b8c2f4da00bf7466ff4a3fe90000004100ddd9644d552cabf798afb6a4b886f3d2b9a5aa6948a06b193e964e11"
    "100ad7f691a5216598b8589270e693db0be8a46540d2e6d18f75bb1f569dbcd0c198d73b0000004100d25c970f68b562"
    "8fab584d0a969ca6598af6457df31663ebafc9fc4a371c7eabd65fdef1ff51913706df526d07557e3a5e5db4280c8923"
    "3947f86d4dbfedd30b";

Bytes ec_point(EcdsaCurve curve)
{
    Bytes point = filled(curve_point_size(curve), 0x10);
    point[0] = 0x04;
    return point;
}

Certificate certify(PlainPublicKey key)
{
    Certificate cert;
    cert.nonce = filled(16, 0xa0);
    cert.key = std::move(key);
    cert.key_id = "id";
    cert.valid_before = 100;
    cert.signature_key = encode_public_key(Ed25519PublicKey{filled(32, 0x40)});
    cert.signature = filled(8, 0x70);
    return cert;
}

SecretBytes ed25519_secret_for(const Bytes& point)
{
    SecretBytes seed_and_public = secret(32, 0x33);
    seed_and_public.append(point);
    return seed_and_public;
}

SecurityKeySecret security_key_secret()
{
    return SecurityKeySecret{0x01, secret(40, 0x55), filled(2, 0x66)};
}

std::vector<PrivateKey> sample_plain_keys()
{
    Bytes point = filled(32, 1);
    std::vector<PrivateKey> keys;
    keys.push_back({Ed25519PublicKey{point}, Ed25519Secret{ed25519_secret_for(point)}});
    for (EcdsaCurve curve : {EcdsaCurve::nistp256, EcdsaCurve::nistp384, EcdsaCurve::nistp521})
        keys.push_back({EcdsaPublicKey{curve, ec_point(curve)}, EcdsaSecret{secret(32, 0x81)}});
    keys.push_back({RsaPublicKey{{0x01, 0x00, 0x01}, filled(128, 0x80)},
                    RsaSecret{secret(128, 0x90), secret(64, 0x91), secret(64, 0x92), secret(64, 0x93)}});
    keys.push_back({DsaPublicKey{filled(128, 0x11), filled(20, 0x12), filled(128, 0x13), filled(128, 0x14)},
                    DsaSecret{secret(20, 0x15)}});
    keys.push_back({SkEd25519PublicKey{point, "ssh:"}, security_key_secret()});
    keys.push_back({SkEcdsaPublicKey{ec_point(EcdsaCurve::nistp256), "ssh:x"}, security_key_secret()});
    return keys;
}

std::vector<PrivateKey> sample_keys()
{
    std::vector<PrivateKey> keys;
    for (auto& key : sample_plain_keys()) {
        keys.push_back({certify(std::get<PlainPublicKey>(key.public_key)), key.secret});
        keys.push_back(std::move(key));
    }
    return keys;
}

Bytes encode(const PrivateKey& key)
{
    SecretWireWriter writer;
    write_private_key(writer, key);
    return to_bytes(writer.buffer());
}

Result<PrivateKey> decode(const Bytes& bytes)
{
    WireReader reader(bytes);
    auto key = read_private_key(reader);
    if (key.has_value() && !reader.at_end())
        return fail(Error::trailing_bytes);
    return key;
}

Error decode_error(const Bytes& bytes)
{
    auto key = decode(bytes);
    REQUIRE_FALSE(key.has_value());
    return key.error();
}

}  // namespace

TEST_CASE("an ssh-keygen Ed25519 private key decodes and re-encodes byte for byte")
{
    Bytes wire = from_hex(ed25519_private_hex);
    auto key = decode(wire);
    REQUIRE(key.has_value());
    const auto& pub = std::get<Ed25519PublicKey>(std::get<PlainPublicKey>(key->public_key));
    CHECK(pub.point.size() == 32);
    CHECK(std::get<Ed25519Secret>(key->secret).seed_and_public.size() == 64);
    CHECK(encode(*key) == wire);
}

TEST_CASE("an ssh-keygen RSA private key: n before e on the wire, e before n in the public blob")
{
    Bytes wire = from_hex(rsa_private_hex);
    auto key = decode(wire);
    REQUIRE(key.has_value());
    const auto& pub = std::get<RsaPublicKey>(std::get<PlainPublicKey>(key->public_key));
    CHECK(pub.e == Bytes{0x01, 0x00, 0x01});
    CHECK(pub.n.size() == 128);
    const auto& rsa = std::get<RsaSecret>(key->secret);
    CHECK(rsa.p.size() == 64);
    CHECK(rsa.q.size() == 64);
    CHECK(encode(*key) == wire);
}

TEST_CASE("certified Ed25519: type, certificate blob, then A and k‖A again")
{
    Bytes plain_wire = from_hex(ed25519_private_hex);
    auto plain = decode(plain_wire);
    REQUIRE(plain.has_value());
    Certificate cert = certify(std::get<PlainPublicKey>(plain->public_key));
    WireReader fields(plain_wire);
    REQUIRE(fields.read_string().has_value());  // skip the plain type name

    WireWriter expected;
    expected.write_string(std::string_view("ssh-ed25519-cert-v01@openssh.com"));
    expected.write_string(encode_public_key(cert));
    expected.write_bytes(fields.rest());

    auto key = decode(expected.buffer());
    REQUIRE(key.has_value());
    CHECK(key->public_key == PublicKey(cert));
    CHECK(encode(*key) == expected.buffer());
}

TEST_CASE("certified sk-ECDSA repeats only the application; certified ECDSA only d")
{
    Certificate sk_cert = certify(SkEcdsaPublicKey{ec_point(EcdsaCurve::nistp256), "ssh:app"});
    PrivateKey sk{sk_cert, security_key_secret()};
    WireWriter expected;
    expected.write_string(std::string_view("sk-ecdsa-sha2-nistp256-cert-v01@openssh.com"));
    expected.write_string(encode_public_key(sk_cert));
    expected.write_string(std::string_view("ssh:app"));
    expected.write_u8(0x01);
    expected.write_string(to_bytes(security_key_secret().key_handle));
    expected.write_string(filled(2, 0x66));
    CHECK(encode(sk) == expected.buffer());

    Certificate ec_cert = certify(EcdsaPublicKey{EcdsaCurve::nistp384, ec_point(EcdsaCurve::nistp384)});
    PrivateKey ec{ec_cert, EcdsaSecret{secret(48, 0x01)}};
    WireWriter ec_expected;
    ec_expected.write_string(std::string_view("ecdsa-sha2-nistp384-cert-v01@openssh.com"));
    ec_expected.write_string(encode_public_key(ec_cert));
    ec_expected.write_positive_mpint(filled(48, 0x01));
    CHECK(encode(ec) == ec_expected.buffer());
}

TEST_CASE("every algorithm, plain and certified, round-trips")
{
    for (const auto& key : sample_keys()) {
        CAPTURE(key_type_name(key.public_key));
        Bytes wire = encode(key);
        auto decoded = decode(wire);
        REQUIRE(decoded.has_value());
        CHECK(*decoded == key);
        CHECK(encode(*decoded) == wire);
    }
}

TEST_CASE("every truncation fails")
{
    for (const auto& key : sample_keys()) {
        Bytes wire = encode(key);
        for (std::size_t length = 0; length < wire.size(); ++length) {
            Bytes prefix(wire.begin(), wire.begin() + static_cast<std::ptrdiff_t>(length));
            WireReader reader(prefix);
            CHECK_FALSE(read_private_key(reader).has_value());
        }
    }
}

TEST_CASE("Ed25519 lengths and the k‖A tail are checked")
{
    Bytes point = filled(32, 1);
    PrivateKey key{Ed25519PublicKey{point}, Ed25519Secret{ed25519_secret_for(point)}};

    Bytes wrong_tail = encode(key);
    wrong_tail.back() ^= 1;
    CHECK(decode_error(wrong_tail) == Error::public_key_mismatch);

    PrivateKey short_secret{Ed25519PublicKey{point}, Ed25519Secret{secret(63, 0)}};
    CHECK(decode_error(encode(short_secret)) == Error::invalid_value);

    PrivateKey short_point{Ed25519PublicKey{filled(31, 1)}, Ed25519Secret{ed25519_secret_for(point)}};
    CHECK(decode_error(encode(short_point)) == Error::invalid_value);
}

TEST_CASE("public data repeated beside a certificate must match it")
{
    Bytes point = filled(32, 1);
    Bytes other = filled(32, 2);
    WireWriter ed;
    ed.write_string(std::string_view("ssh-ed25519-cert-v01@openssh.com"));
    ed.write_string(encode_public_key(certify(Ed25519PublicKey{point})));
    ed.write_string(other);
    ed.write_string(ed25519_secret_for(other).view());
    CHECK(decode_error(ed.buffer()) == Error::public_key_mismatch);

    PrivateKey sk{certify(SkEd25519PublicKey{point, "ssh:"}), security_key_secret()};
    WireWriter mixed;
    mixed.write_string(std::string_view("sk-ssh-ed25519-cert-v01@openssh.com"));
    mixed.write_string(encode_public_key(sk.public_key));
    mixed.write_string(point);
    mixed.write_string(std::string_view("ssh:other"));
    CHECK(decode_error(mixed.buffer()) == Error::public_key_mismatch);
}

TEST_CASE("the announced type must be the certificate's, and curves must match the type")
{
    PrivateKey rsa = sample_keys()[8];  // certified RSA
    REQUIRE(key_type_name(rsa.public_key) == "ssh-rsa-cert-v01@openssh.com");
    Bytes wire = encode(rsa);
    WireReader reader(wire);
    REQUIRE(reader.read_string().has_value());
    WireWriter relabelled;
    relabelled.write_string(std::string_view("ssh-dss-cert-v01@openssh.com"));
    relabelled.write_bytes(reader.rest());
    CHECK(decode_error(relabelled.buffer()) == Error::key_type_mismatch);

    WireWriter curve;
    curve.write_string(std::string_view("ecdsa-sha2-nistp256"));
    curve.write_string(std::string_view("nistp384"));
    curve.write_string(ec_point(EcdsaCurve::nistp384));
    curve.write_positive_mpint(filled(48, 1));
    CHECK(decode_error(curve.buffer()) == Error::key_type_mismatch);
}

TEST_CASE("unknown types, negative mpints")
{
    WireWriter unknown;
    unknown.write_string(std::string_view("ssh-xmss@openssh.com"));
    CHECK(decode_error(unknown.buffer()) == Error::unknown_key_type);

    WireWriter negative;
    negative.write_string(std::string_view("ssh-dss"));
    for (int i = 0; i < 4; ++i)
        negative.write_positive_mpint(filled(4, 1));
    negative.write_string(Bytes{0xff});
    CHECK(decode_error(negative.buffer()) == Error::negative_mpint);
}
