// Message, constraint and flag numbers of the ssh-agent protocol (RFC 9987, OpenSSH PROTOCOL.agent).
#pragma once

#include <cstddef>
#include <cstdint>

namespace latchkey::protocol {

// Largest message body accepted (OpenSSH's AGENT_MAX_LEN); a longer frame closes the connection.
inline constexpr std::size_t max_message_size = 256 * 1024;

// Message type bytes (RFC 9987 §6.1 and the legacy SSH-1 numbers).
enum class MessageType : std::uint8_t {
    ssh1_request_rsa_identities = 1,
    ssh1_rsa_identities_answer = 2,
    ssh1_rsa_challenge = 3,
    failure = 5,
    success = 6,
    ssh1_add_rsa_identity = 7,
    ssh1_remove_rsa_identity = 8,
    ssh1_remove_all_rsa_identities = 9,
    request_identities = 11,
    identities_answer = 12,
    sign_request = 13,
    sign_response = 14,
    add_identity = 17,
    remove_identity = 18,
    remove_all_identities = 19,
    add_smartcard_key = 20,
    remove_smartcard_key = 21,
    lock = 22,
    unlock = 23,
    ssh1_add_rsa_id_constrained = 24,
    add_id_constrained = 25,
    add_smartcard_key_constrained = 26,
    extension = 27,
    extension_failure = 28,
    extension_response = 29,
};

// True for the requests whose body carries or may carry a private key, a PIN or a passphrase: their
// bytes are read straight into locked memory. EXTENSION is one: add-ppk may carry an unencrypted key.
constexpr bool carries_secrets(std::uint8_t type) noexcept
{
    switch (static_cast<MessageType>(type)) {
    case MessageType::ssh1_add_rsa_identity:
    case MessageType::add_identity:
    case MessageType::add_smartcard_key:
    case MessageType::remove_smartcard_key:
    case MessageType::lock:
    case MessageType::unlock:
    case MessageType::ssh1_add_rsa_id_constrained:
    case MessageType::add_id_constrained:
    case MessageType::add_smartcard_key_constrained:
    case MessageType::extension:
        return true;
    default:
        return false;
    }
}

// Constraint types inside ADD_ID_CONSTRAINED (RFC 9987 §6.3.2; MAXSIGN from PROTOCOL.agent).
enum class ConstraintType : std::uint8_t {
    lifetime = 1,
    confirm = 2,
    maxsign = 3,
    extension = 255,
};

// SIGN_REQUEST flags (RFC 9987 §6.5).
inline constexpr std::uint32_t sign_flag_rsa_sha2_256 = 0x02;
inline constexpr std::uint32_t sign_flag_rsa_sha2_512 = 0x04;

}  // namespace latchkey::protocol
