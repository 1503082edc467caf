// The data ssh asks an agent to sign for public key authentication (RFC 4252 §7, OpenSSH
// PROTOCOL "publickey-hostbound-v00@openssh.com"), parsed as OpenSSH's ssh-agent parse_userauth_request.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "protocol/key_blob.hpp"
#include "protocol/wire.hpp"

namespace latchkey::protocol {

inline constexpr std::uint8_t ssh_msg_userauth_request = 50;

// string session id, byte 50, string user, string "ssh-connection", string method, bool TRUE,
// string algorithm, string key blob, and for "publickey-hostbound-v00@openssh.com" string host key.
struct UserauthRequest {
    Bytes session_id;
    std::string user;
    std::string method;  // "publickey" or "publickey-hostbound-v00@openssh.com"
    std::string algorithm;
    PublicKey key;
    std::optional<PublicKey> host_key;  // only for the hostbound method
    bool operator==(const UserauthRequest&) const = default;
};

// Parses `data` as a whole userauth request. Fails with invalid_value (empty session id, another
// message type, a service other than "ssh-connection", another method, no signature flag),
// trailing_bytes, truncated, or any decode_public_key error for the keys.
Result<UserauthRequest> parse_userauth_request(ByteView data);

// True if `algorithm` signs with a key of the same type as `key`, as OpenSSH's
// sshkey_type_from_name(algorithm) == key->type: "rsa-sha2-256"/"rsa-sha2-512" name an ssh-rsa key,
// their "-cert-v01@openssh.com" forms an RSA certificate.
bool algorithm_matches_key(std::string_view algorithm, const PublicKey& key);

}  // namespace latchkey::protocol
