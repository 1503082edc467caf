// Decoding and encoding of ssh-agent requests and replies, and the frame length prefix.
#include "protocol/message.hpp"

namespace latchkey::protocol {

namespace {

// ---- Request bodies (after the type byte) ----

Result<Request> read_sign_request(WireReader& reader)
{
    SignRequest request;
    LATCHKEY_TRY(request.key_blob, reader.read_string_copy());
    LATCHKEY_TRY(request.data, reader.read_string_copy());
    LATCHKEY_TRY(request.flags, reader.read_u32());
    return Request(std::move(request));
}

Result<Request> read_add_identity(WireReader& reader, bool constrained)
{
    AddIdentity request;
    request.constrained = constrained;
    LATCHKEY_TRY(request.key, read_private_key(reader));
    LATCHKEY_TRY(request.comment, reader.read_text());
    LATCHKEY_TRY(request.constraints, read_constraints(reader, ConstraintContext::add_identity));
    return Request(std::move(request));
}

Result<Request> read_remove_identity(WireReader& reader)
{
    LATCHKEY_TRY(Bytes key_blob, reader.read_string_copy());
    return Request(RemoveIdentity{std::move(key_blob)});
}

Result<Request> read_add_smartcard_key(WireReader& reader, bool constrained)
{
    AddSmartcardKey request;
    request.constrained = constrained;
    LATCHKEY_TRY(request.reader_id, reader.read_text());
    LATCHKEY_TRY(request.pin, reader.read_secret_string());
    LATCHKEY_TRY(request.constraints, read_constraints(reader, ConstraintContext::add_smartcard_key));
    return Request(std::move(request));
}

Result<Request> read_remove_smartcard_key(WireReader& reader)
{
    RemoveSmartcardKey request;
    LATCHKEY_TRY(request.reader_id, reader.read_text());
    LATCHKEY_TRY(request.pin, reader.read_secret_string());
    return Request(std::move(request));
}

// Lock or Unlock: one string passphrase.
template <class Message>
Result<Request> read_passphrase_message(WireReader& reader)
{
    LATCHKEY_TRY(SecretBytes passphrase, reader.read_secret_string());
    return Request(Message{std::move(passphrase)});
}

Result<SessionBind> read_session_bind(WireReader& reader)
{
    SessionBind bind;
    LATCHKEY_TRY(bind.host_key, reader.read_string_copy());
    LATCHKEY_TRY(bind.session_id, reader.read_string_copy());
    LATCHKEY_TRY(bind.signature, reader.read_string_copy());
    LATCHKEY_TRY(bind.is_forwarding, reader.read_bool());
    return bind;
}

Result<Request> read_extension(WireReader& reader)
{
    Extension request;
    LATCHKEY_TRY(request.name, reader.read_text());
    if (request.name == query_extension_name) {
        request.body = QueryExtension{};
    } else if (request.name == session_bind_extension_name) {
        LATCHKEY_TRY(request.body, read_session_bind(reader));
    } else if (request.name == add_ppk_extension_name) {
        LATCHKEY_TRY(request.body, read_add_ppk(reader));
    } else if (request.name == add_encrypted_extension_name) {
        LATCHKEY_TRY(request.body, read_add_encrypted(reader));
    } else if (request.name == reencrypt_extension_name) {
        LATCHKEY_TRY(request.body, read_reencrypt(reader));
    } else if (request.name == reencrypt_all_extension_name) {
        request.body = ReencryptAllKeys{};
    } else if (request.name == list_extended_extension_name) {
        request.body = ListExtended{};
    } else {
        LATCHKEY_TRY(ByteView contents, reader.read_bytes(reader.remaining()));
        request.body = OpaqueExtension{to_bytes(contents)};
    }
    return Request(std::move(request));
}

// The request that follows the type byte; legacy and unknown types ignore their body.
Result<Request> read_request(std::uint8_t type, WireReader& reader)
{
    switch (static_cast<MessageType>(type)) {
    case MessageType::request_identities: return Request(RequestIdentities{});
    case MessageType::sign_request: return read_sign_request(reader);
    case MessageType::add_identity: return read_add_identity(reader, false);
    case MessageType::add_id_constrained: return read_add_identity(reader, true);
    case MessageType::remove_identity: return read_remove_identity(reader);
    case MessageType::remove_all_identities: return Request(RemoveAllIdentities{});
    case MessageType::add_smartcard_key: return read_add_smartcard_key(reader, false);
    case MessageType::add_smartcard_key_constrained: return read_add_smartcard_key(reader, true);
    case MessageType::remove_smartcard_key: return read_remove_smartcard_key(reader);
    case MessageType::lock: return read_passphrase_message<Lock>(reader);
    case MessageType::unlock: return read_passphrase_message<Unlock>(reader);
    case MessageType::extension: return read_extension(reader);
    case MessageType::ssh1_request_rsa_identities:
    case MessageType::ssh1_rsa_challenge:
    case MessageType::ssh1_add_rsa_identity:
    case MessageType::ssh1_remove_rsa_identity:
    case MessageType::ssh1_remove_all_rsa_identities:
    case MessageType::ssh1_add_rsa_id_constrained: return Request(LegacyRequest{static_cast<MessageType>(type)});
    default: return Request(UnknownRequest{type});
    }
}

bool ignores_body(const Request& request)
{
    return std::holds_alternative<LegacyRequest>(request) || std::holds_alternative<UnknownRequest>(request);
}

// ---- Request encoders: one per message, type byte included ----

using RequestWriter = SecretWireWriter;

void write_type(RequestWriter& writer, MessageType type)
{
    writer.write_u8(static_cast<std::uint8_t>(type));
}

void write_request(RequestWriter& w, const RequestIdentities&)
{
    write_type(w, MessageType::request_identities);
}

void write_request(RequestWriter& w, const SignRequest& m)
{
    write_type(w, MessageType::sign_request);
    w.write_string(m.key_blob);
    w.write_string(m.data);
    w.write_u32(m.flags);
}

void write_request(RequestWriter& w, const AddIdentity& m)
{
    write_type(w, m.constrained ? MessageType::add_id_constrained : MessageType::add_identity);
    write_private_key(w, m.key);
    w.write_string(m.comment);
    write_constraints(w, m.constraints);
}

void write_request(RequestWriter& w, const RemoveIdentity& m)
{
    write_type(w, MessageType::remove_identity);
    w.write_string(m.key_blob);
}

void write_request(RequestWriter& w, const RemoveAllIdentities&)
{
    write_type(w, MessageType::remove_all_identities);
}

void write_request(RequestWriter& w, const AddSmartcardKey& m)
{
    write_type(w, m.constrained ? MessageType::add_smartcard_key_constrained : MessageType::add_smartcard_key);
    w.write_string(m.reader_id);
    w.write_string(m.pin.view());
    write_constraints(w, m.constraints);
}

void write_request(RequestWriter& w, const RemoveSmartcardKey& m)
{
    write_type(w, MessageType::remove_smartcard_key);
    w.write_string(m.reader_id);
    w.write_string(m.pin.view());
}

void write_request(RequestWriter& w, const Lock& m)
{
    write_type(w, MessageType::lock);
    w.write_string(m.passphrase.view());
}

void write_request(RequestWriter& w, const Unlock& m)
{
    write_type(w, MessageType::unlock);
    w.write_string(m.passphrase.view());
}

void write_extension_body(RequestWriter&, const QueryExtension&) {}

void write_extension_body(RequestWriter& w, const SessionBind& m)
{
    w.write_string(m.host_key);
    w.write_string(m.session_id);
    w.write_string(m.signature);
    w.write_bool(m.is_forwarding);
}

void write_extension_body(RequestWriter& w, const AddPpk& m)
{
    write_add_ppk(w, m);
}

void write_extension_body(RequestWriter& w, const AddEncrypted& m)
{
    write_add_encrypted(w, m);
}

void write_extension_body(RequestWriter& w, const ReencryptKey& m)
{
    write_reencrypt(w, m);
}

void write_extension_body(RequestWriter&, const ReencryptAllKeys&) {}

void write_extension_body(RequestWriter&, const ListExtended&) {}

void write_extension_body(RequestWriter& w, const OpaqueExtension& m)
{
    w.write_bytes(m.contents);
}

void write_request(RequestWriter& w, const Extension& m)
{
    write_type(w, MessageType::extension);
    w.write_string(m.name);
    std::visit([&](const auto& body) { write_extension_body(w, body); }, m.body);
}

void write_request(RequestWriter& w, const LegacyRequest& m)
{
    write_type(w, m.type);
}

void write_request(RequestWriter& w, const UnknownRequest& m)
{
    w.write_u8(m.type);
}

// ---- Replies ----

void write_reply(WireWriter& w, const Failure&)
{
    w.write_u8(static_cast<std::uint8_t>(MessageType::failure));
}

void write_reply(WireWriter& w, const Success&)
{
    w.write_u8(static_cast<std::uint8_t>(MessageType::success));
}

void write_reply(WireWriter& w, const IdentitiesAnswer& m)
{
    w.write_u8(static_cast<std::uint8_t>(MessageType::identities_answer));
    w.write_u32(static_cast<std::uint32_t>(m.identities.size()));
    for (const auto& identity : m.identities) {
        w.write_string(identity.key_blob);
        w.write_string(identity.comment);
    }
}

void write_reply(WireWriter& w, const SignResponse& m)
{
    w.write_u8(static_cast<std::uint8_t>(MessageType::sign_response));
    w.write_string(m.signature);
}

void write_reply(WireWriter& w, const ExtensionFailure&)
{
    w.write_u8(static_cast<std::uint8_t>(MessageType::extension_failure));
}

void write_reply(WireWriter& w, const QueryResponse& m)
{
    w.write_u8(static_cast<std::uint8_t>(MessageType::extension_response));
    w.write_string(query_extension_name);
    for (const auto& name : m.extensions)
        w.write_string(name);
}

void write_reply(WireWriter& w, const ExtensionResponse& m)
{
    w.write_u8(static_cast<std::uint8_t>(MessageType::extension_response));
    w.write_string(m.name);
    w.write_bytes(m.contents);
}

void write_reply(WireWriter& w, const ExtendedIdentitiesAnswer& m)
{
    write_extended_identities_answer(w, m);
}

void write_reply(WireWriter& w, const ReencryptAllAnswer& m)
{
    write_reencrypt_all_answer(w, m);
}

void write_reply(WireWriter& w, const Ssh1IdentitiesAnswer&)
{
    w.write_u8(static_cast<std::uint8_t>(MessageType::ssh1_rsa_identities_answer));
    w.write_u32(0);
}

// Smallest encoding of one identity: two empty strings.
constexpr std::size_t min_identity_size = 8;

Result<Reply> read_identities_answer(WireReader& reader)
{
    LATCHKEY_TRY(std::uint32_t count, reader.read_u32());
    if (count > reader.remaining() / min_identity_size)
        return fail(Error::length_too_large);
    IdentitiesAnswer answer;
    for (std::uint32_t i = 0; i < count; ++i) {
        Identity identity;
        LATCHKEY_TRY(identity.key_blob, reader.read_string_copy());
        LATCHKEY_TRY(identity.comment, reader.read_text());
        answer.identities.push_back(std::move(identity));
    }
    return Reply(std::move(answer));
}

Result<Reply> read_sign_response(WireReader& reader)
{
    LATCHKEY_TRY(Bytes signature, reader.read_string_copy());
    return Reply(SignResponse{std::move(signature)});
}

Result<Reply> read_extension_response(WireReader& reader)
{
    LATCHKEY_TRY(std::string name, reader.read_text());
    if (name != query_extension_name) {
        LATCHKEY_TRY(ByteView contents, reader.read_bytes(reader.remaining()));
        return Reply(ExtensionResponse{std::move(name), to_bytes(contents)});
    }
    QueryResponse response;
    while (!reader.at_end()) {
        LATCHKEY_TRY(std::string extension, reader.read_text());
        response.extensions.push_back(std::move(extension));
    }
    return Reply(std::move(response));
}

Result<Reply> read_ssh1_identities_answer(WireReader& reader)
{
    LATCHKEY_TRY(std::uint32_t count, reader.read_u32());
    if (count != 0)
        return fail(Error::invalid_value);
    return Reply(Ssh1IdentitiesAnswer{});
}

Result<Reply> read_reply(std::uint8_t type, WireReader& reader)
{
    switch (static_cast<MessageType>(type)) {
    case MessageType::failure: return Reply(Failure{});
    case MessageType::success: return Reply(Success{});
    case MessageType::identities_answer: return read_identities_answer(reader);
    case MessageType::sign_response: return read_sign_response(reader);
    case MessageType::extension_failure: return Reply(ExtensionFailure{});
    case MessageType::extension_response: return read_extension_response(reader);
    case MessageType::ssh1_rsa_identities_answer: return read_ssh1_identities_answer(reader);
    default: return fail(Error::invalid_value);
    }
}

template <class Buffer>
Buffer frame_into(ByteView body)
{
    BasicWireWriter<Buffer> writer;
    writer.write_string(body);
    return std::move(writer).take();
}

}  // namespace

Result<Request> decode_request(ByteView body)
{
    if (body.empty())
        return fail(Error::empty_message);
    WireReader reader(body);
    LATCHKEY_TRY(std::uint8_t type, reader.read_u8());
    Result<Request> request = read_request(type, reader);
    if (request && !ignores_body(*request))
        LATCHKEY_CHECK(reader.finish());
    return request;
}

SecretBytes encode_request(const Request& request)
{
    SecretWireWriter writer;
    std::visit([&](const auto& message) { write_request(writer, message); }, request);
    return std::move(writer).take();
}

Bytes encode_reply(const Reply& reply)
{
    WireWriter writer;
    std::visit([&](const auto& message) { write_reply(writer, message); }, reply);
    return std::move(writer).take();
}

Result<Reply> decode_reply(ByteView body)
{
    if (body.empty())
        return fail(Error::empty_message);
    WireReader reader(body);
    LATCHKEY_TRY(std::uint8_t type, reader.read_u8());
    Result<Reply> reply = read_reply(type, reader);
    if (reply)
        LATCHKEY_CHECK(reader.finish());
    return reply;
}

Bytes frame(ByteView body)
{
    return frame_into<Bytes>(body);
}

SecretBytes frame_secret(ByteView body)
{
    return frame_into<SecretBytes>(body);
}

Result<std::size_t> decode_frame_length(std::span<const std::uint8_t, frame_header_size> header)
{
    LATCHKEY_TRY(std::uint32_t length, WireReader(header).read_u32());
    if (length > max_message_size)
        return fail(Error::length_too_large);
    return std::size_t{length};
}

}  // namespace latchkey::protocol
