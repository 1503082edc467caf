// Encoding and decoding of the status@latchkey.invalid and list-details@latchkey.invalid reply contents.
#include "protocol/latchkey_extensions.hpp"

#include <array>
#include <utility>

namespace latchkey::protocol {

namespace {

constexpr std::array<std::pair<KeyState, std::string_view>, 3> state_names = {{
    {KeyState::decrypted, "decrypted"},
    {KeyState::deferred, "deferred"},
    {KeyState::deferred_decrypted, "deferred-decrypted"},
}};

Result<KeyState> key_state_from_name(std::string_view name)
{
    for (const auto& [state, state_name] : state_names)
        if (state_name == name)
            return state;
    return fail(Error::invalid_value);
}

// The smallest encoding of one identity: two empty strings, bool, uint32, two bools, two empty strings.
constexpr std::size_t min_identity_size = 4 + 4 + 1 + 4 + 1 + 1 + 4 + 4;

void write_identity(WireWriter& writer, const IdentityDetails& identity)
{
    writer.write_string(identity.key_blob);
    writer.write_string(identity.comment);
    writer.write_bool(identity.seconds_left.has_value());
    writer.write_u32(identity.seconds_left.value_or(0));
    writer.write_bool(identity.confirm);
    writer.write_bool(identity.confirm_without_askpass);
    WireWriter constraints;
    if (!identity.destinations.empty())
        write_constraints(constraints, {RestrictDestinationConstraint{identity.destinations}});
    writer.write_string(constraints.buffer());
    writer.write_string(key_state_name(identity.state));
}

Result<std::vector<DestinationConstraint>> read_destinations(WireReader& reader)
{
    LATCHKEY_TRY(WireReader nested, reader.read_nested());
    LATCHKEY_TRY(std::vector<Constraint> constraints, read_constraints(nested, ConstraintContext::add_identity));
    if (constraints.empty())
        return std::vector<DestinationConstraint>{};
    const auto* restrict = std::get_if<RestrictDestinationConstraint>(&constraints.front());
    if (constraints.size() != 1 || restrict == nullptr)
        return fail(Error::invalid_value);
    return restrict->constraints;
}

Result<IdentityDetails> read_identity(WireReader& reader)
{
    IdentityDetails identity;
    LATCHKEY_TRY(identity.key_blob, reader.read_string_copy());
    LATCHKEY_TRY(identity.comment, reader.read_text());
    LATCHKEY_TRY(bool has_lifetime, reader.read_bool());
    LATCHKEY_TRY(std::uint32_t seconds_left, reader.read_u32());
    if (has_lifetime)
        identity.seconds_left = seconds_left;
    LATCHKEY_TRY(identity.confirm, reader.read_bool());
    LATCHKEY_TRY(identity.confirm_without_askpass, reader.read_bool());
    LATCHKEY_TRY(identity.destinations, read_destinations(reader));
    LATCHKEY_TRY(std::string state, reader.read_text());
    LATCHKEY_TRY(identity.state, key_state_from_name(state));
    return identity;
}

}  // namespace

std::string_view key_state_name(KeyState state)
{
    for (const auto& [known, name] : state_names)
        if (known == state)
            return name;
    return "decrypted";
}

Bytes encode_agent_status(const AgentStatus& status)
{
    WireWriter writer;
    writer.write_u32(status.pid);
    writer.write_string(status.version);
    writer.write_u32(status.key_count);
    writer.write_bool(status.locked);
    return std::move(writer).take();
}

Result<AgentStatus> decode_agent_status(ByteView contents)
{
    WireReader reader(contents);
    AgentStatus status;
    LATCHKEY_TRY(status.pid, reader.read_u32());
    LATCHKEY_TRY(status.version, reader.read_text());
    LATCHKEY_TRY(status.key_count, reader.read_u32());
    LATCHKEY_TRY(status.locked, reader.read_bool());
    LATCHKEY_CHECK(reader.finish());
    return status;
}

Bytes encode_identity_details(const std::vector<IdentityDetails>& identities)
{
    WireWriter writer;
    writer.write_u32(static_cast<std::uint32_t>(identities.size()));
    for (const IdentityDetails& identity : identities)
        write_identity(writer, identity);
    return std::move(writer).take();
}

Result<std::vector<IdentityDetails>> decode_identity_details(ByteView contents)
{
    WireReader reader(contents);
    LATCHKEY_TRY(std::uint32_t count, reader.read_u32());
    if (count > max_listed_identities || count > reader.remaining() / min_identity_size)
        return fail(Error::length_too_large);
    std::vector<IdentityDetails> identities;
    identities.reserve(count);
    for (std::uint32_t i = 0; i < count; ++i) {
        LATCHKEY_TRY(IdentityDetails identity, read_identity(reader));
        identities.push_back(std::move(identity));
    }
    LATCHKEY_CHECK(reader.finish());
    return identities;
}

}  // namespace latchkey::protocol
