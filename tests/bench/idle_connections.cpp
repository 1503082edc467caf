// IdleConnections: one thread opens them all in turn; descriptors come from a raised RLIMIT_NOFILE.
#include "tests/bench/idle_connections.hpp"

#include <sys/resource.h>

#include <stdexcept>

#include "tests/bench/requests.hpp"

namespace latchkey::bench {

namespace {

// Headroom for the working clients, the io_context and the standard descriptors.
constexpr rlim_t spare_descriptors = 256;

void raise_descriptor_limit(std::size_t needed)
{
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
        throw std::runtime_error("cannot read RLIMIT_NOFILE");
    limit.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0)
        throw std::runtime_error("cannot raise RLIMIT_NOFILE to its hard limit");
    if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < needed + spare_descriptors)
        throw std::runtime_error("the hard descriptor limit (" + std::to_string(limit.rlim_max) + ") is too low for " +
                                 std::to_string(needed) + " idle connections: raise it (ulimit -Hn, as root)");
}

}  // namespace

IdleConnections::IdleConnections(const std::string& socket_path, std::size_t count, std::size_t expected_keys)
    : expected_keys_(expected_keys)
{
    raise_descriptor_limit(count);
    const protocol::Bytes list = list_request();
    connections_.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        connections_.emplace_back(io_, socket_path);
        if (!is_identities_answer(connections_.back().request(list), expected_keys_))
            throw std::runtime_error("idle connection " + std::to_string(i) + " got a wrong answer to a list request");
    }
}

void IdleConnections::check_still_served(RunResult& result)
{
    const protocol::Bytes list = list_request();
    for (std::size_t i = 0; i < connections_.size(); i += 10) {
        std::string error;
        try {
            if (!is_identities_answer(connections_[i].request(list), expected_keys_))
                error = "a wrong answer to a list request";
        } catch (const boost::system::system_error& failure) {
            error = failure.code().message();
        } catch (const std::exception& failure) {
            error = failure.what();
        }
        if (!error.empty()) {
            ++result.failures;
            if (result.errors.size() < 5)
                result.errors.push_back("idle connection " + std::to_string(i) + ": " + error);
        }
    }
}

}  // namespace latchkey::bench
