// The load generator's command line.
#pragma once

#include <chrono>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace latchkey::bench {

enum class Mode { sign, list, idle_sign };

struct Options {
    Mode mode = Mode::sign;
    std::string socket_path;
    unsigned clients = 1;
    std::chrono::milliseconds duration{2000};
    bool reconnect = false;
    std::string key = "last";       // sign: a comment, a key type name ("ssh-ed25519", …) or "last"
    std::size_t expected_keys = 0;  // list: keys every answer must list
    std::size_t idle = 0;           // idle-sign: connections held open meanwhile
    unsigned verify_every = 256;
};

// Thrown for a bad command line; what() says what is wrong.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Parses `latchkey-bench MODE --socket PATH [options]` (see usage()). Throws UsageError.
Options parse_options(const std::vector<std::string>& arguments);

// The usage text.
std::string usage();

}  // namespace latchkey::bench
