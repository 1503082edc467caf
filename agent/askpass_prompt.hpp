// Asking the user through an askpass program, off the io thread: confirmations (ssh-add -c) and the
// passphrases of keys decrypted on first use; one prompt shared by requests that ask the same thing.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "agent/asio.hpp"
#include "agent/prompt_answer.hpp"
#include "platform/askpass_child.hpp"

namespace latchkey::agent {

// Cancels a prompt from outside it, when the client that asked hangs up. Shared by the prompt and whoever
// may cancel it; use on the prompt's executor thread only.
class PromptCanceller {
public:
    // Runs the action set by on_cancel (once: later calls do nothing) and marks this cancelled. Never fails.
    void cancel();
    bool cancelled() const noexcept { return cancelled_; }
    // What cancel() does from now on; an empty function: nothing. Never fails.
    void on_cancel(std::function<void()> action) noexcept { action_ = std::move(action); }

private:
    std::function<void()> action_;
    bool cancelled_ = false;
};

// Runs `program` with `prompt` (platform::start_askpass_child for `purpose`) and waits, without blocking,
// for it to finish, for `timeout`, or for `canceller` (if any) to cancel it; then it is killed. Returns its
// exit status and at most 1 KiB of its output, read straight into locked memory; a program that cannot start,
// times out, is cancelled, or is never reaped answers exit status -1 and is logged. The executor must run on
// one thread (or be a strand). Never throws except std::bad_alloc and SecretHeapExhausted.
boost::asio::awaitable<PromptAnswer> ask_user(boost::asio::any_io_executor executor, std::string program,
                                              std::string prompt, platform::AskpassPurpose purpose,
                                              std::chrono::steady_clock::duration timeout,
                                              std::shared_ptr<PromptCanceller> canceller = nullptr);

// The prompts on screen, by share key: a request that asks what another is already asking (the first
// use of one deferred key by several clients at once) waits for that answer instead of opening a
// second prompt. Use from the executor's one thread only.
class SharedPrompts {
public:
    SharedPrompts(boost::asio::any_io_executor executor, std::chrono::steady_clock::duration timeout);

    // ask_user, unless share_key is non-empty and a prompt with that key is being asked: then the
    // answer of that prompt. `canceller` (if any) withdraws this request: a prompt is cancelled once
    // every request waiting for it has withdrawn, and a withdrawn request gets a refusal. Fails as ask_user.
    boost::asio::awaitable<PromptAnswer> ask(std::string program, std::string prompt,
                                             platform::AskpassPurpose purpose, std::string share_key,
                                             std::shared_ptr<PromptCanceller> canceller = nullptr);

    // How long prompts asked from now on wait (a configuration reload). Never fails.
    void set_timeout(std::chrono::steady_clock::duration timeout) noexcept { timeout_ = timeout; }

private:
    struct Prompt;
    boost::asio::any_io_executor executor_;
    std::chrono::steady_clock::duration timeout_;
    std::map<std::string, std::shared_ptr<Prompt>> asking_;
};

}  // namespace latchkey::agent
