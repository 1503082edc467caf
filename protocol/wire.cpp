// Implementation of the bounded RFC 4251 reader and writer.
#include "protocol/wire.hpp"

#include <algorithm>

namespace latchkey::protocol {

Result<ByteView> WireReader::read_bytes(std::size_t n)
{
    if (n > remaining())
        return fail(Error::truncated);
    ByteView view = bytes_.subspan(offset_, n);
    offset_ += n;
    return view;
}

Result<std::uint8_t> WireReader::read_u8()
{
    LATCHKEY_TRY(ByteView bytes, read_bytes(1));
    return bytes[0];
}

Result<bool> WireReader::read_bool()
{
    LATCHKEY_TRY(std::uint8_t byte, read_u8());
    return byte != 0;
}

Result<std::uint32_t> WireReader::read_u32()
{
    LATCHKEY_TRY(ByteView bytes, read_bytes(4));
    return static_cast<std::uint32_t>(bytes[0]) << 24 | static_cast<std::uint32_t>(bytes[1]) << 16 |
           static_cast<std::uint32_t>(bytes[2]) << 8 | static_cast<std::uint32_t>(bytes[3]);
}

Result<std::uint64_t> WireReader::read_u64()
{
    LATCHKEY_TRY(std::uint64_t high, read_u32());
    LATCHKEY_TRY(std::uint64_t low, read_u32());
    return high << 32 | low;
}

Result<ByteView> WireReader::read_string()
{
    LATCHKEY_TRY(std::uint32_t length, read_u32());
    return read_bytes(length);
}

Result<Bytes> WireReader::read_string_copy()
{
    LATCHKEY_TRY(ByteView bytes, read_string());
    return to_bytes(bytes);
}

Result<std::string> WireReader::read_text()
{
    LATCHKEY_TRY(ByteView bytes, read_string());
    return std::string(bytes.begin(), bytes.end());
}

Result<SecretBytes> WireReader::read_secret_string()
{
    LATCHKEY_TRY(ByteView bytes, read_string());
    return SecretBytes(bytes);
}

Result<ByteView> WireReader::read_positive_mpint()
{
    LATCHKEY_TRY(ByteView bytes, read_string());
    if (!bytes.empty() && (bytes[0] & 0x80) != 0)
        return fail(Error::negative_mpint);
    auto first = std::find_if(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b != 0; });
    ByteView magnitude(first, bytes.end());
    if (magnitude.size() > max_mpint_bytes)
        return fail(Error::length_too_large);
    return magnitude;
}

Result<Bytes> WireReader::read_positive_mpint_copy()
{
    LATCHKEY_TRY(ByteView magnitude, read_positive_mpint());
    return to_bytes(magnitude);
}

Result<SecretBytes> WireReader::read_secret_mpint()
{
    LATCHKEY_TRY(ByteView magnitude, read_positive_mpint());
    return SecretBytes(magnitude);
}

Result<std::vector<std::string>> WireReader::read_name_list()
{
    LATCHKEY_TRY(std::string text, read_text());
    std::vector<std::string> names;
    if (text.empty())
        return names;
    std::size_t start = 0;
    while (true) {
        std::size_t comma = text.find(',', start);
        std::string name = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (name.empty())
            return fail(Error::invalid_value);
        names.push_back(std::move(name));
        if (comma == std::string::npos)
            return names;
        start = comma + 1;
    }
}

Result<WireReader> WireReader::read_nested()
{
    LATCHKEY_TRY(ByteView bytes, read_string());
    return WireReader(bytes);
}

Result<void> WireReader::finish() const
{
    if (!at_end())
        return fail(Error::trailing_bytes);
    return {};
}

template <class Buffer>
void BasicWireWriter<Buffer>::Sink::insert_bytes(ByteView bytes)
{
    if constexpr (std::is_same_v<Buffer, SecretBytes>)
        value.append(bytes);
    else
        value.insert(value.end(), bytes.begin(), bytes.end());
}

template <class Buffer>
void BasicWireWriter<Buffer>::write_u32(std::uint32_t value)
{
    for (int shift = 24; shift >= 0; shift -= 8)
        write_u8(static_cast<std::uint8_t>(value >> shift));
}

template <class Buffer>
void BasicWireWriter<Buffer>::write_u64(std::uint64_t value)
{
    write_u32(static_cast<std::uint32_t>(value >> 32));
    write_u32(static_cast<std::uint32_t>(value));
}

template <class Buffer>
void BasicWireWriter<Buffer>::write_string(ByteView bytes)
{
    write_u32(static_cast<std::uint32_t>(bytes.size()));
    write_bytes(bytes);
}

template <class Buffer>
void BasicWireWriter<Buffer>::write_string(std::string_view text)
{
    write_string(ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

template <class Buffer>
void BasicWireWriter<Buffer>::write_positive_mpint(ByteView magnitude)
{
    auto first = std::find_if(magnitude.begin(), magnitude.end(), [](std::uint8_t b) { return b != 0; });
    ByteView trimmed(first, magnitude.end());
    bool needs_sign_byte = !trimmed.empty() && (trimmed[0] & 0x80) != 0;
    write_u32(static_cast<std::uint32_t>(trimmed.size() + (needs_sign_byte ? 1 : 0)));
    if (needs_sign_byte)
        write_u8(0);
    write_bytes(trimmed);
}

template <class Buffer>
void BasicWireWriter<Buffer>::write_name_list(const std::vector<std::string>& names)
{
    std::string joined;
    for (const auto& name : names) {
        if (!joined.empty())
            joined += ',';
        joined += name;
    }
    write_string(joined);
}

template class BasicWireWriter<Bytes>;
template class BasicWireWriter<SecretBytes>;

}  // namespace latchkey::protocol
