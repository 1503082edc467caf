// Formatting of key lists and agent status as text and JSON.
#include "agent/client/listing.hpp"

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstdio>
#include <limits>

#include "agent/fingerprint.hpp"

namespace latchkey::agent::client {

namespace {

// Bits in a big-endian magnitude without leading zero bytes.
unsigned magnitude_bits(const protocol::Bytes& magnitude)
{
    if (magnitude.empty())
        return 0;
    return static_cast<unsigned>((magnitude.size() - 1) * 8) +
           static_cast<unsigned>(std::bit_width(static_cast<unsigned>(magnitude.front())));
}

struct PlainLabel {
    std::string operator()(const protocol::Ed25519PublicKey&) const { return "ED25519"; }
    std::string operator()(const protocol::EcdsaPublicKey&) const { return "ECDSA"; }
    std::string operator()(const protocol::RsaPublicKey&) const { return "RSA"; }
    std::string operator()(const protocol::DsaPublicKey&) const { return "DSA"; }
    std::string operator()(const protocol::SkEd25519PublicKey&) const { return "ED25519-SK"; }
    std::string operator()(const protocol::SkEcdsaPublicKey&) const { return "ECDSA-SK"; }
};

struct PlainBits {
    unsigned operator()(const protocol::Ed25519PublicKey&) const { return 256; }
    unsigned operator()(const protocol::EcdsaPublicKey& key) const
    {
        switch (key.curve) {
        case protocol::EcdsaCurve::nistp256: return 256;
        case protocol::EcdsaCurve::nistp384: return 384;
        case protocol::EcdsaCurve::nistp521: return 521;
        }
        return 0;
    }
    unsigned operator()(const protocol::RsaPublicKey& key) const { return magnitude_bits(key.n); }
    unsigned operator()(const protocol::DsaPublicKey& key) const { return magnitude_bits(key.p); }
    unsigned operator()(const protocol::SkEd25519PublicKey&) const { return 256; }
    unsigned operator()(const protocol::SkEcdsaPublicKey&) const { return 256; }
};

constexpr std::uint64_t forever = std::numeric_limits<std::uint64_t>::max();

// "from X to Y", "forever", with "(expired)" or "(not yet valid)" judged at `now`.
std::string validity_text(const protocol::Certificate& certificate, std::uint64_t now)
{
    std::string text;
    if (certificate.valid_after == 0 && certificate.valid_before == forever)
        text = "forever";
    else if (certificate.valid_before == forever)
        text = "from " + utc_time(certificate.valid_after) + " forever";
    else
        text = "from " + utc_time(certificate.valid_after) + " to " + utc_time(certificate.valid_before);
    if (now >= certificate.valid_before)
        text += " (expired)";
    else if (now < certificate.valid_after)
        text += " (not yet valid)";
    return text;
}

std::string confirm_text(const protocol::IdentityDetails& identity)
{
    return identity.confirm_without_askpass ? "no askpass available" : "yes";
}

std::string destinations_text(const std::vector<protocol::DestinationConstraint>& destinations)
{
    std::string text;
    for (const auto& destination : destinations)
        text += (text.empty() ? "" : ", ") + describe_destination(destination);
    return text;
}

void append_text_entry(std::string& out, const ListedKey& listed, std::uint64_t now)
{
    const protocol::IdentityDetails& identity = listed.identity;
    std::string fingerprint = key_fingerprint(identity.key_blob);
    auto key = protocol::decode_public_key(identity.key_blob);
    if (!key) {
        out += "unknown key " + fingerprint + " " + identity.comment + "\n";
        return;
    }
    out += std::to_string(key_bits(*key)) + " " + fingerprint + " " + identity.comment + " (" + key_type_label(*key) + ")\n";
    if (const auto* certificate = std::get_if<protocol::Certificate>(&*key))
        out += "    certificate: " + certificate->key_id + ", valid " + validity_text(*certificate, now) + "\n";
    if (!listed.details)
        return;
    if (identity.seconds_left)
        out += "    lifetime: " + std::to_string(*identity.seconds_left) + " s left\n";
    if (identity.confirm)
        out += "    confirm: " + confirm_text(identity) + "\n";
    if (!identity.destinations.empty())
        out += "    destinations: " + destinations_text(identity.destinations) + "\n";
    if (identity.state != protocol::KeyState::decrypted)
        out += "    state: " + std::string(protocol::key_state_name(identity.state)) + "\n";
}

std::string json_bool(bool value)
{
    return value ? "true" : "false";
}

std::string json_certificate(const protocol::Certificate& certificate, std::uint64_t now)
{
    std::string principals;
    for (const std::string& principal : certificate.principals)
        principals += (principals.empty() ? "" : ", ") + json_string(principal);
    bool valid = now >= certificate.valid_after && now < certificate.valid_before;
    return "{\"key_id\": " + json_string(certificate.key_id) + ", \"principals\": [" + principals +
           "], \"valid_after\": " + std::to_string(certificate.valid_after) +
           ", \"valid_before\": " + std::to_string(certificate.valid_before) + ", \"valid_now\": " + json_bool(valid) + "}";
}

std::string json_entry(const ListedKey& listed, std::uint64_t now)
{
    const protocol::IdentityDetails& identity = listed.identity;
    auto key = protocol::decode_public_key(identity.key_blob);
    std::string out = "{\"type\": " + json_string(key ? key_type_label(*key) : "unknown") +
                      ", \"bits\": " + std::to_string(key ? key_bits(*key) : 0) +
                      ", \"fingerprint\": " + json_string(key_fingerprint(identity.key_blob)) +
                      ", \"comment\": " + json_string(identity.comment);
    const auto* certificate = key ? std::get_if<protocol::Certificate>(&*key) : nullptr;
    out += ", \"certificate\": " + (certificate ? json_certificate(*certificate, now) : "null");
    if (listed.details) {
        std::string destinations;
        for (const auto& destination : identity.destinations)
            destinations += (destinations.empty() ? "" : ", ") + json_string(describe_destination(destination));
        out += ", \"lifetime_left\": " + (identity.seconds_left ? std::to_string(*identity.seconds_left) : "null") +
               ", \"confirm\": " + json_bool(identity.confirm) +
               ", \"confirm_without_askpass\": " + json_bool(identity.confirm_without_askpass) +
               ", \"destinations\": [" + destinations + "]" +
               ", \"state\": " + json_string(protocol::key_state_name(identity.state));
    }
    return out + "}";
}

}  // namespace

std::string key_fingerprint(protocol::ByteView blob, FingerprintHash hash)
{
    auto key = protocol::decode_public_key(blob);
    if (!key || !protocol::is_certificate(*key))
        return fingerprint(blob, hash);
    return fingerprint(protocol::encode_public_key(protocol::PublicKey(protocol::underlying_key(*key))), hash);
}

std::string key_type_label(const protocol::PublicKey& key)
{
    std::string label = std::visit(PlainLabel{}, protocol::underlying_key(key));
    return protocol::is_certificate(key) ? label + "-CERT" : label;
}

unsigned key_bits(const protocol::PublicKey& key)
{
    return std::visit(PlainBits{}, protocol::underlying_key(key));
}

std::string describe_destination(const protocol::DestinationConstraint& destination)
{
    std::string text;
    if (!destination.from.hostname.empty())
        text = destination.from.hostname + ">";
    if (!destination.to.user.empty())
        text += destination.to.user + "@";
    return text + destination.to.hostname;
}

std::string format_key_list(const std::vector<ListedKey>& keys, std::uint64_t now)
{
    if (keys.empty())
        return "The agent has no identities.\n";
    std::string out;
    for (const ListedKey& listed : keys)
        append_text_entry(out, listed, now);
    return out;
}

std::string format_key_list_json(const std::vector<ListedKey>& keys, std::uint64_t now)
{
    std::string out = "{\"keys\": [";
    for (std::size_t i = 0; i < keys.size(); ++i)
        out += (i == 0 ? "" : ", ") + json_entry(keys[i], now);
    return out + "]}\n";
}

std::string format_status(const StatusView& view)
{
    std::string out = "socket: " + view.socket + "\n";
    if (!view.status)
        return out + "agent: not latchkeyd (no status@latchkey.invalid)\nkeys: " + std::to_string(view.key_count) + "\n";
    return out + "pid: " + std::to_string(view.status->pid) + "\nversion: " + view.status->version +
           "\nkeys: " + std::to_string(view.status->key_count) + "\nlocked: " + (view.status->locked ? "yes" : "no") + "\n";
}

std::string format_status_json(const StatusView& view)
{
    std::string out = "{\"socket\": " + json_string(view.socket);
    if (!view.status)
        return out + ", \"latchkeyd\": false, \"keys\": " + std::to_string(view.key_count) + "}\n";
    return out + ", \"latchkeyd\": true, \"pid\": " + std::to_string(view.status->pid) +
           ", \"version\": " + json_string(view.status->version) + ", \"keys\": " + std::to_string(view.status->key_count) +
           ", \"locked\": " + json_bool(view.status->locked) + "}\n";
}

std::string json_string(std::string_view text)
{
    static constexpr char hex[] = "0123456789abcdef";
    std::string out = "\"";
    for (char c : text) {
        auto byte = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (byte < 0x20) {
            out += "\\u00";
            out += hex[byte >> 4];
            out += hex[byte & 0xf];
        } else {
            out += c;
        }
    }
    return out + "\"";
}

std::string utc_time(std::uint64_t unix_seconds)
{
    using namespace std::chrono;
    const auto clamped = static_cast<std::int64_t>(std::min<std::uint64_t>(unix_seconds, 253402300799));  // 9999-12-31
    const sys_seconds instant{seconds(clamped)};
    const sys_days day = floor<days>(instant);
    const year_month_day date{day};
    const hh_mm_ss time{instant - day};
    char text[32];
    std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02dZ", int(date.year()), unsigned(date.month()),
                  unsigned(date.day()), int(time.hours().count()), int(time.minutes().count()),
                  int(time.seconds().count()));
    return text;
}

}  // namespace latchkey::agent::client
