// Confirmation prompts: the askpass's stdout is read through Asio while a timer stands ready to kill it.
#include "agent/confirmation.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <memory>
#include <optional>
#include <system_error>

#include "platform/posix/askpass.hpp"

namespace latchkey::agent {

namespace {

namespace asio = boost::asio;

constexpr std::size_t max_output = 1024;
constexpr auto reap_interval = std::chrono::milliseconds(10);
constexpr int reap_polls = 300;       // 3 s at most after the output ends
constexpr int kill_after_polls = 100;  // an askpass still running 1 s after closing stdout is killed

// One prompt in flight: shared with the timeout handler, which may run after the coroutine returns.
struct Prompt {
    Prompt(const asio::any_io_executor& executor, platform::AskpassProcess process)
        : pid(process.pid), output(executor, process.output.release()), timer(executor)
    {
    }
    int pid;
    asio::posix::stream_descriptor output;
    asio::steady_timer timer;
    bool timed_out = false;
};

// Reads the askpass's stdout until EOF, an error, or max_output bytes.
asio::awaitable<std::string> read_answer(asio::posix::stream_descriptor& output)
{
    std::string answer;
    std::array<char, 256> chunk{};
    while (answer.size() < max_output) {
        boost::system::error_code error;
        std::size_t got = co_await output.async_read_some(asio::buffer(chunk), asio::redirect_error(asio::use_awaitable, error));
        answer.append(chunk.data(), std::min(got, max_output - answer.size()));
        if (error)
            break;
    }
    co_return answer;
}

// Waits (bounded) for the askpass to exit, killing it if it lingers; nullopt if it never does.
asio::awaitable<std::optional<int>> reap_soon(asio::any_io_executor executor, int pid)
{
    asio::steady_timer timer(executor);
    for (int poll = 0; poll < reap_polls; ++poll) {
        if (auto status = platform::reap(pid))
            co_return status;
        if (poll == kill_after_polls)
            platform::kill(pid);
        timer.expires_after(reap_interval);
        boost::system::error_code error;
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, error));
    }
    co_return std::nullopt;
}

// Kills the askpass, which ends its output and so the read.
void end_prompt(Prompt& prompt)
{
    platform::kill(prompt.pid);
    prompt.output.cancel();
}

// Ends the prompt when the timeout passes.
void arm_timeout(const std::shared_ptr<Prompt>& prompt, std::chrono::steady_clock::duration timeout)
{
    prompt->timer.expires_after(timeout);
    prompt->timer.async_wait([prompt](const boost::system::error_code& error) {
        if (error)
            return;
        prompt->timed_out = true;
        end_prompt(*prompt);
    });
}

}  // namespace

void PromptCancellation::cancel()
{
    cancelled_ = true;
    if (end_prompt_)
        end_prompt_();
}

bool confirmation_allowed(int exit_status, std::string_view output) noexcept
{
    if (exit_status != 0)
        return false;
    if (output.empty() || output == "\n")
        return true;
    constexpr std::string_view yes = "yes";
    if (output.size() < yes.size())
        return false;
    for (std::size_t i = 0; i < yes.size(); ++i)
        if ((output[i] | 0x20) != yes[i])
            return false;
    return true;
}

asio::awaitable<bool> ask_confirmation(asio::any_io_executor executor, std::string program, std::string prompt,
                                       std::chrono::steady_clock::duration timeout,
                                       std::shared_ptr<PromptCancellation> cancellation)
{
    if (cancellation && cancellation->cancelled()) {
        spdlog::info("confirmation not asked: the client that wanted the signature has gone");
        co_return false;
    }
    std::shared_ptr<Prompt> state;
    try {
        state = std::make_shared<Prompt>(executor, platform::start_askpass(program, prompt));
    } catch (const std::system_error& error) {
        spdlog::warn("cannot run the askpass program for a confirmation: {}", error.what());
        co_return false;
    }
    arm_timeout(state, timeout);
    if (cancellation)
        cancellation->end_prompt_ = [weak = std::weak_ptr<Prompt>(state)] {
            if (auto prompt = weak.lock())
                end_prompt(*prompt);
        };
    std::string answer = co_await read_answer(state->output);
    state->timer.cancel();
    if (cancellation)
        cancellation->end_prompt_ = nullptr;
    std::optional<int> status = co_await reap_soon(executor, state->pid);
    if (cancellation && cancellation->cancelled()) {
        spdlog::info("confirmation prompt (askpass pid {}) cancelled: the client that wanted the signature has gone",
                     state->pid);
        co_return false;
    }
    if (state->timed_out) {
        spdlog::warn("confirmation prompt unanswered after {:.1f} s; refused",
                     std::chrono::duration<double>(timeout).count());
        co_return false;
    }
    if (!status) {
        spdlog::warn("askpass program {} (pid {}) did not exit; refused", program, state->pid);
        co_return false;
    }
    bool allowed = confirmation_allowed(*status, answer);
    spdlog::debug("askpass exited with status {}: {}", *status, allowed ? "allowed" : "refused");
    co_return allowed;
}

}  // namespace latchkey::agent
