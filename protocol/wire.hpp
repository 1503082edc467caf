// Bounded reader and writer for the RFC 4251 §5 data types (byte, boolean, uint32, uint64, string,
// mpint, name-list) that every agent message is made of.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/error.hpp"
#include "protocol/secret_bytes.hpp"

namespace latchkey::protocol {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

inline Bytes to_bytes(ByteView view)
{
    return Bytes(view.begin(), view.end());
}

// Largest mpint magnitude accepted, in bytes (16384 bits, as OpenSSH's SSHBUF_MAX_BIGNUM).
inline constexpr std::size_t max_mpint_bytes = 2048;

// Reads fields from one message. Every read checks the length against what remains before
// touching or allocating anything, and fails with Error::truncated instead of reading past the end.
// Views returned point into the message and live as long as it does.
class WireReader {
public:
    explicit WireReader(ByteView bytes) noexcept : bytes_(bytes) {}

    Result<std::uint8_t> read_u8();
    Result<bool> read_bool();                 // any non-zero byte is true (RFC 4251)
    Result<std::uint32_t> read_u32();
    Result<std::uint64_t> read_u64();
    Result<ByteView> read_bytes(std::size_t n);
    Result<ByteView> read_string();           // uint32 length + bytes
    Result<Bytes> read_string_copy();         // a string copied out of the message
    Result<std::string> read_text();          // a string taken as text
    Result<SecretBytes> read_secret_string();  // a string copied straight into locked memory
    // A positive mpint: returns its magnitude without leading zero bytes. Negative → negative_mpint,
    // longer than max_mpint_bytes → length_too_large.
    Result<ByteView> read_positive_mpint();
    Result<Bytes> read_positive_mpint_copy();  // as read_positive_mpint, copied out of the message
    Result<SecretBytes> read_secret_mpint();   // as read_positive_mpint, copied into locked memory
    Result<std::vector<std::string>> read_name_list();  // comma-separated names in one string
    Result<WireReader> read_nested();          // a string whose contents are read as fields

    std::size_t remaining() const noexcept { return bytes_.size() - offset_; }
    bool at_end() const noexcept { return remaining() == 0; }
    ByteView rest() const noexcept { return bytes_.subspan(offset_); }
    // Succeeds only if every byte was consumed.
    Result<void> finish() const;

private:
    ByteView bytes_;
    std::size_t offset_ = 0;
};

// Appends fields to a growing buffer. Buffer is Bytes for public data or SecretBytes for messages
// that carry secrets (the client's ADD_IDENTITY, LOCK and UNLOCK).
template <class Buffer>
class BasicWireWriter {
public:
    void write_u8(std::uint8_t value) { buffer_.push_back(value); }
    void write_bool(bool value) { write_u8(value ? 1 : 0); }
    void write_u32(std::uint32_t value);
    void write_u64(std::uint64_t value);
    void write_bytes(ByteView bytes) { buffer_.insert_bytes(bytes); }
    void write_string(ByteView bytes);
    void write_string(std::string_view text);
    // Writes a non-negative integer given as big-endian magnitude, canonically (no redundant zeros,
    // a zero byte added when the top bit is set).
    void write_positive_mpint(ByteView magnitude);
    void write_name_list(const std::vector<std::string>& names);

    const Buffer& buffer() const& noexcept { return buffer_.get(); }
    Buffer take() && { return std::move(buffer_.get()); }

private:
    // Adapts Bytes and SecretBytes to one append interface.
    struct Sink {
        Buffer value;
        void push_back(std::uint8_t byte) { value.push_back(byte); }
        void insert_bytes(ByteView bytes);
        Buffer& get() noexcept { return value; }
        const Buffer& get() const noexcept { return value; }
    };
    Sink buffer_;
};

using WireWriter = BasicWireWriter<Bytes>;
using SecretWireWriter = BasicWireWriter<SecretBytes>;

extern template class BasicWireWriter<Bytes>;
extern template class BasicWireWriter<SecretBytes>;

}  // namespace latchkey::protocol
