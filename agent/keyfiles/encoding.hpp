// Text encodings inside key files: PEM-style armor, base64 (decoded into locked memory) and hex.
#pragma once

#include <optional>
#include <string_view>

#include "agent/error.hpp"
#include "protocol/secret_bytes.hpp"
#include "protocol/wire.hpp"

namespace latchkey::agent::keyfiles {

// The bytes viewed as text (no copy).
std::string_view as_text(protocol::ByteView bytes);
// The text viewed as bytes (no copy).
protocol::ByteView as_bytes(std::string_view text);

// The text between "-----BEGIN <label>-----" and "-----END <label>-----", or nullopt if either line
// is missing or they are out of order.
std::optional<std::string_view> armored_body(std::string_view text, std::string_view label);

// RFC 4648 base64 with '=' padding; spaces, tabs and line breaks anywhere are skipped. The result
// goes straight into SecretBytes. Fails with malformed for any other character or bad padding.
Result<SecretBytes> base64_decode(std::string_view text);

// The same for public data (known_hosts keys and hashed names), into ordinary memory.
Result<protocol::Bytes> base64_decode_public(std::string_view text);

// Lower- or upper-case hex digits, two per byte. Fails with malformed otherwise.
Result<protocol::Bytes> hex_decode(std::string_view text);

}  // namespace latchkey::agent::keyfiles
