// Many connections held open and idle while another client works: the connection-storm case.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "tests/bench/agent_connection.hpp"
#include "tests/bench/report.hpp"

namespace latchkey::bench {

class IdleConnections {
public:
    // Opens `count` connections and has each answer one REQUEST_IDENTITIES, so the agent has
    // accepted and served all of them before the measurement starts. Raises this process's soft
    // descriptor limit to its hard limit first. Throws std::runtime_error if the limit is too low
    // for `count`, boost::system::system_error if a connection cannot be made, and
    // std::runtime_error if a reply is wrong.
    IdleConnections(const std::string& socket_path, std::size_t count, std::size_t expected_keys);

    // Sends REQUEST_IDENTITIES again on every tenth connection (all of them would take ssh-agent
    // minutes at 10,000); each broken connection or wrong answer is counted as a failure in
    // `result`. Never throws.
    void check_still_served(RunResult& result);

    std::size_t size() const noexcept { return connections_.size(); }

private:
    boost::asio::io_context io_;
    std::vector<AgentConnection> connections_;
    std::size_t expected_keys_;
};

}  // namespace latchkey::bench
