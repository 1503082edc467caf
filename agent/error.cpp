// Log text for agent errors.
#include "agent/error.hpp"

namespace latchkey::agent {

namespace {

std::string_view code_name(ErrorCode code)
{
    switch (code) {
    case ErrorCode::malformed: return "malformed request";
    case ErrorCode::unsupported: return "unsupported";
    case ErrorCode::key_mismatch: return "private key does not match its public key";
    case ErrorCode::crypto_failure: return "cryptographic operation failed";
    case ErrorCode::locked_memory_full: return "locked memory for keys is full";
    case ErrorCode::not_found: return "no such identity";
    case ErrorCode::agent_locked: return "agent is locked";
    case ErrorCode::bad_passphrase: return "bad passphrase";
    case ErrorCode::passphrase_required: return "passphrase required";
    case ErrorCode::refused: return "refused";
    }
    return "error";
}

}  // namespace

std::string describe(const Error& error)
{
    std::string text(code_name(error.code));
    if (!error.detail.empty())
        text += ": " + error.detail;
    return text;
}

}  // namespace latchkey::agent
