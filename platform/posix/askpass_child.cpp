// The askpass on Unix: start_askpass's process, its stdout pipe read through an Asio stream_descriptor.
#include "platform/askpass_child.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "platform/posix/askpass.hpp"

namespace latchkey::platform {

namespace {

namespace asio = boost::asio;

class PosixAskpassChild final : public AskpassChild {
public:
    PosixAskpassChild(const asio::any_io_executor& executor, AskpassProcess process)
        : pid_(process.pid), output_(executor, process.output.release())
    {
    }

    asio::awaitable<std::size_t> read_some(std::span<std::uint8_t> bytes, boost::system::error_code& error) override
    {
        co_return co_await output_.async_read_some(asio::buffer(bytes.data(), bytes.size()),
                                                   asio::redirect_error(asio::use_awaitable, error));
    }

    void kill() noexcept override
    {
        platform::kill(pid_);
        boost::system::error_code ignored;
        output_.cancel(ignored);
    }

    std::optional<int> exit_status() noexcept override { return reap(pid_); }

    std::int64_t pid() const noexcept override { return pid_; }

private:
    int pid_;
    asio::posix::stream_descriptor output_;
};

}  // namespace

std::unique_ptr<AskpassChild> start_askpass_child(const asio::any_io_executor& executor, const std::string& program,
                                                  const std::string& prompt, AskpassPurpose purpose)
{
    return std::make_unique<PosixAskpassChild>(executor, start_askpass(program, prompt, purpose));
}

}  // namespace latchkey::platform
