// Accepting clients on a Windows named pipe: overlapped ConnectNamedPipe through Asio, peer SID check.
#include "platform/windows/pipe_listener.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/async_result.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/windows/overlapped_ptr.hpp>
#include <boost/asio/windows/stream_handle.hpp>

#include <system_error>

#include "platform/asio_byte_stream.hpp"
#include "platform/askpass_program.hpp"
#include "platform/windows/user_sid.hpp"

namespace latchkey::platform {

namespace {

namespace asio = boost::asio;
using PipeHandle = asio::windows::stream_handle;

constexpr DWORD pipe_buffer_size = 64 * 1024;

using PipeStream = AsioByteStream<PipeHandle>;

// Waits, without blocking the io thread, until a client connects to `pipe` (ConnectNamedPipe, overlapped).
template <class Token>
auto async_connect(PipeHandle& pipe, Token&& token)
{
    return asio::async_initiate<Token, void(boost::system::error_code)>(
        [&pipe](auto handler) {
            asio::windows::overlapped_ptr overlapped(
                pipe.get_executor(), [handler = std::move(handler)](boost::system::error_code error, std::size_t) mutable {
                    std::move(handler)(error);
                });
            if (ConnectNamedPipe(pipe.native_handle(), overlapped.get())) {
                overlapped.complete(boost::system::error_code(), 0);
                return;
            }
            const DWORD status = GetLastError();
            if (status == ERROR_IO_PENDING)
                overlapped.release();  // completes through the io_context's completion port
            else if (status == ERROR_PIPE_CONNECTED)
                overlapped.complete(boost::system::error_code(), 0);  // connected between create and connect
            else
                overlapped.complete(boost::system::error_code(static_cast<int>(status), asio::error::get_system_category()), 0);
        },
        token);
}

class PipeListener final : public Listener {
public:
    PipeListener(asio::io_context& io, std::string name)
        : io_(io), name_(std::move(name)), user_(process_user_sid()), security_(user_), next_(create(true))
    {
    }

    // Every pipe instance lives on the listener's io_context (a handle stays with the completion port it was
    // first bound to), so `loop` is not used: the connections are served on the listener's thread.
    asio::awaitable<AcceptedStream> accept(asio::io_context& /*loop*/, boost::system::error_code& error) override
    {
        for (;;) {
            co_await async_connect(next_, asio::redirect_error(asio::use_awaitable, error));
            if (error)
                co_return AcceptedStream{};
            PipeHandle connected = std::move(next_);
            try {
                next_ = create(false);  // before anything else, so the next client never finds the pipe busy
            } catch (const std::system_error& failure) {
                error = boost::system::error_code(failure.code().value(), asio::error::get_system_category());
                co_return AcceptedStream{};
            }
            ULONG pid = 0;
            GetNamedPipeClientProcessId(connected.native_handle(), &pid);
            if (!same_sid(process_user_sid(pid), user_)) {
                spdlog::warn("refused a connection from {} on {}: only the agent's own user is served",
                             pid != 0 ? process_ancestry(pid) : "an unknown process", name_);
                DisconnectNamedPipe(connected.native_handle());
                continue;  // closes as it goes out of scope, unread
            }
            PeerProcess peer{0, static_cast<std::int64_t>(pid),
                             spdlog::should_log(spdlog::level::debug) ? process_ancestry(pid) : std::string()};
            co_return AcceptedStream{std::make_unique<PipeStream>(std::move(connected)), std::move(peer)};
        }
    }

private:
    // A new instance of the pipe; the first one must not exist yet (another agent would own it).
    PipeHandle create(bool first)
    {
        HANDLE pipe = CreateNamedPipeA(name_.c_str(),
                                       PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED | (first ? FILE_FLAG_FIRST_PIPE_INSTANCE : 0),
                                       PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS,
                                       PIPE_UNLIMITED_INSTANCES, pipe_buffer_size, pipe_buffer_size, 0,
                                       security_.attributes());
        if (pipe == INVALID_HANDLE_VALUE) {
            const DWORD status = GetLastError();
            throw std::system_error(static_cast<int>(status), std::system_category(),
                                    status == ERROR_ACCESS_DENIED && first
                                        ? name_ + " is already served by another agent"
                                        : "cannot create the pipe " + name_);
        }
        return PipeHandle(io_, pipe);
    }

    asio::io_context& io_;
    std::string name_;
    SidBuffer user_;
    UserOnlySecurity security_;
    PipeHandle next_;  // the instance waiting for the next client
};

}  // namespace

ListenerFactory named_pipe_listener(std::string name)
{
    return [name = std::move(name)](asio::io_context& io) -> std::unique_ptr<Listener> {
        return std::make_unique<PipeListener>(io, name);
    };
}

}  // namespace latchkey::platform
