// Asking the user to allow one signature (ssh-add -c) through an askpass program, off the io thread.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "agent/asio.hpp"

namespace latchkey::agent {

// OpenSSH's ask_permission rule: allowed iff the askpass exited with status 0 and printed nothing
// or an answer starting with "yes" (any case). Never fails.
bool confirmation_allowed(int exit_status, std::string_view output) noexcept;

// Runs `program` with `prompt` (platform::start_askpass) and waits, without blocking, for it to
// finish or for `timeout`, when it is killed. Returns whether the user allowed the signature; a
// program that cannot start, times out, or is never reaped counts as refused and is logged. The
// executor must run on one thread (or be a strand). Never throws except std::bad_alloc.
boost::asio::awaitable<bool> ask_confirmation(boost::asio::any_io_executor executor, std::string program,
                                              std::string prompt, std::chrono::steady_clock::duration timeout);

}  // namespace latchkey::agent
