// The closed set of reasons a protocol decoder refuses its input.
#pragma once

#include <string_view>

#include "protocol/result.hpp"

namespace latchkey::protocol {

enum class Error {
    truncated,              // a field runs past the end of the message
    trailing_bytes,         // bytes are left over after the last field
    length_too_large,       // a length prefix exceeds a bound (frame, mpint, list count)
    negative_mpint,         // an mpint that must be positive has its sign bit set
    invalid_value,          // a field has a value the specification forbids
    unknown_key_type,       // a key type name this agent does not know
    unknown_curve,          // an ECDSA curve name that is not nistp256/384/521
    key_type_mismatch,      // an inner name disagrees with the outer one (curve, certificate key)
    public_key_mismatch,    // public data repeated in a private key disagrees with the key it belongs to
    unknown_constraint,     // an ADD_ID_CONSTRAINED constraint type or extension name not understood
    empty_message,          // a frame with no message type byte
    too_many_items,         // a list longer than its bound (destination constraints, certificates)
};

// A short English phrase for logs, e.g. "field runs past the end of the message".
std::string_view describe(Error error);

template <class T>
using Result = Expected<T, Error>;

}  // namespace latchkey::protocol
