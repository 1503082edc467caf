// Tests of key constraints: wire layout, round trips, OpenSSH's checks, malformed input.
#include <doctest/doctest.h>

#include "protocol/constraint.hpp"
#include "tests/support/bytes.hpp"

using namespace latchkey::protocol;

using latchkey::test::filled;

namespace {

PublicKey host_key(std::uint8_t seed)
{
    return Ed25519PublicKey{filled(32, seed)};
}

DestinationConstraint origin_to(std::string hostname)
{
    return {{}, {"", std::move(hostname), {{host_key(1), false}}}};
}

DestinationConstraint hop(std::string from, std::string user, std::string to)
{
    return {{"", std::move(from), {{host_key(2), true}, {host_key(3), false}}},
            {std::move(user), std::move(to), {{host_key(4), false}}}};
}

std::vector<Constraint> identity_constraints()
{
    return {LifetimeConstraint{3600},
            ConfirmConstraint{},
            MaxSignConstraint{10},
            RestrictDestinationConstraint{{origin_to("a.example"), hop("a.example", "bob", "b.example")}},
            SkProviderConstraint{"internal"}};
}

std::vector<Constraint> smartcard_constraints()
{
    Certificate cert;
    cert.key = Ed25519PublicKey{filled(32, 9)};
    cert.signature_key = encode_public_key(host_key(5));
    return {ConfirmConstraint{}, LifetimeConstraint{1}, AssociatedCertsConstraint{true, {cert, host_key(6)}},
            RestrictDestinationConstraint{{origin_to("c.example")}}};
}

Bytes encode(const std::vector<Constraint>& constraints)
{
    WireWriter writer;
    write_constraints(writer, constraints);
    return std::move(writer).take();
}

Result<std::vector<Constraint>> decode(const Bytes& bytes, ConstraintContext context = ConstraintContext::add_identity)
{
    WireReader reader(bytes);
    return read_constraints(reader, context);
}

Error decode_error(const Bytes& bytes, ConstraintContext context = ConstraintContext::add_identity)
{
    auto constraints = decode(bytes, context);
    REQUIRE_FALSE(constraints.has_value());
    return constraints.error();
}

Bytes extension(std::string_view name, const Bytes& contents)
{
    WireWriter writer;
    writer.write_u8(255);
    writer.write_string(name);
    writer.write_bytes(contents);
    return std::move(writer).take();
}

// The restrict-destination extension around raw hop encodings.
Bytes restrict_destination(const Bytes& from, const Bytes& to, const Bytes& reserved = {})
{
    WireWriter fields;
    fields.write_string(from);
    fields.write_string(to);
    fields.write_string(reserved);
    WireWriter constraint;
    constraint.write_string(fields.buffer());
    WireWriter list;
    list.write_string(constraint.buffer());
    return extension("restrict-destination-v00@openssh.com", list.buffer());
}

Bytes raw_hop(std::string_view user, std::string_view hostname, int keys, const Bytes& reserved = {})
{
    WireWriter writer;
    writer.write_string(user);
    writer.write_string(hostname);
    writer.write_string(reserved);
    for (int i = 0; i < keys; ++i) {
        writer.write_string(encode_public_key(host_key(static_cast<std::uint8_t>(i))));
        writer.write_bool(false);
    }
    return std::move(writer).take();
}

}  // namespace

TEST_CASE("simple constraints have OpenSSH's layout")
{
    Bytes expected = {1, 0, 0, 0x0e, 0x10, 2, 3, 0, 0, 0, 5};
    CHECK(encode({LifetimeConstraint{3600}, ConfirmConstraint{}, MaxSignConstraint{5}}) == expected);

    WireWriter provider;
    provider.write_u8(255);
    provider.write_string(std::string_view("sk-provider@openssh.com"));
    provider.write_string(std::string_view("/usr/lib/sk.so"));
    CHECK(encode({SkProviderConstraint{"/usr/lib/sk.so"}}) == provider.buffer());
}

TEST_CASE("restrict-destination nests constraint, hops and keys as OpenSSH does")
{
    Bytes wire = restrict_destination(raw_hop("", "", 0), raw_hop("", "to.example", 1));
    auto constraints = decode(wire);
    REQUIRE(constraints.has_value());
    REQUIRE(constraints->size() == 1);
    const auto& restrict = std::get<RestrictDestinationConstraint>(constraints->front());
    REQUIRE(restrict.constraints.size() == 1);
    CHECK(restrict.constraints[0].to.hostname == "to.example");
    CHECK(restrict.constraints[0].to.keys.size() == 1);
    CHECK(encode(*constraints) == wire);
}

