// Reading one line of a secret (a passphrase) byte by byte into the caller's buffer, on any platform.
#pragma once

#include <openssl/crypto.h>

#include <cstdint>
#include <optional>
#include <span>

namespace latchkey::platform {

// Reads with read_byte(std::uint8_t&) — which returns 1 for a byte, 0 at end of input, -1 on an error —
// into buffer until a newline or end of input, dropping what does not fit and a trailing carriage return.
// Returns the length, or nullopt on a read error, or on end of input with nothing read when `need_newline`
// is set. Leaves no copy of a byte behind.
template <class ReadByte>
std::optional<std::size_t> read_secret_line(ReadByte read_byte, std::span<std::uint8_t> buffer, bool need_newline)
{
    std::size_t length = 0;
    bool saw_newline = false;
    std::uint8_t byte = 0;
    for (;;) {
        const int got = read_byte(byte);
        if (got < 0)
            return std::nullopt;
        if (got == 0 || byte == '\n') {
            saw_newline = got != 0;
            break;
        }
        if (length < buffer.size())
            buffer[length++] = byte;
    }
    OPENSSL_cleanse(&byte, sizeof byte);
    if (need_newline && !saw_newline && length == 0)
        return std::nullopt;
    if (length > 0 && buffer[length - 1] == '\r')
        buffer[--length] = 0;
    return length;
}

}  // namespace latchkey::platform
