// Test helpers for the golden files in tests/data: reading them, and the blobs inside .pub lines.
#pragma once

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#include "protocol/wire.hpp"

namespace latchkey::test {

inline const std::filesystem::path data_dir{LATCHKEY_TEST_DATA};

// The key names of tests/data/keys, one per algorithm and size.
inline const std::vector<std::string> key_names = {"ed25519",  "ecdsa-256", "ecdsa-384", "ecdsa-521",
                                                   "rsa-2048", "rsa-4096",  "dsa-1024"};

inline protocol::Bytes read_file(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    REQUIRE_MESSAGE(in.good(), "cannot open ", path.string());
    return protocol::Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// RFC 4648 base64 with '=' padding, as in OpenSSH public key lines; nullopt for anything else.
inline std::optional<protocol::Bytes> base64_decode(std::string_view text)
{
    constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    if (text.size() % 4 != 0)
        return std::nullopt;
    protocol::Bytes out;
    unsigned accumulator = 0;
    int bits = 0;
    std::size_t padding = 0;
    for (char c : text) {
        if (c == '=') {
            ++padding;
            continue;
        }
        auto index = alphabet.find(c);
        if (index == std::string_view::npos || padding > 0)
            return std::nullopt;
        accumulator = (accumulator << 6) | static_cast<unsigned>(index);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<std::uint8_t>(accumulator >> bits));
            accumulator &= (1u << bits) - 1;
        }
    }
    if (padding > 2 || accumulator != 0)
        return std::nullopt;
    return out;
}

// The blob of an OpenSSH public key line "type base64 comment" in `path`.
inline protocol::Bytes public_blob_from_file(const std::filesystem::path& path)
{
    protocol::Bytes text = read_file(path);
    std::istringstream line(std::string(text.begin(), text.end()));
    std::string type, encoded;
    line >> type >> encoded;
    auto blob = base64_decode(encoded);
    REQUIRE_MESSAGE(blob.has_value(), "bad base64 in ", path.string());
    return *blob;
}

}  // namespace latchkey::test