TEST_CASE("every constraint round-trips in its context")
{
    for (auto [constraints, context] : {std::pair{identity_constraints(), ConstraintContext::add_identity},
                                        std::pair{smartcard_constraints(), ConstraintContext::add_smartcard_key}}) {
        Bytes wire = encode(constraints);
        auto decoded = decode(wire, context);
        REQUIRE(decoded.has_value());
        CHECK(*decoded == constraints);
        CHECK(encode(*decoded) == wire);
    }
}

TEST_CASE("truncation never reads past the end and fails inside a constraint")
{
    Bytes wire = encode(identity_constraints());
    for (std::size_t length = 0; length < wire.size(); ++length) {
        Bytes prefix(wire.begin(), wire.begin() + static_cast<std::ptrdiff_t>(length));
        auto decoded = decode(prefix);
        // A prefix ending exactly between two constraints is a shorter valid list.
        if (decoded.has_value())
            CHECK(encode(*decoded) == prefix);
    }
    Bytes single = encode({identity_constraints()[3]});
    for (std::size_t length = 1; length < single.size(); ++length) {
        Bytes prefix(single.begin(), single.begin() + static_cast<std::ptrdiff_t>(length));
        CHECK_FALSE(decode(prefix).has_value());
    }
}

TEST_CASE("unknown constraint types and extension names")
{
    CHECK(decode_error({4}) == Error::unknown_constraint);
    CHECK(decode_error({0}) == Error::unknown_constraint);
    CHECK(decode_error(extension("frobnicate@example.com", {})) == Error::unknown_constraint);
}

TEST_CASE("a constraint given twice is refused")
{
    CHECK(decode_error({2, 2}) == Error::invalid_value);
    CHECK(decode_error({1, 0, 0, 0, 0, 1, 0, 0, 0, 0}) == Error::invalid_value);
    Bytes twice = encode({SkProviderConstraint{"a"}, SkProviderConstraint{"b"}});
    CHECK(decode_error(twice) == Error::invalid_value);
}

TEST_CASE("constraints allowed per message, as OpenSSH")
{
    CHECK(decode_error(encode({MaxSignConstraint{1}}), ConstraintContext::add_smartcard_key) == Error::invalid_value);
    CHECK(decode_error(encode({SkProviderConstraint{"x"}}), ConstraintContext::add_smartcard_key) ==
          Error::invalid_value);
    CHECK(decode_error(encode({AssociatedCertsConstraint{}}), ConstraintContext::add_identity) ==
          Error::invalid_value);
}

TEST_CASE("hop consistency: from has no user, a hostname iff keys; to has both")
{
    Bytes to = raw_hop("", "to.example", 1);
    CHECK(decode(restrict_destination(raw_hop("", "from.example", 1), to)).has_value());
    CHECK(decode_error(restrict_destination(raw_hop("user", "", 0), to)) == Error::invalid_value);
    CHECK(decode_error(restrict_destination(raw_hop("", "from.example", 0), to)) == Error::invalid_value);
    CHECK(decode_error(restrict_destination(raw_hop("", "", 1), to)) == Error::invalid_value);
    CHECK(decode_error(restrict_destination(raw_hop("", "", 0), raw_hop("", "", 1))) == Error::invalid_value);
    CHECK(decode_error(restrict_destination(raw_hop("", "", 0), raw_hop("", "to.example", 0))) ==
          Error::invalid_value);
}

TEST_CASE("reserved fields must be empty")
{
    Bytes to = raw_hop("", "to.example", 1);
    CHECK(decode_error(restrict_destination(raw_hop("", "", 0), to, {1})) == Error::invalid_value);
    CHECK(decode_error(restrict_destination(raw_hop("", "", 0, {1}), to)) == Error::invalid_value);
}

TEST_CASE("a bad host key inside a hop is refused")
{
    WireWriter to;
    to.write_string(std::string_view(""));
    to.write_string(std::string_view("to.example"));
    to.write_string(Bytes{});
    to.write_string(Bytes{0, 0, 0, 3, 'f', 'o', 'o'});
    to.write_bool(false);
    CHECK(decode_error(restrict_destination(raw_hop("", "", 0), to.buffer())) == Error::unknown_key_type);
}

TEST_CASE("at most 1024 destination constraints")
{
    std::vector<DestinationConstraint> many(max_destination_constraints + 1, origin_to("h"));
    Bytes wire = encode({RestrictDestinationConstraint{many}});
    CHECK(decode_error(wire) == Error::too_many_items);
    many.pop_back();
    CHECK(decode(encode({RestrictDestinationConstraint{many}})).has_value());
}

TEST_CASE("a 4 GiB nested length is truncated")
{
    CHECK(decode_error(extension("restrict-destination-v00@openssh.com", {0xff, 0xff, 0xff, 0xff, 0})) ==
          Error::truncated);
}
