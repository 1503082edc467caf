// known_hosts parsing and lookups, following OpenSSH's hostfile.c and match.c in behaviour.
#include "agent/known_hosts.hpp"

#include <algorithm>

#include "agent/host_pattern.hpp"
#include "agent/keyfiles/crypto.hpp"
#include "agent/keyfiles/encoding.hpp"

namespace latchkey::agent {

namespace {

constexpr std::string_view hash_magic = "|1|";
constexpr std::size_t sha1_size = 20;

bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view text)
{
    while (!text.empty() && (is_blank(text.front()) || text.front() == '\r'))
        text.remove_prefix(1);
    while (!text.empty() && (is_blank(text.back()) || text.back() == '\r'))
        text.remove_suffix(1);
    return text;
}

// Removes and returns the next blank-separated field of `text` (empty when there is none).
std::string_view next_field(std::string_view& text)
{
    text = trim(text);
    std::size_t end = 0;
    while (end < text.size() && !is_blank(text[end]))
        ++end;
    const std::string_view field = text.substr(0, end);
    text.remove_prefix(end);
    return field;
}

std::string lowercase(std::string_view text)
{
    std::string out(text);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return out;
}

// "|1|salt|hash" with both halves SHA-1 sized, or nullopt.
std::optional<HashedHostName> parse_hashed_name(std::string_view field)
{
    field.remove_prefix(hash_magic.size());
    const std::size_t bar = field.find('|');
    if (bar == std::string_view::npos)
        return std::nullopt;
    auto salt = keyfiles::base64_decode_public(field.substr(0, bar));
    auto hash = keyfiles::base64_decode_public(field.substr(bar + 1));
    if (!salt || !hash || salt->size() != sha1_size || hash->size() != sha1_size)
        return std::nullopt;
    return HashedHostName{std::move(*salt), std::move(*hash)};
}

std::optional<KnownHostMarker> parse_marker(std::string_view field)
{
    if (field == "@cert-authority")
        return KnownHostMarker::cert_authority;
    if (field == "@revoked")
        return KnownHostMarker::revoked;
    return std::nullopt;
}

// One non-blank, non-comment line, or nullopt if it is bad.
std::optional<KnownHostEntry> parse_line(std::string_view line, std::size_t number)
{
    KnownHostEntry entry;
    entry.line = number;
    std::string_view host_field = next_field(line);
    if (host_field.front() == '@') {
        auto marker = parse_marker(host_field);
        if (!marker)
            return std::nullopt;
        entry.marker = *marker;
        host_field = next_field(line);
    }
    const std::string_view type_name = next_field(line);
    const std::string_view encoded = next_field(line);
    if (host_field.empty() || encoded.empty())
        return std::nullopt;
    if (host_field.starts_with(hash_magic)) {
        entry.hashed = parse_hashed_name(host_field);
        if (!entry.hashed)
            return std::nullopt;
    } else {
        entry.patterns = std::string(host_field);
    }
    auto blob = keyfiles::base64_decode_public(encoded);
    if (!blob)
        return std::nullopt;
    auto key = protocol::decode_public_key(*blob);
    if (!key || protocol::key_type_name(*key) != type_name)
        return std::nullopt;
    entry.key = std::move(*key);
    entry.comment = std::string(trim(line));
    return entry;
}

bool hashed_name_matches(const HashedHostName& hashed, std::string_view name)
{
    auto mac = keyfiles::hmac("SHA1", hashed.salt, {keyfiles::as_bytes(name)});
    return mac && constant_time_equal(mac->view(), hashed.hash);
}

// The positive (not `!`) patterns of a host field.
std::vector<std::string> positive_patterns(std::string_view patterns)
{
    std::vector<std::string> out;
    while (!patterns.empty()) {
        const std::size_t comma = patterns.find(',');
        const std::string_view item = patterns.substr(0, comma);
        patterns = comma == std::string_view::npos ? std::string_view() : patterns.substr(comma + 1);
        if (!item.empty() && item.front() != '!')
            out.emplace_back(item);
    }
    return out;
}

void add_unique(std::vector<std::string>& names, std::string name)
{
    if (std::find(names.begin(), names.end(), name) == names.end())
        names.push_back(std::move(name));
}

// Whether `entry` (of any marker) lists `key` itself, or — for a certificate — its CA.
bool entry_holds(const KnownHostEntry& entry, const protocol::PublicKey& key)
{
    if (entry.key == key)
        return true;
    const auto* certificate = std::get_if<protocol::Certificate>(&key);
    return certificate != nullptr && protocol::encode_public_key(entry.key) == certificate->signature_key;
}

}  // namespace

KnownHosts parse_known_hosts(protocol::ByteView bytes)
{
    KnownHosts result;
    std::string_view text = keyfiles::as_text(bytes);
    for (std::size_t number = 1; !text.empty(); ++number) {
        const std::size_t newline = text.find('\n');
        const std::string_view line = text.substr(0, newline);
        text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
        const std::string_view content = trim(line);
        if (content.empty() || content.front() == '#')
            continue;
        auto entry = line.size() <= max_known_hosts_line ? parse_line(content, number) : std::nullopt;
        if (entry) {
            result.entries.push_back(std::move(*entry));
        } else if (result.bad_lines++ == 0) {
            result.first_bad_line = number;
        }
    }
    return result;
}

std::string known_hosts_name(std::string_view host, std::uint16_t port)
{
    const std::string name = lowercase(host);
    return port == 22 ? name : "[" + name + "]:" + std::to_string(port);
}

bool known_host_matches(const KnownHostEntry& entry, std::string_view name)
{
    if (entry.hashed)
        return hashed_name_matches(*entry.hashed, name);
    return match_pattern_list(name, entry.patterns, true) == PatternListMatch::positive;
}

HostKeys find_host_keys(const KnownHosts& known_hosts, std::string_view name)
{
    HostKeys found;
    for (const KnownHostEntry& entry : known_hosts.entries) {
        if (!known_host_matches(entry, name))
            continue;
        switch (entry.marker) {
        case KnownHostMarker::none: found.keys.push_back(entry.key); break;
        case KnownHostMarker::cert_authority: found.certificate_authorities.push_back(entry.key); break;
        case KnownHostMarker::revoked: found.revoked.push_back(entry.key); break;
        }
    }
    return found;
}

KeyHostNames find_key_host_names(const KnownHosts& known_hosts, const protocol::PublicKey& key)
{
    const auto& entries = known_hosts.entries;
    if (std::any_of(entries.begin(), entries.end(), [&](const KnownHostEntry& entry) {
            return entry.marker == KnownHostMarker::revoked && entry_holds(entry, key);
        }))
        return KeyHostNames{{}, 0, true};
    const auto* certificate = std::get_if<protocol::Certificate>(&key);
    KeyHostNames found;
    for (const KnownHostEntry& entry : entries) {
        const bool wanted = certificate == nullptr ? entry.marker == KnownHostMarker::none
                                                   : entry.marker == KnownHostMarker::cert_authority &&
                                                         certificate->type == protocol::certificate_type_host;
        if (!wanted || !entry_holds(entry, key))
            continue;
        if (certificate == nullptr) {
            if (entry.hashed)
                ++found.hashed_matches;
            for (std::string& name : positive_patterns(entry.patterns))
                add_unique(found.names, std::move(name));
            continue;
        }
        for (const std::string& principal : certificate->principals)
            if (known_host_matches(entry, lowercase(principal)))
                add_unique(found.names, principal);
    }
    return found;
}

}  // namespace latchkey::agent
