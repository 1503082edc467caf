// The table of message type names.
#include "protocol/message_name.hpp"

#include "protocol/numbers.hpp"

namespace latchkey::protocol {

std::string_view message_type_name(std::uint8_t type) noexcept
{
    switch (static_cast<MessageType>(type)) {
    case MessageType::ssh1_request_rsa_identities: return "SSH1_REQUEST_RSA_IDENTITIES";
    case MessageType::ssh1_rsa_identities_answer: return "SSH1_RSA_IDENTITIES_ANSWER";
    case MessageType::ssh1_rsa_challenge: return "SSH1_RSA_CHALLENGE";
    case MessageType::failure: return "FAILURE";
    case MessageType::success: return "SUCCESS";
    case MessageType::ssh1_add_rsa_identity: return "SSH1_ADD_RSA_IDENTITY";
    case MessageType::ssh1_remove_rsa_identity: return "SSH1_REMOVE_RSA_IDENTITY";
    case MessageType::ssh1_remove_all_rsa_identities: return "SSH1_REMOVE_ALL_RSA_IDENTITIES";
    case MessageType::request_identities: return "REQUEST_IDENTITIES";
    case MessageType::identities_answer: return "IDENTITIES_ANSWER";
    case MessageType::sign_request: return "SIGN_REQUEST";
    case MessageType::sign_response: return "SIGN_RESPONSE";
    case MessageType::add_identity: return "ADD_IDENTITY";
    case MessageType::remove_identity: return "REMOVE_IDENTITY";
    case MessageType::remove_all_identities: return "REMOVE_ALL_IDENTITIES";
    case MessageType::add_smartcard_key: return "ADD_SMARTCARD_KEY";
    case MessageType::remove_smartcard_key: return "REMOVE_SMARTCARD_KEY";
    case MessageType::lock: return "LOCK";
    case MessageType::unlock: return "UNLOCK";
    case MessageType::ssh1_add_rsa_id_constrained: return "SSH1_ADD_RSA_ID_CONSTRAINED";
    case MessageType::add_id_constrained: return "ADD_ID_CONSTRAINED";
    case MessageType::add_smartcard_key_constrained: return "ADD_SMARTCARD_KEY_CONSTRAINED";
    case MessageType::extension: return "EXTENSION";
    case MessageType::extension_failure: return "EXTENSION_FAILURE";
    case MessageType::extension_response: return "EXTENSION_RESPONSE";
    }
    return "UNKNOWN";
}

}  // namespace latchkey::protocol
