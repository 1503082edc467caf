// Asking the user to allow one signature (ssh-add -c) through an askpass program, off the io thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "agent/asio.hpp"

namespace latchkey::agent {

// OpenSSH's ask_permission rule: allowed iff the askpass exited with status 0 and printed nothing
// or an answer starting with "yes" (any case). Never fails.
bool confirmation_allowed(int exit_status, std::string_view output) noexcept;

// Lets the caller end a prompt early, e.g. when the client that asked has gone: cancel() kills the
// askpass, and the prompt counts as refused. Used on the prompt's executor only. Never fails.
class PromptCancellation {
public:
    void cancel();
    bool cancelled() const noexcept { return cancelled_; }

private:
    friend boost::asio::awaitable<bool> ask_confirmation(boost::asio::any_io_executor, std::string, std::string,
                                                         std::chrono::steady_clock::duration,
                                                         std::shared_ptr<PromptCancellation>);
    bool cancelled_ = false;
    std::function<void()> end_prompt_;  // set while the askpass runs
};

// Runs `program` with `prompt` (platform::start_askpass) and waits, without blocking, for it to
// finish, for `timeout`, or for `cancellation` (may be null) to be cancelled; then it is killed.
// Returns whether the user allowed the signature; a program that cannot start, times out, is
// cancelled, or is never reaped counts as refused and is logged. The executor must run on one
// thread (or be a strand). Never throws except std::bad_alloc.
boost::asio::awaitable<bool> ask_confirmation(boost::asio::any_io_executor executor, std::string program,
                                              std::string prompt, std::chrono::steady_clock::duration timeout,
                                              std::shared_ptr<PromptCancellation> cancellation = nullptr);

}  // namespace latchkey::agent
