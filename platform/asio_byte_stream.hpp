// A ByteStream over any Asio stream (a Unix socket, a Windows pipe handle): exact reads, whole writes.
#pragma once

#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

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

    boost::asio::awaitable<void> write(std::span<const std::uint8_t> bytes, boost::system::error_code& error) override
    {
        co_await boost::asio::async_write(stream_, boost::asio::buffer(bytes.data(), bytes.size()),
                                          boost::asio::redirect_error(boost::asio::use_awaitable, error));
    }

private:
    AsyncStream stream_;
};

}  // namespace latchkey::platform
