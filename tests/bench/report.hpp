// What one load run measured, and its JSON form.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace latchkey::bench {

// Counts and latencies of one run, merged from every client thread.
struct RunResult {
    std::uint64_t requests = 0;   // answered and valid
    std::uint64_t failures = 0;   // broken connections, wrong or failed replies, bad signatures
    std::uint64_t verified = 0;   // signatures checked with OpenSSL
    std::chrono::nanoseconds elapsed{};
    std::vector<std::uint32_t> latencies_us;  // one per valid request
    std::vector<std::string> errors;          // the first few failures, for the report

    // Adds another thread's counts; keeps at most a handful of error messages.
    void merge(RunResult&& other);
};

// The JSON object for a run: the given labels (strings) and numbers, then requests, failures,
// verified, seconds, requests_per_second and latency_us {p50, p90, p99, max} (all 0 when nothing
// was answered), and the first errors. Sorts result.latencies_us. Never fails.
std::string to_json(RunResult& result, const std::map<std::string, std::string>& labels,
                    const std::map<std::string, double>& numbers);

}  // namespace latchkey::bench
