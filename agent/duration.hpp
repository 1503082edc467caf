// OpenSSH's time format (sshd_config(5) TIME FORMATS), as ssh-agent -t reads it.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace latchkey::agent {

// Parses a sequence of number[qualifier] — s (or none) seconds, m minutes, h hours, d days, w weeks, either
// case — and returns the sum: "90" and "90s" are 90 s, "1h30m" is 5400 s. Like OpenSSH's convtime, numbers
// are decimal digits only (no sign, no spaces). Returns nullopt if text is empty, holds anything else, or
// the total exceeds INT_MAX seconds.
std::optional<std::chrono::seconds> parse_duration(std::string_view text);

}  // namespace latchkey::agent
