// Test helpers that make byte strings: from hex, and counting patterns.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/wire.hpp"

namespace latchkey::test {

// The bytes of a hex string ("00ff…"); an odd last digit is ignored.
inline protocol::Bytes from_hex(std::string_view hex)
{
    protocol::Bytes bytes;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        bytes.push_back(static_cast<std::uint8_t>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
    return bytes;
}

// `size` bytes counting up from `first` (wrapping), distinct enough to spot a misplaced field.
inline protocol::Bytes filled(std::size_t size, std::uint8_t first)
{
    protocol::Bytes bytes(size);
    for (std::size_t i = 0; i < size; ++i)
        bytes[i] = static_cast<std::uint8_t>(first + i);
    return bytes;
}

// A copy of secret bytes in ordinary memory, for comparisons in tests.
inline protocol::Bytes plain_copy(const SecretBytes& bytes)
{
    return protocol::Bytes(bytes.view().begin(), bytes.view().end());
}

}  // namespace latchkey::test
