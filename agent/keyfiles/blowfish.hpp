// Blowfish with the expensive key schedule bcrypt needs (Eksblowfish), for bcrypt_pbkdf only:
// OpenSSL 3 keeps Blowfish in its legacy provider, so latchkey carries its own.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "protocol/secret_bytes.hpp"
#include "protocol/wire.hpp"

namespace latchkey::agent::keyfiles {

inline constexpr std::size_t blowfish_p_words = 18;

// 32-bit words in locked memory, wiped when freed.
using SecretWords = std::vector<std::uint32_t, SecretAllocator<std::uint32_t>>;

// The digits of pi that every Blowfish key schedule starts from (blowfish_tables.cpp).
extern const std::array<std::uint32_t, blowfish_p_words> blowfish_initial_p;
extern const std::array<std::array<std::uint32_t, 256>, 4> blowfish_initial_s;

// A Blowfish key state (P-array and S-boxes) in locked, wiped memory, starting from the pi constants.
// Nothing here fails except allocation (SecretHeapExhausted).
class Blowfish {
public:
    Blowfish();

    // Blowfish_expandstate of OpenBSD's blf.c: XORs `key` into P, then re-keys P and S by enciphering
    // with `data` mixed in. Both are read cyclically as big-endian words; neither may be empty.
    void expand_state(protocol::ByteView data, protocol::ByteView key);
    // Blowfish_expand0state: the standard Blowfish key schedule for `key` (not empty).
    void expand0_state(protocol::ByteView key);
    // Enciphers one 64-bit block given as its two big-endian halves.
    void encipher(std::uint32_t& left, std::uint32_t& right) const;

private:
    std::uint32_t f(std::uint32_t x) const;
    void xor_key_into_p(protocol::ByteView key);
    void rekey(protocol::ByteView data);

    // P (18 words) followed by the four S-boxes (4 × 256 words).
    SecretWords state_;
};

// The next big-endian 32-bit word of `data` read cyclically from `position` (Blowfish_stream2word).
std::uint32_t stream_to_word(protocol::ByteView data, std::size_t& position);

}  // namespace latchkey::agent::keyfiles
