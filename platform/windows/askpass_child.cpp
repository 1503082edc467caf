// The askpass on Windows: a CreateProcess child whose stdout pipe is read through an Asio stream_handle.
#include "platform/askpass_child.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/windows/stream_handle.hpp>

#include "platform/windows/askpass_process.hpp"

namespace latchkey::platform {

namespace {

namespace asio = boost::asio;

class WindowsAskpassChild final : public AskpassChild {
public:
    WindowsAskpassChild(const asio::any_io_executor& executor, AskpassProcess process)
        : process_(std::move(process.process)), pid_(process.pid), output_(executor, process.output.release())
    {
    }

    asio::awaitable<std::size_t> read_some(std::span<std::uint8_t> bytes, boost::system::error_code& error) override
    {
        co_return co_await output_.async_read_some(asio::buffer(bytes.data(), bytes.size()),
                                                   asio::redirect_error(asio::use_awaitable, error));
    }

    void kill() noexcept override
    {
        if (!process_exit_code(process_.get()))
            TerminateProcess(process_.get(), 1);
        boost::system::error_code ignored;
        output_.cancel(ignored);
    }

    std::optional<int> exit_status() noexcept override { return process_exit_code(process_.get()); }

    std::int64_t pid() const noexcept override { return pid_; }

private:
    UniqueHandle process_;
    DWORD pid_;
    asio::windows::stream_handle output_;
};

}  // namespace

std::unique_ptr<AskpassChild> start_askpass_child(const asio::any_io_executor& executor, const std::string& program,
                                                  const std::string& prompt, AskpassPurpose purpose)
{
    return std::make_unique<WindowsAskpassChild>(executor, start_askpass_process(program, prompt, purpose, true));
}

}  // namespace latchkey::platform
