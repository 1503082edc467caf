// Tests of the RFC 4251 reader and writer: every type, every bound.
#include <doctest/doctest.h>

#include "protocol/wire.hpp"

using namespace latchkey::protocol;

namespace {

Bytes bytes(std::initializer_list<int> values)
{
    Bytes out;
    for (int v : values)
        out.push_back(static_cast<std::uint8_t>(v));
    return out;
}

}  // namespace

TEST_CASE("integers are big-endian and round-trip")
{
    WireWriter writer;
    writer.write_u8(0xab);
    writer.write_bool(true);
    writer.write_u32(0x01020304);
    writer.write_u64(0x0102030405060708ULL);
    CHECK(writer.buffer() == bytes({0xab, 1, 1, 2, 3, 4, 1, 2, 3, 4, 5, 6, 7, 8}));

    WireReader reader(writer.buffer());
    CHECK(*reader.read_u8() == 0xab);
    CHECK(*reader.read_bool() == true);
    CHECK(*reader.read_u32() == 0x01020304u);
    CHECK(*reader.read_u64() == 0x0102030405060708ULL);
    CHECK(reader.finish().has_value());
}

TEST_CASE("a read past the end fails and consumes nothing")
{
    Bytes data = bytes({0, 0, 0});
    WireReader reader(data);
    auto value = reader.read_u32();
    REQUIRE_FALSE(value.has_value());
    CHECK(value.error() == Error::truncated);
    CHECK(reader.remaining() == 3);
}

TEST_CASE("a string whose length exceeds the message is truncated, even a 4 GiB one")
{
    Bytes near = bytes({0, 0, 0, 5, 'a', 'b', 'c', 'd'});
    CHECK(WireReader(near).read_string().error() == Error::truncated);
    Bytes huge = bytes({0xff, 0xff, 0xff, 0xff, 'a'});
    CHECK(WireReader(huge).read_string().error() == Error::truncated);
}

TEST_CASE("finish rejects trailing bytes")
{
    Bytes data = bytes({0, 0, 0, 1, 'x', 0});
    WireReader reader(data);
    CHECK(*reader.read_text() == "x");
    CHECK(reader.finish().error() == Error::trailing_bytes);
}

TEST_CASE("mpints: sign byte added and removed, negatives refused, size bounded")
{
    WireWriter writer;
    writer.write_positive_mpint(bytes({0x00, 0x80, 0x01}));
    CHECK(writer.buffer() == bytes({0, 0, 0, 3, 0x00, 0x80, 0x01}));
    WireReader reader(writer.buffer());
    auto magnitude = reader.read_positive_mpint();
    REQUIRE(magnitude.has_value());
    CHECK(Bytes(magnitude->begin(), magnitude->end()) == bytes({0x80, 0x01}));

    WireWriter zero;
    zero.write_positive_mpint({});
    CHECK(zero.buffer() == bytes({0, 0, 0, 0}));

    Bytes negative = bytes({0, 0, 0, 1, 0x80});
    CHECK(WireReader(negative).read_positive_mpint().error() == Error::negative_mpint);

    WireWriter big;
    big.write_positive_mpint(Bytes(max_mpint_bytes + 1, 0x11));
    CHECK(WireReader(big.buffer()).read_positive_mpint().error() == Error::length_too_large);
}

TEST_CASE("name-lists split on commas and refuse empty names")
{
    WireWriter writer;
    writer.write_name_list({"a", "bb", "ccc"});
    auto names = WireReader(writer.buffer()).read_name_list();
    REQUIRE(names.has_value());
    CHECK(*names == std::vector<std::string>{"a", "bb", "ccc"});

    WireWriter empty;
    empty.write_name_list({});
    CHECK(WireReader(empty.buffer()).read_name_list()->empty());

    WireWriter bad;
    bad.write_string(std::string_view("a,,b"));
    CHECK(WireReader(bad.buffer()).read_name_list().error() == Error::invalid_value);
}

TEST_CASE("nested readers are bounded by their string")
{
    WireWriter inner;
    inner.write_u32(7);
    WireWriter outer;
    outer.write_string(inner.buffer());
    outer.write_u8(9);

    WireReader reader(outer.buffer());
    auto nested = reader.read_nested();
    REQUIRE(nested.has_value());
    CHECK(*nested->read_u32() == 7u);
    CHECK(nested->read_u8().error() == Error::truncated);
    CHECK(*reader.read_u8() == 9);
}

TEST_CASE("secret strings and the secret writer keep bytes intact")
{
    SecretWireWriter writer;
    writer.write_string(std::string_view("hunter2"));
    auto secret = WireReader(writer.buffer().view()).read_secret_string();
    REQUIRE(secret.has_value());
    CHECK(*secret == latchkey::SecretBytes::from_text("hunter2"));
}
