// Askpass prompts: the askpass's stdout is read on the event loop while a timer stands ready to kill it.
#include "agent/askpass_prompt.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <memory>
#include <optional>
#include <system_error>
#include <utility>

namespace latchkey::agent {

namespace {

namespace asio = boost::asio;

constexpr std::size_t max_output = 1024;
constexpr auto reap_interval = std::chrono::milliseconds(10);
constexpr int reap_polls = 300;       // 3 s at most after the output ends
constexpr int kill_after_polls = 100;  // an askpass still running 1 s after closing stdout is killed

// One askpass in flight: shared with the timeout handler, which may run after the coroutine returns.
struct RunningAskpass {
    RunningAskpass(const asio::any_io_executor& executor, std::unique_ptr<platform::AskpassChild> process)
        : child(std::move(process)), timer(executor)
    {
    }
    std::unique_ptr<platform::AskpassChild> child;
    asio::steady_timer timer;
    bool timed_out = false;
    bool cancelled = false;
};

// Reads the askpass's stdout into locked memory until EOF, an error, or max_output bytes.
asio::awaitable<SecretBytes> read_answer(platform::AskpassChild& child)
{
    SecretBytes answer(max_output);
    std::size_t size = 0;
    while (size < max_output) {
        boost::system::error_code error;
        size += co_await child.read_some(answer.view().subspan(size), error);
        if (error)
            break;
    }
    answer.resize(size);
    co_return answer;
}

// Waits (bounded) for the askpass to exit, killing it if it lingers; nullopt if it never does.
asio::awaitable<std::optional<int>> reap_soon(asio::any_io_executor executor, platform::AskpassChild& child)
{
    asio::steady_timer timer(executor);
    for (int poll = 0; poll < reap_polls; ++poll) {
        if (auto status = child.exit_status())
            co_return status;
        if (poll == kill_after_polls)
            child.kill();
        timer.expires_after(reap_interval);
        boost::system::error_code error;
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, error));
    }
    co_return std::nullopt;
}

// Stops the askpass when the timeout passes.
void arm_timeout(const std::shared_ptr<RunningAskpass>& prompt, std::chrono::steady_clock::duration timeout)
{
    prompt->timer.expires_after(timeout);
    prompt->timer.async_wait([prompt](const boost::system::error_code& error) {
        if (error)
            return;
        prompt->timed_out = true;
        prompt->child->kill();  // which ends its output and so the read
    });
}

}  // namespace

void PromptCanceller::cancel()
{
    if (std::exchange(cancelled_, true))
        return;
    if (auto action = std::exchange(action_, {}))
        action();
}

// One prompt being asked for a share key: those who wait for it wait on `answered`; once all of them have
// withdrawn, `canceller` cancels it.
struct SharedPrompts::Prompt {
    explicit Prompt(const asio::any_io_executor& executor) : answered(executor, asio::steady_timer::time_point::max()) {}
    asio::steady_timer answered;  // cancelled when the answer is in
    PromptAnswer answer;
    std::shared_ptr<PromptCanceller> canceller = std::make_shared<PromptCanceller>();
    int waiting = 0;  // requests waiting for the answer, not withdrawn
};

asio::awaitable<PromptAnswer> ask_user(asio::any_io_executor executor, std::string program, std::string prompt,
                                       platform::AskpassPurpose purpose, std::chrono::steady_clock::duration timeout,
                                       std::shared_ptr<PromptCanceller> canceller)
{
    if (canceller && canceller->cancelled())
        co_return PromptAnswer{};
    std::shared_ptr<RunningAskpass> state;
    try {
        state = std::make_shared<RunningAskpass>(executor, platform::start_askpass_child(executor, program, prompt, purpose));
    } catch (const std::system_error& error) {
        spdlog::warn("cannot run the askpass program: {}", error.what());
        co_return PromptAnswer{};
    }
    arm_timeout(state, timeout);
    if (canceller)
        canceller->on_cancel([state] {
            state->cancelled = true;
            state->child->kill();
        });
    SecretBytes output = co_await read_answer(*state->child);
    state->timer.cancel();
    if (canceller)
        canceller->on_cancel({});
    std::optional<int> status = co_await reap_soon(executor, *state->child);
    if (state->cancelled) {
        spdlog::info("askpass prompt cancelled: the client that asked hung up");
        co_return PromptAnswer{};
    }
    if (state->timed_out) {
        spdlog::warn("askpass prompt unanswered after {:.1f} s; refused", std::chrono::duration<double>(timeout).count());
        co_return PromptAnswer{};
    }
    if (!status) {
        spdlog::warn("askpass program {} (pid {}) did not exit; refused", program, state->child->pid());
        co_return PromptAnswer{};
    }
    spdlog::debug("askpass exited with status {}", *status);
    co_return PromptAnswer{*status, std::move(output)};
}

SharedPrompts::SharedPrompts(asio::any_io_executor executor, std::chrono::steady_clock::duration timeout)
    : executor_(std::move(executor)), timeout_(timeout)
{
}

asio::awaitable<PromptAnswer> SharedPrompts::ask(std::string program, std::string prompt,
                                                 platform::AskpassPurpose purpose, std::string share_key,
                                                 std::shared_ptr<PromptCanceller> canceller)
{
    if (share_key.empty())
        co_return co_await ask_user(executor_, std::move(program), std::move(prompt), purpose, timeout_, canceller);
    std::shared_ptr<Prompt> asked;
    bool first = false;
    if (auto found = asking_.find(share_key); found != asking_.end()) {
        asked = found->second;
    } else {
        asked = std::make_shared<Prompt>(executor_);
        asking_.emplace(share_key, asked);
        first = true;
    }
    ++asked->waiting;
    if (canceller)
        canceller->on_cancel([asked] {
            if (--asked->waiting == 0)
                asked->canceller->cancel();
        });
    if (first) {
        asked->answer = co_await ask_user(executor_, std::move(program), std::move(prompt), purpose, timeout_,
                                          asked->canceller);
        asking_.erase(share_key);
        asked->answered.cancel();
    } else {
        boost::system::error_code error;
        co_await asked->answered.async_wait(asio::redirect_error(asio::use_awaitable, error));
    }
    if (canceller) {
        canceller->on_cancel({});
        if (canceller->cancelled())
            co_return PromptAnswer{};
    }
    co_return asked->answer;
}

}  // namespace latchkey::agent
