// What `latchkey list` and `latchkey status` print: text in ssh-add -l's style, or JSON. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "agent/fingerprint.hpp"
#include "protocol/key_blob.hpp"
#include "protocol/latchkey_extensions.hpp"

namespace latchkey::agent::client {

// "ED25519", "ECDSA", "RSA", "DSA", "ED25519-SK", "ECDSA-SK", with "-CERT" for certificates (ssh-add -l).
std::string key_type_label(const protocol::PublicKey& key);

// The key's size in bits: RSA and DSA from the modulus, ECDSA from the curve, 256 for Ed25519.
unsigned key_bits(const protocol::PublicKey& key);

// The fingerprint ssh-add -l shows: of the key itself, also for a certificate (as OpenSSH's sshkey_fingerprint);
// of the blob as given if it does not decode. Never fails.
std::string key_fingerprint(protocol::ByteView blob, FingerprintHash hash = FingerprintHash::sha256);

// "alice@host1.example" or "jump.example>bob@host2.example" for one hop, as ssh-add -h takes it.
std::string describe_destination(const protocol::DestinationConstraint& destination);

// One key as listed. `details` is false when the agent only answered the stock list request (OpenSSH's
// ssh-agent): then only blob and comment of `identity` are meaningful.
struct ListedKey {
    protocol::IdentityDetails identity;
    bool details = true;
};

// The text listing: per key a line "BITS FINGERPRINT COMMENT (TYPE)" as ssh-add -l prints it, then an
// indented line for each of lifetime left, confirmation, destinations, certificate validity and a state
// other than decrypted. Blobs that do not decode are listed as "unknown key". `now` (Unix seconds) judges
// certificate validity. Never fails.
std::string format_key_list(const std::vector<ListedKey>& keys, std::uint64_t now);

// The same as one JSON object {"keys": [...]}, ending in a newline. Never fails.
std::string format_key_list_json(const std::vector<ListedKey>& keys, std::uint64_t now);

// What `latchkey status` shows; `status` is nullopt when the agent does not answer status@latchkey.invalid
// (an agent other than latchkeyd), then key_count counts what the stock list shows.
struct StatusView {
    std::string socket;
    std::optional<protocol::AgentStatus> status;
    std::uint32_t key_count = 0;
};

std::string format_status(const StatusView& view);
std::string format_status_json(const StatusView& view);

// A JSON string literal with quotes, escaping quotes, backslashes and control characters. Never fails.
std::string json_string(std::string_view text);

// "2026-11-24T03:16:16Z" for Unix seconds (UTC). Never fails.
std::string utc_time(std::uint64_t unix_seconds);

}  // namespace latchkey::agent::client
