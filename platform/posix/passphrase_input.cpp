// Passphrases from /dev/tty without echo (termios) or from an askpass child's stdout.
#include "platform/passphrase_input.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include <cerrno>

#include "platform/posix/askpass.hpp"
#include "platform/secret_line.hpp"
#include "platform/unique_fd.hpp"

namespace latchkey::platform {

namespace {

// One line from fd (see read_secret_line), retrying after EINTR.
std::optional<std::size_t> read_line(int fd, std::span<std::uint8_t> buffer, bool need_newline)
{
    auto read_byte = [fd](std::uint8_t& byte) {
        for (;;) {
            ssize_t got = ::read(fd, &byte, 1);
            if (got >= 0 || errno != EINTR)
                return got < 0 ? -1 : static_cast<int>(got);
        }
    };
    return read_secret_line(read_byte, buffer, need_newline);
}

void write_text(int fd, const std::string& text)
{
    std::size_t done = 0;
    while (done < text.size()) {
        ssize_t written = ::write(fd, text.data() + done, text.size() - done);
        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0)
            return;
        done += static_cast<std::size_t>(written);
    }
}

// Turns echo off on fd while it lives (if fd is a terminal), and restores the previous settings.
class EchoOff {
public:
    explicit EchoOff(int fd) : fd_(fd)
    {
        if (::tcgetattr(fd_, &saved_) != 0)
            return;
        termios quiet = saved_;
        quiet.c_lflag &= static_cast<tcflag_t>(~(ECHO | ECHONL));
        active_ = ::tcsetattr(fd_, TCSAFLUSH, &quiet) == 0;
    }
    ~EchoOff()
    {
        if (active_)
            ::tcsetattr(fd_, TCSAFLUSH, &saved_);
    }
    EchoOff(const EchoOff&) = delete;
    EchoOff& operator=(const EchoOff&) = delete;

private:
    int fd_;
    termios saved_{};
    bool active_ = false;
};

// Waits for child pid to end; its exit status, or -1 if it did not exit normally.
int wait_for(int pid)
{
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

bool stdin_is_terminal() noexcept
{
    return ::isatty(STDIN_FILENO) == 1;
}

std::optional<std::size_t> read_terminal_passphrase(const std::string& prompt, std::span<std::uint8_t> buffer)
{
    UniqueFd tty(::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY));
    const int input = tty ? tty.get() : STDIN_FILENO;
    const int output = tty ? tty.get() : STDERR_FILENO;
    write_text(output, prompt);
    std::optional<std::size_t> length;
    {
        EchoOff quiet(input);
        length = read_line(input, buffer, true);
    }
    write_text(output, "\n");
    return length;
}

std::optional<std::size_t> read_askpass_passphrase(const std::string& program, const std::string& prompt,
                                                   std::span<std::uint8_t> buffer)
{
    AskpassProcess askpass = start_askpass(program, prompt, AskpassPurpose::passphrase);
    std::optional<std::size_t> length = read_line(askpass.output.get(), buffer, false);
    // Drain anything after the first line so that the child never blocks on a full pipe.
    std::uint8_t rest[256];
    while (::read(askpass.output.get(), rest, sizeof rest) > 0) {
    }
    OPENSSL_cleanse(rest, sizeof rest);
    askpass.output.reset();
    if (wait_for(askpass.pid) != 0)
        return std::nullopt;
    return length;
}

}  // namespace latchkey::platform
