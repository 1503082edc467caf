// known_hosts files (OpenSSH sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"): a pure parser over bytes, and the
// two lookups an agent needs — the keys of a host (ssh-add -h) and the host names of a key (prompts).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/key_blob.hpp"
#include "protocol/wire.hpp"

namespace latchkey::agent {

// The marker that may start a line.
enum class KnownHostMarker {
    none,            // a host key
    cert_authority,  // @cert-authority: a CA whose host certificates the hosts may present
    revoked,         // @revoked: a key that must never be accepted
};

// A hashed host field "|1|base64(salt)|base64(HMAC-SHA1(salt, name))" (ssh-keygen -H).
struct HashedHostName {
    protocol::Bytes salt;  // 20 bytes
    protocol::Bytes hash;  // 20 bytes
};

// One well-formed line.
struct KnownHostEntry {
    std::size_t line = 0;  // 1-based line number in the text
    KnownHostMarker marker = KnownHostMarker::none;
    std::string patterns;                  // the host field when not hashed: "a,*.b,!c,[d]:2222"
    std::optional<HashedHostName> hashed;  // set instead of patterns for a hashed host field
    protocol::PublicKey key;
    std::string comment;  // may be empty
};

// Everything parse_known_hosts found.
struct KnownHosts {
    std::vector<KnownHostEntry> entries;
    std::size_t bad_lines = 0;       // lines skipped because they could not be understood
    std::size_t first_bad_line = 0;  // the first of them (1-based), 0 when there is none
};

// Longest line parse_known_hosts reads; a longer one is a bad line.
constexpr std::size_t max_known_hosts_line = 64 * 1024;

// Parses known_hosts text. Blank lines and `#` comments are ignored; a line with an unknown marker,
// a missing field, a key that does not decode, a key type that differs from the blob's, a malformed
// hashed name or more than max_known_hosts_line bytes is skipped and counted. Never fails; reads
// nothing outside `text` and keeps no pointer into it.
KnownHosts parse_known_hosts(protocol::ByteView text);

// The name ssh looks a host up by: lowercased, and "[host]:port" unless the port is 22.
std::string known_hosts_name(std::string_view host, std::uint16_t port = 22);

// Whether an entry's host field matches `name` (from known_hosts_name): a hashed field by its HMAC,
// a pattern list as OpenSSH's match_hostname (case-insensitive; a matching `!pattern` excludes).
// An HMAC that OpenSSL cannot compute counts as no match.
bool known_host_matches(const KnownHostEntry& entry, std::string_view name);

// What known_hosts says about one host, as ssh-add -h gathers it.
struct HostKeys {
    std::vector<protocol::PublicKey> keys;                     // plain lines
    std::vector<protocol::PublicKey> certificate_authorities;  // @cert-authority lines
    std::vector<protocol::PublicKey> revoked;                  // @revoked lines
};

// The keys recorded for `name` (from known_hosts_name), in file order. Never fails; empty when the
// host is unknown.
HostKeys find_host_keys(const KnownHosts& known_hosts, std::string_view name);

// The host names under which `key` is known, for prompts: the positive patterns of plain lines
// holding the key; for a host certificate whose CA is listed with @cert-authority, its principals
// that the CA line's patterns admit. Hashed lines name no host and are counted instead. No names,
// and `revoked`, if an @revoked line lists the key (or the certificate's CA). Never fails.
struct KeyHostNames {
    std::vector<std::string> names;  // without duplicates, in file order
    std::size_t hashed_matches = 0;  // hashed lines that hold the key
    bool revoked = false;            // an @revoked line lists the key or its CA
};
KeyHostNames find_key_host_names(const KnownHosts& known_hosts, const protocol::PublicKey& key);

}  // namespace latchkey::agent
