// Every ssh-agent request and reply as a typed value, and their decoders and encoders
// (RFC 9987 §5, OpenSSH PROTOCOL.agent). A message body is one frame without its length prefix.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "protocol/constraint.hpp"
#include "protocol/encrypted_key_messages.hpp"
#include "protocol/key_blob.hpp"
#include "protocol/numbers.hpp"
#include "protocol/private_key.hpp"
#include "protocol/secret_bytes.hpp"
#include "protocol/wire.hpp"

namespace latchkey::protocol {

// ---- Requests (client → agent) ----

// 11 REQUEST_IDENTITIES (RFC 9987 "Requesting a List of Keys").
struct RequestIdentities {
    bool operator==(const RequestIdentities&) const = default;
};

// 13 SIGN_REQUEST: string key blob, string data, uint32 flags (RFC 9987 "Private Key Operations").
// The blob is kept as sent: the keystore looks keys up by their exact blob.
struct SignRequest {
    Bytes key_blob;
    Bytes data;
    std::uint32_t flags = 0;  // sign_flag_rsa_sha2_256 / sign_flag_rsa_sha2_512
    bool operator==(const SignRequest&) const = default;
};

// 17 ADD_IDENTITY / 25 ADD_ID_CONSTRAINED: private key, string comment, constraints
// (RFC 9987 §5.2). Like OpenSSH, constraints are read after either type; `constrained` records
// which type was sent so that a message re-encodes byte for byte.
struct AddIdentity {
    PrivateKey key;
    std::string comment;
    std::vector<Constraint> constraints;
    bool constrained = false;
    bool operator==(const AddIdentity&) const = default;
};

// 18 REMOVE_IDENTITY: string key blob (RFC 9987 "Removing Keys from the Agent").
struct RemoveIdentity {
    Bytes key_blob;
    bool operator==(const RemoveIdentity&) const = default;
};

// 19 REMOVE_ALL_IDENTITIES (RFC 9987 "Removing Keys from the Agent").
struct RemoveAllIdentities {
    bool operator==(const RemoveAllIdentities&) const = default;
};

// 20 ADD_SMARTCARD_KEY / 26 ADD_SMARTCARD_KEY_CONSTRAINED: string reader id (a PKCS#11 provider
// path), string PIN, constraints (RFC 9987 "Adding Keys from a Token"); `constrained` as in AddIdentity.
struct AddSmartcardKey {
    std::string reader_id;
    SecretBytes pin;
    std::vector<Constraint> constraints;
    bool constrained = false;
    bool operator==(const AddSmartcardKey&) const = default;
};

// 21 REMOVE_SMARTCARD_KEY: string reader id, string PIN (RFC 9987 "Removing Keys from the Agent").
struct RemoveSmartcardKey {
    std::string reader_id;
    SecretBytes pin;
    bool operator==(const RemoveSmartcardKey&) const = default;
};

// 22 LOCK: string passphrase (RFC 9987 "Locking and Unlocking the Agent").
struct Lock {
    SecretBytes passphrase;
    bool operator==(const Lock&) const = default;
};

// 23 UNLOCK: string passphrase (RFC 9987 "Locking and Unlocking the Agent").
struct Unlock {
    SecretBytes passphrase;
    bool operator==(const Unlock&) const = default;
};

// Extension "query": no contents; the reply lists the supported extensions (RFC 9987 "Query Extension").
struct QueryExtension {
    bool operator==(const QueryExtension&) const = default;
};

// Extension "session-bind@openssh.com" (PROTOCOL.agent "session-bind"): string host key blob,
// string session id, string signature, bool is_forwarding. The agent, not the decoder, applies
// the 128-byte session id bound so that it can answer EXTENSION_FAILURE.
struct SessionBind {
    Bytes host_key;
    Bytes session_id;
    Bytes signature;
    bool is_forwarding = false;
    bool operator==(const SessionBind&) const = default;
};

// Any other extension: its contents, undecoded (the rest of the message after the name).
struct OpaqueExtension {
    Bytes contents;
    bool operator==(const OpaqueExtension&) const = default;
};

inline constexpr std::string_view query_extension_name = "query";
inline constexpr std::string_view session_bind_extension_name = "session-bind@openssh.com";

// 27 EXTENSION: string name, then name-specific contents (RFC 9987 "Extension Mechanism";
// as OpenSSH, the contents are the rest of the message, not a nested string).
struct Extension {
    std::string name;
    std::variant<QueryExtension, SessionBind, AddPpk, AddEncrypted, ReencryptKey, ReencryptAllKeys, ListExtended,
                 OpaqueExtension>
        body;
    bool operator==(const Extension&) const = default;
};

// SSH-1 requests 1, 3, 7, 8, 9, 24 (PROTOCOL.agent, legacy): the body is ignored and nothing in it
// is kept (an SSH-1 add would carry a private key).
struct LegacyRequest {
    MessageType type = MessageType::ssh1_request_rsa_identities;
    bool operator==(const LegacyRequest&) const = default;
};

// A message type this agent does not know (answered with FAILURE); the body is ignored.
struct UnknownRequest {
    std::uint8_t type = 0;
    bool operator==(const UnknownRequest&) const = default;
};

using Request = std::variant<RequestIdentities, SignRequest, AddIdentity, RemoveIdentity,
                             RemoveAllIdentities, AddSmartcardKey, RemoveSmartcardKey, Lock, Unlock,
                             Extension, LegacyRequest, UnknownRequest>;

// ---- Replies (agent → client) ----

// 5 FAILURE (RFC 9987 §5.1).
struct Failure {
    bool operator==(const Failure&) const = default;
};

// 6 SUCCESS (RFC 9987 §5.1).
struct Success {
    bool operator==(const Success&) const = default;
};

struct Identity {
    Bytes key_blob;
    std::string comment;
    bool operator==(const Identity&) const = default;
};

// 12 IDENTITIES_ANSWER: uint32 count, then count × (string key blob, string comment)
// (RFC 9987 "Requesting a List of Keys").
struct IdentitiesAnswer {
    std::vector<Identity> identities;
    bool operator==(const IdentitiesAnswer&) const = default;
};

// 14 SIGN_RESPONSE: string signature blob (RFC 9987 "Private Key Operations").
struct SignResponse {
    Bytes signature;
    bool operator==(const SignResponse&) const = default;
};

// 28 EXTENSION_FAILURE: a known extension failed (RFC 9987 "Extension Mechanism").
struct ExtensionFailure {
    bool operator==(const ExtensionFailure&) const = default;
};

// 29 EXTENSION_RESPONSE to "query": string "query", then one string per supported extension name
// until the end of the message (RFC 9987 "Query Extension"; OpenSSH's ssh-agent).
struct QueryResponse {
    std::vector<std::string> extensions;
    bool operator==(const QueryResponse&) const = default;
};

// 29 EXTENSION_RESPONSE to any other extension: string name, then extension-specific contents.
struct ExtensionResponse {
    std::string name;
    Bytes contents;
    bool operator==(const ExtensionResponse&) const = default;
};

// 2 SSH1_RSA_IDENTITIES_ANSWER with a count of 0: OpenSSH's answer to the SSH-1 list request.
struct Ssh1IdentitiesAnswer {
    bool operator==(const Ssh1IdentitiesAnswer&) const = default;
};

// ExtendedIdentitiesAnswer and ReencryptAllAnswer (encrypted_key_messages.hpp) are SUCCESS with
// contents: decode_reply cannot tell them apart, their own decoders read them.
using Reply = std::variant<Failure, Success, IdentitiesAnswer, SignResponse, ExtensionFailure,
                           QueryResponse, ExtensionResponse, Ssh1IdentitiesAnswer, ExtendedIdentitiesAnswer,
                           ReencryptAllAnswer>;

// ---- Codecs ----

// Decodes one request body. Fails with empty_message, trailing_bytes, or the errors of the
// fields it contains (truncated, unknown_key_type, unknown_constraint, ...). Never fails for an
// unknown or legacy type: those decode to UnknownRequest / LegacyRequest.
Result<Request> decode_request(ByteView body);

// Encodes a request body (for the client and tests). SecretBytes because it may carry a private
// key, a PIN or a passphrase.
SecretBytes encode_request(const Request& request);

// Encodes a reply body.
Bytes encode_reply(const Reply& reply);

// Decodes one reply body (SUCCESS with contents: see Reply). Fails with empty_message,
// trailing_bytes, invalid_value (an unknown reply type, an SSH-1 answer with a non-zero count), length_too_large (a count larger than the
// message could hold) or truncated.
Result<Reply> decode_reply(ByteView body);

// ---- Framing ----

inline constexpr std::size_t frame_header_size = 4;

// uint32 length ‖ body.
Bytes frame(ByteView body);
SecretBytes frame_secret(ByteView body);

// The body length announced by a frame header; over max_message_size → length_too_large.
Result<std::size_t> decode_frame_length(std::span<const std::uint8_t, frame_header_size> header);

}  // namespace latchkey::protocol
