// Tests of request and reply codecs and framing: layouts, round trips, malformed input.
#include <doctest/doctest.h>

#include "protocol/message.hpp"
#include "tests/support/bytes.hpp"

using namespace latchkey;
using namespace latchkey::protocol;

using latchkey::test::filled;

namespace {

Bytes to_bytes(const SecretBytes& bytes)
{
    return Bytes(bytes.view().begin(), bytes.view().end());
}

PrivateKey ed25519_key()
{
    Bytes point = filled(32, 1);
    SecretBytes seed_and_public(filled(32, 0x40));
    seed_and_public.append(point);
    return {Ed25519PublicKey{point}, Ed25519Secret{std::move(seed_and_public)}};
}

Bytes ed25519_blob()
{
    return encode_public_key(Ed25519PublicKey{filled(32, 1)});
}

DestinationConstraint origin_to(std::string hostname)
{
    return {{}, {"", std::move(hostname), {{Ed25519PublicKey{filled(32, 7)}, false}}}};
}

// Requests whose every proper prefix is malformed.
std::vector<Request> closed_requests()
{
    return {
        SignRequest{ed25519_blob(), filled(20, 3), sign_flag_rsa_sha2_512},
        AddIdentity{ed25519_key(), "me@host", {}, false},
        RemoveIdentity{ed25519_blob()},
        RemoveSmartcardKey{"/usr/lib/p11.so", SecretBytes::from_text("1234")},
        Lock{SecretBytes::from_text("secret")},
        Unlock{SecretBytes::from_text("secret")},
        Extension{"session-bind@openssh.com", SessionBind{ed25519_blob(), filled(32, 5), filled(83, 6), true}},
    };
}

std::vector<Request> sample_requests()
{
    std::vector<Request> requests = closed_requests();
    std::vector<Request> more = {
        RequestIdentities{},
        RemoveAllIdentities{},
        AddIdentity{ed25519_key(), "", {LifetimeConstraint{60}, ConfirmConstraint{}}, true},
        AddIdentity{ed25519_key(), "c", {RestrictDestinationConstraint{{origin_to("h.example")}}}, true},
        AddIdentity{ed25519_key(), "constraints after 17, as OpenSSH accepts", {ConfirmConstraint{}}, false},
        AddIdentity{ed25519_key(), "25 without constraints", {}, true},
        AddSmartcardKey{"/usr/lib/p11.so", SecretBytes::from_text("1234"), {}, false},
        AddSmartcardKey{"/usr/lib/p11.so", SecretBytes::from_text("1234"), {LifetimeConstraint{5}}, true},
        Extension{"query", QueryExtension{}},
        Extension{"opaque@example.com", OpaqueExtension{filled(10, 1)}},
        Extension{"empty@example.com", OpaqueExtension{}},
        LegacyRequest{MessageType::ssh1_request_rsa_identities},
        LegacyRequest{MessageType::ssh1_remove_all_rsa_identities},
        UnknownRequest{200},
    };
    requests.insert(requests.end(), more.begin(), more.end());
    return requests;
}

std::vector<Reply> sample_replies()
{
    return {
        Failure{},
        Success{},
        IdentitiesAnswer{},
        IdentitiesAnswer{{{ed25519_blob(), "one"}, {filled(10, 1), ""}}},
        SignResponse{filled(83, 9)},
        ExtensionFailure{},
        QueryResponse{{"query", "session-bind@openssh.com"}},
        QueryResponse{},
        ExtensionResponse{"x@example.com", filled(4, 1)},
        Ssh1IdentitiesAnswer{},
    };
}

Error request_error(const Bytes& body)
{
    auto request = decode_request(body);
    REQUIRE_FALSE(request.has_value());
    return request.error();
}

Error reply_error(const Bytes& body)
{
    auto reply = decode_reply(body);
    REQUIRE_FALSE(reply.has_value());
    return reply.error();
}

Bytes prefix_of(const Bytes& bytes, std::size_t length)
{
    return Bytes(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(length));
}

}  // namespace

