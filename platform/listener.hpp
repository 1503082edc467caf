// What the agent's server listens on, whatever the operating system: a listener that hands over byte
// streams from peers it has already checked, and the control events (stop, drop keys, reload).
#pragma once

// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/system/error_code.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

namespace latchkey::platform {

// Who is at the other end of an accepted stream.
struct PeerProcess {
    std::uint32_t uid = 0;   // the Unix uid; 0 where the platform has none (Windows checks the SID instead)
    std::int64_t pid = 0;    // 0 when the platform does not tell
    std::string executable;  // short process name for logs; may be empty
};

// One accepted client connection. Closed when destroyed.
class ByteStream {
public:
    virtual ~ByteStream() = default;
    // Reads exactly bytes.size() bytes. Returns how many arrived; fewer only with `error` set (the peer
    // closed the stream, or an I/O error).
    virtual boost::asio::awaitable<std::size_t> read(std::span<std::uint8_t> bytes,
                                                     boost::system::error_code& error) = 0;
    // As read, but calls done(error, bytes read) on executor() instead of resuming a coroutine: a connection
    // idle between requests waits holding no coroutine frame. The caller keeps `bytes` alive until done runs
    // (if the executor's io_context is destroyed first, done is destroyed uncalled).
    virtual void read_then(std::span<std::uint8_t> bytes,
                           std::function<void(const boost::system::error_code&, std::size_t)> done) = 0;
    // Reads what has already arrived, up to bytes.size() bytes, without waiting: returns how many (0 when
    // nothing has arrived yet, or on a stream that cannot tell without waiting: a Windows pipe). On failure
    // (the peer closed the stream, an I/O error) sets `error`.
    virtual std::size_t read_available(std::span<std::uint8_t> bytes, boost::system::error_code& error) = 0;
    // Writes all of `bytes`; on failure sets `error`.
    virtual boost::asio::awaitable<void> write(std::span<const std::uint8_t> bytes,
                                               boost::system::error_code& error) = 0;
    // Where the stream's reads and writes complete: the connection is served there.
    virtual boost::asio::any_io_executor executor() = 0;
    // While no read is under way (a request waits for the user): calls on_hang_up, on executor(), if the
    // peer closes the stream; stop_hang_up_watch ends the watch. Where the platform cannot tell, it
    // never calls it. Never fails.
    virtual void watch_hang_up(std::function<void()> on_hang_up) = 0;
    virtual void stop_hang_up_watch() = 0;
};

struct AcceptedStream {
    std::unique_ptr<ByteStream> stream;
    PeerProcess peer;
};

// The agent's listening endpoint (a Unix socket, a Windows named pipe).
class Listener {
public:
    virtual ~Listener() = default;
    // Waits for the next client the agent may serve: a peer of another user is closed unread, logged,
    // and not returned. The stream's I/O runs on `loop` where the platform allows (see
    // ByteStream::executor). Sets `error` (and returns no stream) if accepting fails: operation_aborted
    // once the io_context stops, or a resource shortage the caller may retry after a pause.
    virtual boost::asio::awaitable<AcceptedStream> accept(boost::asio::io_context& loop,
                                                          boost::system::error_code& error) = 0;
};

// Makes the listener on the server's io_context; throws std::system_error if it cannot.
using ListenerFactory = std::function<std::unique_ptr<Listener>(boost::asio::io_context&)>;

// What the operating system asks of the agent (Unix signals, Windows console events).
enum class ControlAction { stop, drop_keys, reload };

struct ControlEvent {
    ControlAction action = ControlAction::stop;
    std::string cause;  // for logs: "SIGTERM", "Ctrl+C", …
};

class ControlEvents {
public:
    virtual ~ControlEvents() = default;
    // Waits for the next event. Sets `error` (operation_aborted) when the io_context stops.
    virtual boost::asio::awaitable<ControlEvent> next(boost::system::error_code& error) = 0;
};

// The control events of this platform, on `io`: SIGTERM and SIGINT stop, SIGUSR1 drops keys and
// SIGHUP reloads on Unix; console close, Ctrl+C, logoff and shutdown stop on Windows. Throws
// std::system_error if they cannot be set up.
std::unique_ptr<ControlEvents> control_events(boost::asio::io_context& io);

}  // namespace latchkey::platform
