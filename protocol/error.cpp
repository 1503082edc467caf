// Human-readable descriptions of protocol decoding errors.
#include "protocol/error.hpp"

namespace latchkey::protocol {

std::string_view describe(Error error)
{
    switch (error) {
    case Error::truncated: return "field runs past the end of the message";
    case Error::trailing_bytes: return "unexpected bytes after the last field";
    case Error::length_too_large: return "length exceeds the allowed bound";
    case Error::too_many_items:
        return "more than 1024 destination constraints or certificates in one constraint (the limit)";
    case Error::negative_mpint: return "negative number where a positive one is required";
    case Error::invalid_value: return "field has a value the specification forbids";
    case Error::unknown_key_type: return "unknown key type";
    case Error::unknown_curve: return "unknown elliptic curve";
    case Error::key_type_mismatch: return "inner key type disagrees with the outer one";
    case Error::public_key_mismatch: return "repeated public key data disagrees with the key";
    case Error::unknown_constraint: return "unknown key constraint";
    case Error::empty_message: return "empty message";
    }
    return "unknown error";
}

}  // namespace latchkey::protocol