TEST_CASE("every request round-trips byte for byte")
{
    for (const auto& request : sample_requests()) {
        Bytes body = to_bytes(encode_request(request));
        CAPTURE(static_cast<int>(body[0]));
        auto decoded = decode_request(body);
        REQUIRE(decoded.has_value());
        CHECK(*decoded == request);
        CHECK(to_bytes(encode_request(*decoded)) == body);
    }
}

TEST_CASE("every reply round-trips byte for byte")
{
    for (const auto& reply : sample_replies()) {
        Bytes body = encode_reply(reply);
        CAPTURE(static_cast<int>(body[0]));
        auto decoded = decode_reply(body);
        REQUIRE(decoded.has_value());
        CHECK(*decoded == reply);
        CHECK(encode_reply(*decoded) == body);
    }
}

TEST_CASE("request layouts")
{
    SecretBytes sign = encode_request(SignRequest{{1, 2}, {3}, 4});
    CHECK(to_bytes(sign) == Bytes{13, 0, 0, 0, 2, 1, 2, 0, 0, 0, 1, 3, 0, 0, 0, 4});
    CHECK(to_bytes(encode_request(Lock{SecretBytes::from_text("pw")})) == Bytes{22, 0, 0, 0, 2, 'p', 'w'});
    CHECK(to_bytes(encode_request(Extension{"query", QueryExtension{}})) ==
          Bytes{27, 0, 0, 0, 5, 'q', 'u', 'e', 'r', 'y'});
    SecretBytes bind = encode_request(Extension{"session-bind@openssh.com", SessionBind{{1}, {2}, {3}, true}});
    Bytes expected = {27, 0, 0, 0, 24};
    for (char c : std::string_view("session-bind@openssh.com"))
        expected.push_back(static_cast<std::uint8_t>(c));
    expected.insert(expected.end(), {0, 0, 0, 1, 1, 0, 0, 0, 1, 2, 0, 0, 0, 1, 3, 1});
    CHECK(to_bytes(bind) == expected);
    CHECK(to_bytes(encode_request(AddIdentity{ed25519_key(), "", {}, true}))[0] == 25);
}

TEST_CASE("reply layouts: query answer, SSH-1 empty list, identities")
{
    Bytes query = encode_reply(QueryResponse{{"a"}});
    CHECK(query == Bytes{29, 0, 0, 0, 5, 'q', 'u', 'e', 'r', 'y', 0, 0, 0, 1, 'a'});
    CHECK(encode_reply(Ssh1IdentitiesAnswer{}) == Bytes{2, 0, 0, 0, 0});
    CHECK(encode_reply(IdentitiesAnswer{{{{9}, "c"}}}) == Bytes{12, 0, 0, 0, 1, 0, 0, 0, 1, 9, 0, 0, 0, 1, 'c'});
    CHECK(encode_reply(Failure{}) == Bytes{5});
    CHECK(encode_reply(ExtensionFailure{}) == Bytes{28});
}

TEST_CASE("an empty body is refused")
{
    CHECK(request_error({}) == Error::empty_message);
    CHECK(reply_error({}) == Error::empty_message);
}

TEST_CASE("trailing bytes are refused after every request that has an end")
{
    for (const auto& request : closed_requests()) {
        Bytes body = to_bytes(encode_request(request));
        body.push_back(0);
        // After ADD_IDENTITY the extra byte is read as a constraint type.
        bool takes_constraints = std::holds_alternative<AddIdentity>(request);
        CHECK(request_error(body) == (takes_constraints ? Error::unknown_constraint : Error::trailing_bytes));
    }
    CHECK(request_error({11, 0}) == Error::trailing_bytes);
    CHECK(request_error({27, 0, 0, 0, 5, 'q', 'u', 'e', 'r', 'y', 0}) == Error::trailing_bytes);
    CHECK(reply_error({6, 0}) == Error::trailing_bytes);
}

