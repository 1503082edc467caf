// Tests of agent/host_pattern: OpenSSH's wildcard patterns and negatable pattern lists.
#include <doctest/doctest.h>

#include <string>

#include "agent/host_pattern.hpp"

using latchkey::agent::match_pattern;
using latchkey::agent::match_pattern_list;
using latchkey::agent::PatternListMatch;

TEST_CASE("match_pattern: literals, ? and *")
{
    CHECK(match_pattern("host", "host"));
    CHECK_FALSE(match_pattern("host", "hos"));
    CHECK_FALSE(match_pattern("hos", "host"));
    CHECK(match_pattern("node7", "node?"));
    CHECK_FALSE(match_pattern("node", "node?"));
    CHECK(match_pattern("a.example", "*.example"));
    CHECK_FALSE(match_pattern("example", "*.example"));
    CHECK(match_pattern("", "*"));
    CHECK(match_pattern("", ""));
    CHECK_FALSE(match_pattern("x", ""));
    CHECK(match_pattern("abcabd", "*ab?"));
    CHECK(match_pattern("aXbXc", "a*b*c"));
    CHECK_FALSE(match_pattern("aXbXd", "a*b*c"));
    CHECK_FALSE(match_pattern("Host", "host"));  // case-sensitive
}

TEST_CASE("match_pattern does not blow up on many stars")
{
    const std::string text(4000, 'a');
    const std::string pattern = std::string(40, '*').replace(1, 0, "a*a*a*a*a*a*a*a*a*a*") + "b";
    CHECK_FALSE(match_pattern(text, pattern));  // exponential backtracking would never return
}

TEST_CASE("match_pattern_list: any positive matches, a negation wins")
{
    CHECK(match_pattern_list("b.example", "a.example,b.example", false) == PatternListMatch::positive);
    CHECK(match_pattern_list("c.example", "a.example,b.example", false) == PatternListMatch::none);
    CHECK(match_pattern_list("bad.wild", "*.wild,!bad.wild", false) == PatternListMatch::negated);
    CHECK(match_pattern_list("bad.wild", "!bad.wild,*.wild", false) == PatternListMatch::negated);
    CHECK(match_pattern_list("good.wild", "*.wild,!bad.wild", false) == PatternListMatch::positive);
    CHECK(match_pattern_list("good.wild", "!bad.wild", false) == PatternListMatch::none);
    CHECK(match_pattern_list("alias", "Alias", true) == PatternListMatch::positive);
    CHECK(match_pattern_list("alias", "Alias", false) == PatternListMatch::none);
    CHECK(match_pattern_list("", "", false) == PatternListMatch::none);
}
