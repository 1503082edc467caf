// Tests of agent/host_pattern: OpenSSH's wildcard patterns and negatable pattern lists.
#include <doctest/doctest.h>

#include <string>

#include "agent/host_pattern.hpp"

using latchkey::agent::match_pattern;
using latchkey::agent::match_pattern_list;
using latchkey::agent::PatternListMatch;

TEST_CASE("match_pattern: literals, ? and *")
{
    struct Case {
        const char* text;
        const char* pattern;
        bool matches;
    };
    for (const Case& c : {Case{"host", "host", true}, Case{"host", "hos", false}, Case{"hos", "host", false},
                          Case{"node7", "node?", true}, Case{"node", "node?", false},
                          Case{"a.example", "*.example", true}, Case{"example", "*.example", false},
                          Case{"", "*", true}, Case{"", "", true}, Case{"x", "", false}, Case{"abcabd", "*ab?", true},
                          Case{"aXbXc", "a*b*c", true}, Case{"aXbXd", "a*b*c", false},
                          Case{"Host", "host", false} /* case-sensitive */}) {
        CAPTURE(c.text);
        CAPTURE(c.pattern);
        CHECK(match_pattern(c.text, c.pattern) == c.matches);
    }
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
