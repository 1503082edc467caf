// Parser for OpenSSH time intervals (convtime in OpenSSH's misc.c).
#include "agent/duration.hpp"

#include <cctype>
#include <climits>
#include <cstdint>

namespace latchkey::agent {

namespace {

constexpr std::int64_t max_seconds = INT_MAX;

// Seconds per unit for a qualifier character; 0 if it is not one.
std::int64_t unit_seconds(char qualifier)
{
    switch (std::tolower(static_cast<unsigned char>(qualifier))) {
    case 's': return 1;
    case 'm': return 60;
    case 'h': return 60 * 60;
    case 'd': return 24 * 60 * 60;
    case 'w': return 7 * 24 * 60 * 60;
    default: return 0;
    }
}

}  // namespace

std::optional<std::chrono::seconds> parse_duration(std::string_view text)
{
    if (text.empty())
        return std::nullopt;
    std::int64_t total = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        const std::size_t digits_start = i;
        std::int64_t number = 0;
        for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
            number = number * 10 + (text[i] - '0');
            if (number > max_seconds)
                return std::nullopt;
        }
        if (i == digits_start)
            return std::nullopt;
        std::int64_t unit = 1;
        if (i < text.size() && (unit = unit_seconds(text[i++])) == 0)
            return std::nullopt;
        total += number * unit;  // both at most INT_MAX and 604800: no overflow in 64 bits
        if (total > max_seconds)
            return std::nullopt;
    }
    return std::chrono::seconds(total);
}

}  // namespace latchkey::agent
