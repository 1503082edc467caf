// bcrypt_pbkdf as OpenSSH implements it, on latchkey's Blowfish and OpenSSL's SHA-512.
#include "agent/keyfiles/bcrypt_pbkdf.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "agent/keyfiles/blowfish.hpp"
#include "agent/keyfiles/crypto.hpp"

namespace latchkey::agent::keyfiles {

namespace {

constexpr std::size_t hash_words = 8;
constexpr std::size_t hash_size = hash_words * 4;  // 32 bytes of bcrypt output per block

// bcrypt_hash: Eksblowfish keyed by the two SHA-512 digests (64 expansions), then "Oxychromatic
// BlowfishSwatDynamite" enciphered 64 times, written out as little-endian words.
SecretBytes bcrypt_hash(protocol::ByteView sha_pass, protocol::ByteView sha_salt)
{
    Blowfish state;
    state.expand_state(sha_salt, sha_pass);
    for (int i = 0; i < 64; ++i) {
        state.expand0_state(sha_salt);
        state.expand0_state(sha_pass);
    }
    constexpr std::string_view magic = "OxychromaticBlowfishSwatDynamite";
    const auto* magic_bytes = reinterpret_cast<const std::uint8_t*>(magic.data());
    SecretWords data(hash_words);
    std::size_t position = 0;
    for (std::size_t i = 0; i < hash_words; ++i)
        data[i] = stream_to_word({magic_bytes, magic.size()}, position);
    for (int round = 0; round < 64; ++round)
        for (std::size_t i = 0; i < hash_words; i += 2)
            state.encipher(data[i], data[i + 1]);
    SecretBytes out(hash_size);
    for (std::size_t i = 0; i < hash_words; ++i)
        for (std::size_t byte = 0; byte < 4; ++byte)
            out[4 * i + byte] = static_cast<std::uint8_t>(data[i] >> (8 * byte));
    return out;
}

// One 32-byte block of the output: block `count` (from 1), XOR of `rounds` chained bcrypt hashes.
Result<SecretBytes> output_block(protocol::ByteView sha_pass, protocol::ByteView salt, std::uint32_t count,
                                 unsigned rounds)
{
    const std::array<std::uint8_t, 4> count_salt = {
        static_cast<std::uint8_t>(count >> 24), static_cast<std::uint8_t>(count >> 16),
        static_cast<std::uint8_t>(count >> 8), static_cast<std::uint8_t>(count)};
    LATCHKEY_TRY(auto sha_salt, digest("SHA512", {salt, count_salt}));
    SecretBytes hash = bcrypt_hash(sha_pass, sha_salt.view());
    SecretBytes out = hash;
    for (unsigned round = 1; round < rounds; ++round) {
        LATCHKEY_TRY(auto chained, digest("SHA512", {hash.view()}));
        hash = bcrypt_hash(sha_pass, chained.view());
        for (std::size_t i = 0; i < hash_size; ++i)
            out[i] ^= hash[i];
    }
    return out;
}

Result<void> check_arguments(protocol::ByteView passphrase, protocol::ByteView salt, unsigned rounds,
                             std::size_t key_size)
{
    if (passphrase.empty())
        return fail(Error(ErrorCode::bad_passphrase, "wrong passphrase (bcrypt_pbkdf needs a non-empty one)"));
    if (rounds == 0 || rounds > max_bcrypt_rounds)
        return fail(Error(ErrorCode::unsupported, "bcrypt KDF rounds " + std::to_string(rounds) +
                                                      " outside 1.." + std::to_string(max_bcrypt_rounds)));
    if (salt.empty() || salt.size() > max_bcrypt_salt_size)
        return fail(Error(ErrorCode::malformed, "bcrypt KDF salt is empty or too long"));
    if (key_size == 0 || key_size > max_bcrypt_key_size)
        return fail(Error(ErrorCode::malformed, "bcrypt KDF output size out of range"));
    return {};
}

}  // namespace

Result<SecretBytes> bcrypt_pbkdf(protocol::ByteView passphrase, protocol::ByteView salt, unsigned rounds,
                                 std::size_t key_size)
{
    LATCHKEY_CHECK(check_arguments(passphrase, salt, rounds, key_size));
    // The output is spread over the blocks: byte i of block b goes to key[i * stride + b].
    const std::size_t stride = (key_size + hash_size - 1) / hash_size;
    const std::size_t per_block = (key_size + stride - 1) / stride;
    LATCHKEY_TRY(auto sha_pass, digest("SHA512", {passphrase}));
    SecretBytes key(key_size);
    for (std::size_t block = 0; block < stride; ++block) {
        LATCHKEY_TRY(auto out, output_block(sha_pass.view(), salt, static_cast<std::uint32_t>(block + 1), rounds));
        for (std::size_t i = 0; i < per_block && i * stride + block < key_size; ++i)
            key[i * stride + block] = out[i];
    }
    return key;
}

}  // namespace latchkey::agent::keyfiles
