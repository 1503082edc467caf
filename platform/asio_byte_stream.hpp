// A ByteStream over any Asio stream (a Unix socket, a Windows pipe handle): exact reads, whole writes.
#pragma once

#include <boost/asio/read.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <functional>
#include <memory>

#include "platform/listener.hpp"

namespace latchkey::platform {

template <class AsyncStream>
class AsioByteStream final : public ByteStream {
public:
    explicit AsioByteStream(AsyncStream stream) : stream_(std::move(stream)) {}

    boost::asio::awaitable<std::size_t> read(std::span<std::uint8_t> bytes, boost::system::error_code& error) override
    {
        co_return co_await boost::asio::async_read(stream_, boost::asio::buffer(bytes.data(), bytes.size()),
                                                   boost::asio::redirect_error(boost::asio::use_awaitable, error));
    }

    void read_then(std::span<std::uint8_t> bytes,
                   std::function<void(const boost::system::error_code&, std::size_t)> done) override
    {
        boost::asio::async_read(stream_, boost::asio::buffer(bytes.data(), bytes.size()), std::move(done));
    }

    std::size_t read_available(std::span<std::uint8_t> bytes, boost::system::error_code& error) override
    {
        if constexpr (can_wait_readable) {
            // Non-blocking for this caller's reads (Asio's own asynchronous operations are unaffected), so a
            // read with nothing to take says would_block instead of waiting.
            if (!stream_.non_blocking())
                stream_.non_blocking(true, error);
            if (error)
                return 0;
            std::size_t got = stream_.read_some(boost::asio::buffer(bytes.data(), bytes.size()), error);
            if (error == boost::asio::error::would_block)
                error.clear();
            return got;
        } else {
            return 0;
        }
    }

    boost::asio::awaitable<void> write(std::span<const std::uint8_t> bytes, boost::system::error_code& error) override
    {
        co_await boost::asio::async_write(stream_, boost::asio::buffer(bytes.data(), bytes.size()),
                                          boost::asio::redirect_error(boost::asio::use_awaitable, error));
    }

    boost::asio::any_io_executor executor() override { return stream_.get_executor(); }

    // A socket turns readable when the peer closes it; a peek then finds the end of the stream (a client that
    // sends its next request instead is not watched further). Other streams (a Windows pipe) are not watched.
    void watch_hang_up(std::function<void()> on_hang_up) override
    {
        if constexpr (can_wait_readable) {
            boost::system::error_code error;
            if (!stream_.non_blocking())
                stream_.non_blocking(true, error);  // the watch's peek must never wait
            if (error)
                return;
            watching_ = std::make_shared<bool>(true);
            wait_for_hang_up(watching_, std::move(on_hang_up));
        }
    }

    void stop_hang_up_watch() override
    {
        if constexpr (can_wait_readable) {
            if (watching_)
                *watching_ = false;
            boost::system::error_code ignored;
            stream_.cancel(ignored);
        }
    }

private:
    // One wait of the watch. Readiness with nothing to read is waited out again: the reactor may still hold
    // the readiness that the request itself caused, if that request was read before the reactor looked.
    void wait_for_hang_up(std::shared_ptr<bool> watching, std::function<void()> on_hang_up)
    {
        stream_.async_wait(AsyncStream::wait_read, [this, watching, on_hang_up = std::move(on_hang_up)](
                                                       const boost::system::error_code& error) mutable {
            if (error || !*watching)
                return;  // the watch ended first (and the stream may be gone)
            std::uint8_t next = 0;
            boost::system::error_code peek_error;
            stream_.receive(boost::asio::buffer(&next, 1), AsyncStream::message_peek, peek_error);
            if (peek_error == boost::asio::error::would_block)
                wait_for_hang_up(std::move(watching), std::move(on_hang_up));
            else if (peek_error)
                on_hang_up();
        });
    }

    static constexpr bool can_wait_readable = requires(AsyncStream& stream) {
        stream.async_wait(AsyncStream::wait_read, [](const boost::system::error_code&) {});
    };
    AsyncStream stream_;
    std::shared_ptr<bool> watching_;  // shared with the wait: false once the watch has ended
};

}  // namespace latchkey::platform
