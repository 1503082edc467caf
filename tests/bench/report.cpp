// Percentiles by nearest rank over the sorted latencies, and a small hand-written JSON encoder.
#include "tests/bench/report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace latchkey::bench {

namespace {

constexpr std::size_t kept_errors = 5;

std::uint32_t percentile(const std::vector<std::uint32_t>& sorted, double fraction)
{
    if (sorted.empty())
        return 0;
    auto rank = static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(sorted.size())));
    return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

std::string quoted(const std::string& text)
{
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
            out += escaped;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

std::string number(double value)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.6g", value);
    return text;
}

}  // namespace

void RunResult::merge(RunResult&& other)
{
    requests += other.requests;
    failures += other.failures;
    verified += other.verified;
    elapsed = std::max(elapsed, other.elapsed);
    latencies_us.insert(latencies_us.end(), other.latencies_us.begin(), other.latencies_us.end());
    for (auto& error : other.errors)
        if (errors.size() < kept_errors)
            errors.push_back(std::move(error));
}

std::string to_json(RunResult& result, const std::map<std::string, std::string>& labels,
                    const std::map<std::string, double>& numbers)
{
    std::ranges::sort(result.latencies_us);
    const double seconds = std::chrono::duration<double>(result.elapsed).count();
    std::string json = "{";
    for (const auto& [name, value] : labels)
        json += quoted(name) + ": " + quoted(value) + ", ";
    for (const auto& [name, value] : numbers)
        json += quoted(name) + ": " + number(value) + ", ";
    json += "\"requests\": " + std::to_string(result.requests) + ", \"failures\": " + std::to_string(result.failures) +
            ", \"verified\": " + std::to_string(result.verified) + ", \"seconds\": " + number(seconds) +
            ", \"requests_per_second\": " + number(seconds > 0 ? result.requests / seconds : 0) +
            ", \"latency_us\": {\"p50\": " + std::to_string(percentile(result.latencies_us, 0.50)) +
            ", \"p90\": " + std::to_string(percentile(result.latencies_us, 0.90)) +
            ", \"p99\": " + std::to_string(percentile(result.latencies_us, 0.99)) +
            ", \"max\": " + std::to_string(result.latencies_us.empty() ? 0 : result.latencies_us.back()) +
            "}, \"errors\": [";
    for (std::size_t i = 0; i < result.errors.size(); ++i)
        json += (i ? ", " : "") + quoted(result.errors[i]);
    return json + "]}";
}

}  // namespace latchkey::bench
