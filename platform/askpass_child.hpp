// A running askpass program as the agent's event loop sees it: its output read without blocking, killed
// on demand, its exit status polled. Started by start_askpass_child (posix/ or windows/askpass_child.cpp).
#pragma once

// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "platform/askpass_program.hpp"

namespace latchkey::platform {

class AskpassChild {
public:
    virtual ~AskpassChild() = default;
    // Reads what the program has written to its stdout next, up to bytes.size() bytes. Returns how many
    // arrived; 0 with `error` set at the end of its output, on an I/O error, or after kill().
    virtual boost::asio::awaitable<std::size_t> read_some(std::span<std::uint8_t> bytes,
                                                          boost::system::error_code& error) = 0;
    // Ends the program (on Unix its process group) and cancels a read under way. Never fails: a program
    // that has already gone needs nothing.
    virtual void kill() noexcept = 0;
    // Its exit status (128 + the signal number if a Unix signal ended it), or nullopt while it runs.
    // Never blocks; -1 if the status cannot be had.
    virtual std::optional<int> exit_status() noexcept = 0;
    // Its process id, for logs.
    virtual std::int64_t pid() const noexcept = 0;
};

// Starts `program` with argv[1] = prompt and SSH_ASKPASS_PROMPT=confirm for a confirmation (unset for a
// passphrase), stdin empty, stdout a pipe read on `executor`, stderr the agent's. Does not wait for it.
// Throws std::system_error "<program>" with the reason if it cannot be started.
std::unique_ptr<AskpassChild> start_askpass_child(const boost::asio::any_io_executor& executor,
                                                  const std::string& program, const std::string& prompt,
                                                  AskpassPurpose purpose);

}  // namespace latchkey::platform
