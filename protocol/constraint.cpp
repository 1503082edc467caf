// Decoding, checking and encoding of key constraints.
#include "protocol/constraint.hpp"

#include <array>
#include <type_traits>

#include "protocol/numbers.hpp"

namespace latchkey::protocol {

namespace {

constexpr std::string_view restrict_destination_name = "restrict-destination-v00@openssh.com";
constexpr std::string_view sk_provider_name = "sk-provider@openssh.com";
constexpr std::string_view associated_certs_name = "associated-certs-v00@openssh.com";

// A hop: string user, string hostname, string reserved (must be empty), then
// (string key blob, bool is_ca) pairs until the end.
Result<DestinationHop> read_hop(WireReader& reader)
{
    DestinationHop hop;
    LATCHKEY_TRY(hop.user, reader.read_text());
    LATCHKEY_TRY(hop.hostname, reader.read_text());
    LATCHKEY_TRY(ByteView reserved, reader.read_string());
    if (!reserved.empty())
        return fail(Error::invalid_value);
    while (!reader.at_end()) {
        LATCHKEY_TRY(ByteView blob, reader.read_string());
        LATCHKEY_TRY(PublicKey key, decode_public_key(blob));
        LATCHKEY_TRY(bool is_ca, reader.read_bool());
        hop.keys.push_back({std::move(key), is_ca});
    }
    return hop;
}

// OpenSSH's consistency rules: "from" has no user, and a hostname exactly when it has keys;
// "to" has a hostname and keys.
Result<void> check_hops(const DestinationConstraint& constraint)
{
    const DestinationHop& from = constraint.from;
    const DestinationHop& to = constraint.to;
    if (!from.user.empty() || from.hostname.empty() != from.keys.empty())
        return fail(Error::invalid_value);
    if (to.hostname.empty() || to.keys.empty())
        return fail(Error::invalid_value);
    return {};
}

// string( string from-hop, string to-hop, string reserved (must be empty) ).
Result<DestinationConstraint> read_destination_constraint(WireReader& reader)
{
    LATCHKEY_TRY(WireReader fields, reader.read_nested());
    LATCHKEY_TRY(WireReader from, fields.read_nested());
    LATCHKEY_TRY(WireReader to, fields.read_nested());
    LATCHKEY_TRY(ByteView reserved, fields.read_string());
    LATCHKEY_CHECK(fields.finish());
    DestinationConstraint constraint;
    LATCHKEY_TRY(constraint.from, read_hop(from));
    LATCHKEY_TRY(constraint.to, read_hop(to));
    if (!reserved.empty())
        return fail(Error::invalid_value);
    LATCHKEY_CHECK(check_hops(constraint));
    return constraint;
}

// describe(Error::too_many_items) names this bound.
static_assert(max_destination_constraints == 1024 && max_associated_certificates == 1024);

// Reads items with `read_item` until `reader` ends, refusing more than `limit`.
template <class T, class ReadItem>
Result<std::vector<T>> read_bounded_list(WireReader& reader, std::size_t limit, ReadItem read_item)
{
    std::vector<T> items;
    while (!reader.at_end()) {
        if (items.size() == limit)
            return fail(Error::too_many_items);
        LATCHKEY_TRY(T item, read_item(reader));
        items.push_back(std::move(item));
    }
    return items;
}

Result<Constraint> read_restrict_destination(WireReader& reader)
{
    LATCHKEY_TRY(WireReader list, reader.read_nested());
    LATCHKEY_TRY(auto constraints, read_bounded_list<DestinationConstraint>(list, max_destination_constraints,
                                                                             read_destination_constraint));
    return Constraint(RestrictDestinationConstraint{std::move(constraints)});
}

Result<PublicKey> read_key_blob(WireReader& reader)
{
    LATCHKEY_TRY(ByteView blob, reader.read_string());
    return decode_public_key(blob);
}

Result<Constraint> read_associated_certs(WireReader& reader)
{
    LATCHKEY_TRY(bool certs_only, reader.read_bool());
    LATCHKEY_TRY(WireReader list, reader.read_nested());
    LATCHKEY_TRY(auto certs, read_bounded_list<PublicKey>(list, max_associated_certificates, read_key_blob));
    return Constraint(AssociatedCertsConstraint{certs_only, std::move(certs)});
}

Result<Constraint> read_extension(WireReader& reader)
{
    LATCHKEY_TRY(std::string name, reader.read_text());
    if (name == restrict_destination_name)
        return read_restrict_destination(reader);
    if (name == associated_certs_name)
        return read_associated_certs(reader);
    if (name == sk_provider_name) {
        LATCHKEY_TRY(std::string path, reader.read_text());
        return Constraint(SkProviderConstraint{std::move(path)});
    }
    return fail(Error::unknown_constraint);
}

Result<Constraint> read_constraint(WireReader& reader)
{
    LATCHKEY_TRY(std::uint8_t type, reader.read_u8());
    switch (static_cast<ConstraintType>(type)) {
    case ConstraintType::lifetime: {
        LATCHKEY_TRY(std::uint32_t seconds, reader.read_u32());
        return Constraint(LifetimeConstraint{seconds});
    }
    case ConstraintType::confirm:
        return Constraint(ConfirmConstraint{});
    case ConstraintType::maxsign: {
        LATCHKEY_TRY(std::uint32_t signatures, reader.read_u32());
        return Constraint(MaxSignConstraint{signatures});
    }
    case ConstraintType::extension:
        return read_extension(reader);
    }
    return fail(Error::unknown_constraint);
}

bool allowed_in(const Constraint& constraint, ConstraintContext context)
{
    if (context == ConstraintContext::add_identity)
        return !std::holds_alternative<AssociatedCertsConstraint>(constraint);
    return !std::holds_alternative<MaxSignConstraint>(constraint) &&
           !std::holds_alternative<SkProviderConstraint>(constraint);
}

void write_hop(WireWriter& writer, const DestinationHop& hop)
{
    writer.write_string(hop.user);
    writer.write_string(hop.hostname);
    writer.write_string(ByteView{});
    for (const auto& spec : hop.keys) {
        writer.write_string(encode_public_key(spec.key));
        writer.write_bool(spec.is_ca);
    }
}

// Wraps what `write_contents` writes into one string field.
template <class Buffer, class WriteContents>
void write_nested(BasicWireWriter<Buffer>& writer, WriteContents write_contents)
{
    WireWriter inner;
    write_contents(inner);
    writer.write_string(inner.buffer());
}

void write_destination_constraint(WireWriter& writer, const DestinationConstraint& constraint)
{
    write_nested(writer, [&](WireWriter& fields) {
        write_nested(fields, [&](WireWriter& from) { write_hop(from, constraint.from); });
        write_nested(fields, [&](WireWriter& to) { write_hop(to, constraint.to); });
        fields.write_string(ByteView{});
    });
}

template <class Buffer>
void write_extension_header(BasicWireWriter<Buffer>& writer, std::string_view name)
{
    writer.write_u8(static_cast<std::uint8_t>(ConstraintType::extension));
    writer.write_string(name);
}

template <class Buffer>
void write_constraint(BasicWireWriter<Buffer>& writer, const Constraint& constraint)
{
    std::visit(
        [&](const auto& c) {
            using C = std::decay_t<decltype(c)>;
            if constexpr (std::is_same_v<C, LifetimeConstraint>) {
                writer.write_u8(static_cast<std::uint8_t>(ConstraintType::lifetime));
                writer.write_u32(c.seconds);
            } else if constexpr (std::is_same_v<C, ConfirmConstraint>) {
                writer.write_u8(static_cast<std::uint8_t>(ConstraintType::confirm));
            } else if constexpr (std::is_same_v<C, MaxSignConstraint>) {
                writer.write_u8(static_cast<std::uint8_t>(ConstraintType::maxsign));
                writer.write_u32(c.signatures);
            } else if constexpr (std::is_same_v<C, RestrictDestinationConstraint>) {
                write_extension_header(writer, restrict_destination_name);
                write_nested(writer, [&](WireWriter& list) {
                    for (const auto& destination : c.constraints)
                        write_destination_constraint(list, destination);
                });
            } else if constexpr (std::is_same_v<C, SkProviderConstraint>) {
                write_extension_header(writer, sk_provider_name);
                writer.write_string(c.path);
            } else {
                write_extension_header(writer, associated_certs_name);
                writer.write_bool(c.certs_only);
                write_nested(writer, [&](WireWriter& list) {
                    for (const auto& cert : c.certs)
                        list.write_string(encode_public_key(cert));
                });
            }
        },
        constraint);
}

}  // namespace

Result<std::vector<Constraint>> read_constraints(WireReader& reader, ConstraintContext context)
{
    std::vector<Constraint> constraints;
    std::array<bool, std::variant_size_v<Constraint>> seen{};
    while (!reader.at_end()) {
        LATCHKEY_TRY(Constraint constraint, read_constraint(reader));
        if (seen[constraint.index()] || !allowed_in(constraint, context))
            return fail(Error::invalid_value);
        seen[constraint.index()] = true;
        constraints.push_back(std::move(constraint));
    }
    return constraints;
}

template <class Buffer>
void write_constraints(BasicWireWriter<Buffer>& writer, const std::vector<Constraint>& constraints)
{
    for (const auto& constraint : constraints)
        write_constraint(writer, constraint);
}

template void write_constraints(WireWriter&, const std::vector<Constraint>&);
template void write_constraints(SecretWireWriter&, const std::vector<Constraint>&);

}  // namespace latchkey::protocol
