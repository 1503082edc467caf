// N client threads sending one kind of request to an agent for a fixed time.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "tests/bench/report.hpp"
#include "tests/bench/requests.hpp"

namespace latchkey::bench {

struct Workload {
    std::string socket_path;
    unsigned clients = 1;
    std::chrono::milliseconds duration{2000};
    bool reconnect = false;              // a new connection for every request (ssh does one per login)
    std::optional<ListedKey> sign_with;  // SIGN_REQUESTs with this key; none = REQUEST_IDENTITIES
    std::size_t expected_keys = 0;       // for REQUEST_IDENTITIES: the count every answer must list
    unsigned verify_every = 256;         // check the first signature of each client and every n-th after it
};

// Runs the workload: every client connects first (persistent mode), then all start together and
// send requests back to back until the duration is over. Every reply is checked; a broken
// connection or a wrong reply counts as a failure (and the client reconnects). Never throws for
// anything the agent does.
RunResult run_workload(const Workload& workload);

}  // namespace latchkey::bench
