// Decoding and encoding of the encrypted-key extensions (PuTTY's and latchkey's) and their replies.
#include "protocol/encrypted_key_messages.hpp"

#include "protocol/numbers.hpp"

namespace latchkey::protocol {

namespace {

// Smallest encoding of one extended identity: two empty strings and a string holding the flags.
constexpr std::size_t min_extended_identity_size = 4 + 4 + 4 + 4;

// Reads the reply type byte, which must be SUCCESS.
Result<void> read_success(WireReader& reader)
{
    LATCHKEY_TRY(std::uint8_t type, reader.read_u8());
    if (type != static_cast<std::uint8_t>(MessageType::success))
        return fail(Error::invalid_value);
    return {};
}

Result<ExtendedIdentity> read_extended_identity(WireReader& reader)
{
    ExtendedIdentity identity;
    LATCHKEY_TRY(identity.key_blob, reader.read_string_copy());
    LATCHKEY_TRY(identity.comment, reader.read_text());
    LATCHKEY_TRY(WireReader extra, reader.read_nested());
    LATCHKEY_TRY(identity.flags, extra.read_u32());
    return identity;
}

}  // namespace

Result<AddPpk> read_add_ppk(WireReader& reader)
{
    AddPpk message;
    LATCHKEY_TRY(message.file, reader.read_secret_string());
    LATCHKEY_TRY(message.constraints, read_constraints(reader, ConstraintContext::add_identity));
    return message;
}

Result<AddEncrypted> read_add_encrypted(WireReader& reader)
{
    AddEncrypted message;
    LATCHKEY_TRY(message.file, reader.read_secret_string());
    LATCHKEY_TRY(message.comment, reader.read_text());
    LATCHKEY_TRY(message.constraints, read_constraints(reader, ConstraintContext::add_identity));
    return message;
}

Result<ReencryptKey> read_reencrypt(WireReader& reader)
{
    LATCHKEY_TRY(Bytes key_blob, reader.read_string_copy());
    LATCHKEY_CHECK(reader.finish());
    return ReencryptKey{std::move(key_blob)};
}

void write_add_ppk(SecretWireWriter& writer, const AddPpk& message)
{
    writer.write_string(message.file.view());
    write_constraints(writer, message.constraints);
}

void write_add_encrypted(SecretWireWriter& writer, const AddEncrypted& message)
{
    writer.write_string(message.file.view());
    writer.write_string(message.comment);
    write_constraints(writer, message.constraints);
}

void write_reencrypt(SecretWireWriter& writer, const ReencryptKey& message)
{
    writer.write_string(message.key_blob);
}

void write_extended_identities_answer(WireWriter& writer, const ExtendedIdentitiesAnswer& answer)
{
    writer.write_u8(static_cast<std::uint8_t>(MessageType::success));
    writer.write_u32(static_cast<std::uint32_t>(answer.identities.size()));
    for (const auto& identity : answer.identities) {
        writer.write_string(identity.key_blob);
        writer.write_string(identity.comment);
        WireWriter extra;
        extra.write_u32(identity.flags);
        writer.write_string(extra.buffer());
    }
}

void write_reencrypt_all_answer(WireWriter& writer, const ReencryptAllAnswer& answer)
{
    writer.write_u8(static_cast<std::uint8_t>(MessageType::success));
    writer.write_u32(answer.left_decrypted);
}

Result<ExtendedIdentitiesAnswer> decode_list_extended_reply(ByteView body)
{
    if (body.empty())
        return fail(Error::empty_message);
    WireReader reader(body);
    LATCHKEY_CHECK(read_success(reader));
    LATCHKEY_TRY(std::uint32_t count, reader.read_u32());
    if (count > reader.remaining() / min_extended_identity_size)
        return fail(Error::length_too_large);
    ExtendedIdentitiesAnswer answer;
    for (std::uint32_t i = 0; i < count; ++i) {
        LATCHKEY_TRY(ExtendedIdentity identity, read_extended_identity(reader));
        answer.identities.push_back(std::move(identity));
    }
    LATCHKEY_CHECK(reader.finish());
    return answer;
}

Result<ReencryptAllAnswer> decode_reencrypt_all_reply(ByteView body)
{
    if (body.empty())
        return fail(Error::empty_message);
    WireReader reader(body);
    LATCHKEY_CHECK(read_success(reader));
    LATCHKEY_TRY(std::uint32_t left_decrypted, reader.read_u32());
    LATCHKEY_CHECK(reader.finish());
    return ReencryptAllAnswer{left_decrypted};
}

}  // namespace latchkey::protocol
