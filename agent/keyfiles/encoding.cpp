// PEM-style armor, base64 and hex decoding for the key file readers.
#include "agent/keyfiles/encoding.hpp"

#include <string>

namespace latchkey::agent::keyfiles {

namespace {

Error malformed(std::string_view what)
{
    return Error(ErrorCode::malformed, std::string(what));
}

int base64_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// The one base64 decoder, into SecretBytes or plain Bytes.
template <class Buffer>
Result<Buffer> decode_base64_into(std::string_view text)
{
    Buffer out;
    out.reserve(text.size() / 4 * 3 + 3);
    std::uint32_t accumulator = 0;
    int bits = 0;
    std::size_t symbols = 0;
    std::size_t padding = 0;
    for (char c : text) {
        if (is_space(c))
            continue;
        ++symbols;
        if (c == '=') {
            ++padding;
            continue;
        }
        int value = base64_value(c);
        if (value < 0 || padding > 0)
            return fail(malformed("invalid base64"));
        accumulator = (accumulator << 6) | static_cast<std::uint32_t>(value);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<std::uint8_t>(accumulator >> bits));
            accumulator &= (1u << bits) - 1;
        }
    }
    secure_wipe(&accumulator, sizeof accumulator);
    if (symbols % 4 != 0 || padding > 2 || bits >= 6)
        return fail(malformed("base64 is not a whole number of groups"));
    return out;
}

}  // namespace

std::string_view as_text(protocol::ByteView bytes)
{
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

protocol::ByteView as_bytes(std::string_view text)
{
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

std::optional<std::string_view> armored_body(std::string_view text, std::string_view label)
{
    const std::string begin = "-----BEGIN " + std::string(label) + "-----";
    const std::string end = "-----END " + std::string(label) + "-----";
    auto start = text.find(begin);
    if (start == std::string_view::npos)
        return std::nullopt;
    start += begin.size();
    auto stop = text.find(end, start);
    if (stop == std::string_view::npos)
        return std::nullopt;
    return text.substr(start, stop - start);
}

Result<SecretBytes> base64_decode(std::string_view text)
{
    return decode_base64_into<SecretBytes>(text);
}

Result<protocol::Bytes> base64_decode_public(std::string_view text)
{
    return decode_base64_into<protocol::Bytes>(text);
}

Result<protocol::Bytes> hex_decode(std::string_view text)
{
    if (text.size() % 2 != 0)
        return fail(malformed("odd number of hex digits"));
    protocol::Bytes out;
    out.reserve(text.size() / 2);
    for (std::size_t i = 0; i < text.size(); i += 2) {
        int high = hex_value(text[i]);
        int low = hex_value(text[i + 1]);
        if (high < 0 || low < 0)
            return fail(malformed("invalid hex digit"));
        out.push_back(static_cast<std::uint8_t>(high << 4 | low));
    }
    return out;
}

}  // namespace latchkey::agent::keyfiles
