// Encoding of the load generator's requests with protocol/, and the checks on what comes back.
#include "tests/bench/requests.hpp"

#include <variant>

#include "protocol/numbers.hpp"
#include "protocol/userauth.hpp"

namespace latchkey::bench {

namespace {

constexpr std::size_t session_id_size = 32;  // SHA-256 exchange hash

bool is_rsa(const protocol::PublicKey& key)
{
    return std::holds_alternative<protocol::RsaPublicKey>(protocol::underlying_key(key));
}

}  // namespace

protocol::Bytes list_request()
{
    return {static_cast<std::uint8_t>(protocol::MessageType::request_identities)};
}

std::optional<std::vector<ListedKey>> listed_keys(protocol::ByteView reply)
{
    auto decoded = protocol::decode_reply(reply);
    if (!decoded)
        return std::nullopt;
    const auto* answer = std::get_if<protocol::IdentitiesAnswer>(&*decoded);
    if (answer == nullptr)
        return std::nullopt;
    std::vector<ListedKey> keys;
    for (const auto& identity : answer->identities) {
        auto key = protocol::decode_public_key(identity.key_blob);
        if (!key)
            return std::nullopt;
        keys.push_back({identity.key_blob, std::move(*key), identity.comment});
    }
    return keys;
}

bool is_identities_answer(protocol::ByteView reply, std::size_t expected)
{
    // The count and the framing of every entry, without copying the blobs out.
    protocol::WireReader reader(reply);
    auto type = reader.read_u8();
    auto count = reader.read_u32();
    if (!type || *type != static_cast<std::uint8_t>(protocol::MessageType::identities_answer) || !count ||
        *count != expected)
        return false;
    for (std::uint32_t i = 0; i < *count; ++i) {
        if (!reader.read_string() || !reader.read_string())
            return false;
    }
    return static_cast<bool>(reader.finish());
}

std::uint32_t sign_flags_for(const protocol::PublicKey& key)
{
    return is_rsa(key) ? protocol::sign_flag_rsa_sha2_512 : 0;
}

std::string signature_algorithm_for(const protocol::PublicKey& key)
{
    return is_rsa(key) ? "rsa-sha2-512" : std::string(protocol::key_type_name(key));
}

SignRequestStream::SignRequestStream(const ListedKey& key, std::uint64_t seed) : counter_(seed)
{
    protocol::WireWriter userauth;
    userauth.write_string(protocol::Bytes(session_id_size, 0));
    userauth.write_u8(protocol::ssh_msg_userauth_request);
    userauth.write_string(std::string_view("bench"));
    userauth.write_string(std::string_view("ssh-connection"));
    userauth.write_string(std::string_view("publickey"));
    userauth.write_bool(true);
    userauth.write_string(signature_algorithm_for(key.key));
    userauth.write_string(key.blob);
    protocol::Bytes data = std::move(userauth).take();

    protocol::WireWriter request;
    request.write_u8(static_cast<std::uint8_t>(protocol::MessageType::sign_request));
    request.write_string(key.blob);
    data_offset_ = request.buffer().size() + 4;
    request.write_string(data);
    request.write_u32(sign_flags_for(key.key));
    body_ = std::move(request).take();
}

protocol::ByteView SignRequestStream::next()
{
    // The session id is a counter spread over its 32 bytes: unique per request, cheap to make.
    ++counter_;
    for (std::size_t i = 0; i < session_id_size; ++i)
        body_[data_offset_ + 4 + i] = static_cast<std::uint8_t>((counter_ >> (8 * (i % 8))) + i);
    return body_;
}

protocol::ByteView SignRequestStream::signed_data() const
{
    return protocol::ByteView(body_).subspan(data_offset_, body_.size() - data_offset_ - 4);
}

std::optional<protocol::ByteView> signature_in(protocol::ByteView reply, const std::string& algorithm)
{
    protocol::WireReader reader(reply);
    auto type = reader.read_u8();
    auto blob = reader.read_string();
    if (!type || *type != static_cast<std::uint8_t>(protocol::MessageType::sign_response) || !blob ||
        !reader.finish())
        return std::nullopt;
    protocol::WireReader signature(*blob);
    auto name = signature.read_text();
    auto bytes = signature.read_string();
    if (!name || *name != algorithm || !bytes || bytes->empty() || !signature.finish())
        return std::nullopt;
    return *blob;
}

}  // namespace latchkey::bench
