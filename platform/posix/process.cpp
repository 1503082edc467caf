// Linux implementation of the daemon's process plumbing.
#include "platform/posix/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <system_error>

namespace latchkey::platform {

namespace {

[[noreturn]] void throw_errno(const std::string& what)
{
    throw std::system_error(errno, std::generic_category(), what);
}

void redirect(int from, int to)
{
    if (::dup2(from, to) < 0)
        throw_errno("dup2");
}

}  // namespace

ForkedProcess fork_with_ready_pipe()
{
    int ends[2];
    if (::pipe2(ends, O_CLOEXEC) != 0)
        throw_errno("pipe");
    UniqueFd read_end(ends[0]);
    UniqueFd write_end(ends[1]);
    std::cout.flush();
    std::cerr.flush();
    std::fflush(nullptr);
    const int pid = ::fork();
    if (pid < 0)
        throw_errno("fork");
    if (pid == 0)
        return {0, std::move(write_end)};
    return {pid, std::move(read_end)};
}

void report_ready(UniqueFd ready_pipe) noexcept
{
    const char ready = 1;
    while (::write(ready_pipe.get(), &ready, 1) < 0 && errno == EINTR) {
    }
}

bool wait_until_ready(const UniqueFd& ready_pipe) noexcept
{
    char byte = 0;
    ssize_t count = 0;
    while ((count = ::read(ready_pipe.get(), &byte, 1)) < 0 && errno == EINTR) {
    }
    return count == 1;
}

void detach_from_terminal()
{
    if (::setsid() < 0)
        throw_errno("setsid");
    if (::chdir("/") != 0)
        throw_errno("chdir /");
    UniqueFd null(::open("/dev/null", O_RDWR | O_CLOEXEC));
    if (!null)
        throw_errno("/dev/null");
    for (int fd : {STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO})
        redirect(null.get(), fd);
    if (null.get() <= STDERR_FILENO)
        null.release();  // it is one of the three now
}

void open_standard_descriptors()
{
    // In ascending order, open() returns the lowest free number: the closed fd itself.
    for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; ++fd) {
        if (::fcntl(fd, F_GETFD) < 0 && errno == EBADF && ::open("/dev/null", O_RDWR) < 0)
            throw_errno("/dev/null");
    }
}

bool terminate_with_parent(int parent_pid)
{
    if (::prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) != 0)
        throw_errno("prctl(PR_SET_PDEATHSIG)");
    return ::getppid() == parent_pid;  // the parent may have ended before prctl
}

void exec_command(const std::vector<std::string>& command,
                  const std::vector<std::pair<std::string, std::string>>& environment)
{
    if (command.empty())
        throw std::invalid_argument("exec_command: no command");
    for (const auto& [name, value] : environment) {
        if (::setenv(name.c_str(), value.c_str(), 1) != 0)
            throw_errno("setenv");
    }
    std::vector<char*> argv;
    for (const std::string& argument : command)
        argv.push_back(const_cast<char*>(argument.c_str()));
    argv.push_back(nullptr);
    std::cout.flush();
    ::execvp(argv[0], argv.data());
    throw_errno(command[0]);
}

void terminate_process(int pid)
{
    if (::kill(pid, SIGTERM) != 0)
        throw_errno("kill");
}

int current_pid() noexcept
{
    return ::getpid();
}

void ignore_broken_pipes() noexcept
{
    std::signal(SIGPIPE, SIG_IGN);
}

std::size_t descriptor_limit() noexcept
{
    struct rlimit limit {};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return 0;
    return limit.rlim_cur == RLIM_INFINITY ? SIZE_MAX : static_cast<std::size_t>(limit.rlim_cur);
}

}  // namespace latchkey::platform
