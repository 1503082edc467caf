// The closed set of reasons agent/ refuses an operation, with a detail that never holds a secret.
#pragma once

#include <string>

#include "protocol/error.hpp"
#include "protocol/result.hpp"

namespace latchkey::agent {

enum class ErrorCode {
    malformed,            // a request or key could not be decoded (detail says which field)
    unsupported,          // a key type, curve, size or feature this agent does not offer
    key_mismatch,         // a private key does not belong to the public key it came with
    crypto_failure,       // OpenSSL refused an operation
    locked_memory_full,   // no room left in the locked heap for another secret
    not_found,            // no such identity
    agent_locked,         // the agent is locked and the request is not UNLOCK
    bad_passphrase,       // UNLOCK with the wrong passphrase, or LOCK with an empty one; a key file's
                          // passphrase is wrong (detail "wrong passphrase ...")
    passphrase_required,  // a key file is encrypted and no passphrase was given: ask, then read again
    refused,              // a policy (constraint, lock state) forbids the request
};

struct Error {
    ErrorCode code;
    std::string detail;  // for logs; never key material or passphrases

    Error(ErrorCode error_code, std::string text = {}) : code(error_code), detail(std::move(text)) {}
    Error(protocol::Error error) : code(ErrorCode::malformed), detail(protocol::describe(error)) {}
};

// "key mismatch: RSA modulus differs", for logs.
std::string describe(const Error& error);

template <class T>
using Result = Expected<T, Error>;

}  // namespace latchkey::agent
