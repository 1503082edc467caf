// OpenSSH's host and user patterns (match.c): `*` and `?` wildcards, comma lists with `!` negation.
#pragma once

#include <string_view>

namespace latchkey::agent {

// Whether `text` matches `pattern`, where `*` matches any run of characters and `?` any one; case-
// sensitive. Never fails; runs in time proportional to the product of the lengths (no backtracking
// blow-up).
bool match_pattern(std::string_view text, std::string_view pattern);

// How `text` fares against a comma-separated list of patterns, some negated with a leading `!`.
enum class PatternListMatch {
    none,     // no pattern matches
    positive, // a plain pattern matches and no negated one does
    negated,  // a negated pattern matches: the list rejects `text` whatever else matches
};

// OpenSSH's match_pattern_list. With `lowercase_patterns` each pattern is compared in lower case (as
// known_hosts host names are; the caller lowercases `text`). Never fails.
PatternListMatch match_pattern_list(std::string_view text, std::string_view patterns, bool lowercase_patterns);

}  // namespace latchkey::agent
