// Blowfish encipherment and the Eksblowfish key schedule steps bcrypt_pbkdf is made of.
#include "agent/keyfiles/blowfish.hpp"

#include <algorithm>

namespace latchkey::agent::keyfiles {

namespace {

constexpr std::size_t s_offset = blowfish_p_words;
constexpr std::size_t state_words = blowfish_p_words + 4 * 256;

}  // namespace

std::uint32_t stream_to_word(protocol::ByteView data, std::size_t& position)
{
    std::uint32_t word = 0;
    for (int i = 0; i < 4; ++i) {
        if (position >= data.size())
            position = 0;
        word = (word << 8) | data[position++];
    }
    return word;
}

Blowfish::Blowfish() : state_(state_words)
{
    std::copy(blowfish_initial_p.begin(), blowfish_initial_p.end(), state_.begin());
    for (std::size_t box = 0; box < 4; ++box)
        std::copy(blowfish_initial_s[box].begin(), blowfish_initial_s[box].end(),
                  state_.begin() + static_cast<std::ptrdiff_t>(s_offset + 256 * box));
}

std::uint32_t Blowfish::f(std::uint32_t x) const
{
    const std::uint32_t* s = state_.data() + s_offset;
    return ((s[x >> 24] + s[0x100 + ((x >> 16) & 0xff)]) ^ s[0x200 + ((x >> 8) & 0xff)]) + s[0x300 + (x & 0xff)];
}

void Blowfish::encipher(std::uint32_t& left, std::uint32_t& right) const
{
    const std::uint32_t* p = state_.data();
    std::uint32_t l = left ^ p[0];
    std::uint32_t r = right;
    for (std::size_t round = 1; round <= 16; round += 2) {
        r ^= f(l) ^ p[round];
        l ^= f(r) ^ p[round + 1];
    }
    left = r ^ p[17];
    right = l;
}

void Blowfish::xor_key_into_p(protocol::ByteView key)
{
    std::size_t position = 0;
    for (std::size_t i = 0; i < blowfish_p_words; ++i)
        state_[i] ^= stream_to_word(key, position);
}

// Replaces P and then S, two words at a time, by enciphering the running block with `data`
// (empty: nothing) XORed in before each step.
void Blowfish::rekey(protocol::ByteView data)
{
    std::size_t position = 0;
    std::uint32_t left = 0;
    std::uint32_t right = 0;
    for (std::size_t i = 0; i < state_words; i += 2) {
        if (!data.empty()) {
            left ^= stream_to_word(data, position);
            right ^= stream_to_word(data, position);
        }
        encipher(left, right);
        state_[i] = left;
        state_[i + 1] = right;
    }
}

void Blowfish::expand_state(protocol::ByteView data, protocol::ByteView key)
{
    xor_key_into_p(key);
    rekey(data);
}

void Blowfish::expand0_state(protocol::ByteView key)
{
    xor_key_into_p(key);
    rekey({});
}

}  // namespace latchkey::agent::keyfiles
