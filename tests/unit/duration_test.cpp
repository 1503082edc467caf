// Tests of agent/duration against OpenSSH's convtime (sshd_config(5) TIME FORMATS).
#include <doctest/doctest.h>

#include "agent/duration.hpp"

using latchkey::agent::parse_duration;
using std::chrono::seconds;

TEST_CASE("a bare number is seconds")
{
    CHECK(parse_duration("0") == seconds(0));
    CHECK(parse_duration("90") == seconds(90));
    CHECK(parse_duration("007") == seconds(7));
}

TEST_CASE("each qualifier, in either case")
{
    CHECK(parse_duration("90s") == seconds(90));
    CHECK(parse_duration("90S") == seconds(90));
    CHECK(parse_duration("10m") == seconds(600));
    CHECK(parse_duration("10M") == seconds(600));
    CHECK(parse_duration("2h") == seconds(7200));
    CHECK(parse_duration("2H") == seconds(7200));
    CHECK(parse_duration("2d") == seconds(172800));
    CHECK(parse_duration("2D") == seconds(172800));
    CHECK(parse_duration("1w") == seconds(604800));
    CHECK(parse_duration("1W") == seconds(604800));
}

TEST_CASE("parts add up, as in the sshd_config(5) examples")
{
    CHECK(parse_duration("1h30m") == seconds(5400));
    CHECK(parse_duration("1h30") == seconds(3630));
    CHECK(parse_duration("1w2d3h4m5s") == seconds(604800 + 172800 + 10800 + 240 + 5));
    CHECK(parse_duration("30m1h") == seconds(5400));
    CHECK(parse_duration("1m1m") == seconds(120));
}

TEST_CASE("malformed times are refused")
{
    for (const char* text : {"", "h", "1x", "1h x", " 1", "1 ", "+1", "-1", "1.5h", "1hh", "m30", "0x10", "1h-1m"}) {
        CAPTURE(text);
        CHECK_FALSE(parse_duration(text).has_value());
    }
}

TEST_CASE("totals are bounded by INT_MAX seconds, as in OpenSSH")
{
    CHECK(parse_duration("2147483647") == seconds(2147483647));
    CHECK(parse_duration("2147483646s1") == seconds(2147483647));
    CHECK_FALSE(parse_duration("2147483648").has_value());
    CHECK_FALSE(parse_duration("2147483647s1").has_value());
    CHECK(parse_duration("3550w") == seconds(3550LL * 604800));
    CHECK_FALSE(parse_duration("3551w").has_value());
    CHECK_FALSE(parse_duration("99999999999999999999999").has_value());
}
