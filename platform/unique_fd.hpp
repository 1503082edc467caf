// UniqueFd: sole owner of a POSIX file descriptor, closed when the owner goes away.
#pragma once

#include <unistd.h>

#include <utility>

namespace latchkey::platform {

class UniqueFd {
public:
    UniqueFd() noexcept = default;
    // Takes ownership of fd (-1 = none).
    explicit UniqueFd(int fd) noexcept : fd_(fd) {}
    UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept
    {
        reset(other.release());
        return *this;
    }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    ~UniqueFd() { reset(); }

    int get() const noexcept { return fd_; }
    explicit operator bool() const noexcept { return fd_ >= 0; }

    // Gives the descriptor up without closing it; the caller now owns it.
    int release() noexcept { return std::exchange(fd_, -1); }

    // Closes the current descriptor (a close error is ignored: the fd is gone either way) and owns fd.
    void reset(int fd = -1) noexcept
    {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = fd;
    }

private:
    int fd_ = -1;
};

}  // namespace latchkey::platform
