// Wildcard patterns and pattern lists as OpenSSH's match.c defines them.
#include "agent/host_pattern.hpp"

#include <string>

namespace latchkey::agent {

namespace {

char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

}  // namespace

bool match_pattern(std::string_view text, std::string_view pattern)
{
    // Greedy matching that remembers only the last `*`: when a later literal fails, that star takes
    // one more character. Earlier stars never need to take more, so this is exact.
    std::size_t t = 0;
    std::size_t p = 0;
    std::size_t star = std::string_view::npos;
    std::size_t star_text = 0;
    while (t < text.size()) {
        if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            star_text = t;
        } else if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
            ++p;
            ++t;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            t = ++star_text;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*')
        ++p;
    return p == pattern.size();
}

PatternListMatch match_pattern_list(std::string_view text, std::string_view patterns, bool lowercase_patterns)
{
    PatternListMatch result = PatternListMatch::none;
    while (!patterns.empty()) {
        const std::size_t comma = patterns.find(',');
        std::string_view item = patterns.substr(0, comma);
        patterns = comma == std::string_view::npos ? std::string_view() : patterns.substr(comma + 1);
        const bool negated = !item.empty() && item.front() == '!';
        if (negated)
            item.remove_prefix(1);
        std::string pattern(item);
        if (lowercase_patterns)
            for (char& c : pattern)
                c = lower(c);
        if (!match_pattern(text, pattern))
            continue;
        if (negated)
            return PatternListMatch::negated;
        result = PatternListMatch::positive;
    }
    return result;
}

}  // namespace latchkey::agent