TEST_CASE("every truncation of a request fails; none reads past the end")
{
    for (const auto& request : closed_requests()) {
        Bytes body = to_bytes(encode_request(request));
        for (std::size_t length = 1; length < body.size(); ++length)
            CHECK_FALSE(decode_request(prefix_of(body, length)).has_value());
    }
    for (const auto& request : sample_requests()) {
        Bytes body = to_bytes(encode_request(request));
        for (std::size_t length = 1; length < body.size(); ++length) {
            auto decoded = decode_request(prefix_of(body, length));
            if (decoded.has_value())  // a shorter constraint list, opaque contents, an ignored body
                CHECK(to_bytes(encode_request(*decoded)).size() <= length);
        }
    }
}

TEST_CASE("every truncation of a reply fails or is a shorter valid reply")
{
    for (const auto& reply : sample_replies()) {
        Bytes body = encode_reply(reply);
        for (std::size_t length = 1; length < body.size(); ++length) {
            auto decoded = decode_reply(prefix_of(body, length));
            if (decoded.has_value())  // query names and extension contents run to the end
                CHECK(encode_reply(*decoded) == prefix_of(body, length));
        }
    }
}

TEST_CASE("legacy and unknown types decode whatever their body and keep none of it")
{
    auto legacy = decode_request(Bytes{7, 1, 2, 3});
    REQUIRE(legacy.has_value());
    CHECK(std::get<LegacyRequest>(*legacy).type == MessageType::ssh1_add_rsa_identity);
    for (std::uint8_t type : {1, 3, 7, 8, 9, 24})
        CHECK(std::holds_alternative<LegacyRequest>(*decode_request(Bytes{type})));
    for (std::uint8_t type : {0, 2, 5, 6, 12, 14, 28, 29, 30, 255})
        CHECK(std::get<UnknownRequest>(*decode_request(Bytes{type, 9})).type == type);
}

TEST_CASE("malformed fields inside requests")
{
    CHECK(request_error({13, 0xff, 0xff, 0xff, 0xff}) == Error::truncated);
    // An ADD_IDENTITY with an unknown key type, and one with an unknown constraint.
    SecretWireWriter add;
    add.write_u8(17);
    add.write_string(std::string_view("ssh-foo"));
    CHECK(request_error(to_bytes(add.buffer())) == Error::unknown_key_type);
    Bytes constrained = to_bytes(encode_request(AddIdentity{ed25519_key(), "", {}, true}));
    constrained.push_back(42);
    CHECK(request_error(constrained) == Error::unknown_constraint);
    // associated-certs is only for smartcard adds.
    Bytes with_certs = to_bytes(encode_request(AddIdentity{ed25519_key(), "", {AssociatedCertsConstraint{}}, true}));
    CHECK(request_error(with_certs) == Error::invalid_value);
}

TEST_CASE("malformed replies")
{
    CHECK(reply_error({12, 0xff, 0xff, 0xff, 0xff}) == Error::length_too_large);
    CHECK(reply_error({12, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0}) == Error::length_too_large);
    CHECK(reply_error({2, 0, 0, 0, 1}) == Error::invalid_value);
    CHECK(reply_error({13}) == Error::invalid_value);
}

TEST_CASE("framing: a 4-byte big-endian length, bounded by 256 KiB")
{
    CHECK(frame(Bytes{11}) == Bytes{0, 0, 0, 1, 11});
    CHECK(to_bytes(frame_secret(Bytes{22, 1})) == Bytes{0, 0, 0, 2, 22, 1});
    std::array<std::uint8_t, 4> ok = {0, 4, 0, 0};
    CHECK(*decode_frame_length(ok) == max_message_size);
    std::array<std::uint8_t, 4> too_big = {0, 4, 0, 1};
    CHECK(decode_frame_length(too_big).error() == Error::length_too_large);
    std::array<std::uint8_t, 4> huge = {0xff, 0xff, 0xff, 0xff};
    CHECK(decode_frame_length(huge).error() == Error::length_too_large);
}
