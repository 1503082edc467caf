// Safe placement, creation and removal of the agent's Unix socket.
#include "platform/posix/unix_socket.hpp"

#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <utility>

namespace latchkey::platform {

namespace {

constexpr int listen_backlog = 128;

[[noreturn]] void fail(const std::string& what)
{
    throw SocketSetupError(what);
}

[[noreturn]] void fail_errno(const std::string& what)
{
    fail(what + ": " + std::strerror(errno));
}

// Sets the umask for the lifetime of the object: the socket is born 0600, never briefly wider.
class ScopedUmask {
public:
    explicit ScopedUmask(mode_t mask) : previous_(::umask(mask)) {}
    ScopedUmask(const ScopedUmask&) = delete;
    ScopedUmask& operator=(const ScopedUmask&) = delete;
    ~ScopedUmask() { ::umask(previous_); }

private:
    mode_t previous_;
};

sockaddr_un socket_address(const std::string& path)
{
    sockaddr_un address {};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof address.sun_path)
        fail(path + ": socket path too long (" + std::to_string(path.size()) + " bytes, at most " +
             std::to_string(sizeof address.sun_path - 1) + ")");
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    return address;
}

UniqueFd stream_socket()
{
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd)
        fail_errno("socket");
    return fd;
}

// True if something accepts connections at path, false if it refuses (a stale socket).
bool agent_answers(const std::string& path)
{
    const sockaddr_un address = socket_address(path);
    const UniqueFd fd = stream_socket();
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0)
        return true;
    if (errno == ECONNREFUSED || errno == ENOENT)
        return false;
    fail_errno(path + ": cannot check for a running agent");
}

// Removes a stale socket of this user at path; refuses to touch anything else.
void clear_stale_socket(const std::string& path)
{
    struct stat status {};
    if (::lstat(path.c_str(), &status) != 0) {
        if (errno == ENOENT)
            return;
        fail_errno(path);
    }
    if (S_ISLNK(status.st_mode))
        fail(path + ": is a symbolic link; latchkeyd does not follow links in its socket path, so give the "
                    "path it points to");
    if (!S_ISSOCK(status.st_mode))
        fail(path + ": exists and is not a socket; not replacing it");
    if (status.st_uid != ::getuid())
        fail(path + ": is a socket of uid " + std::to_string(status.st_uid) + "; not replacing it");
    if (agent_answers(path))
        fail(path + ": an agent is already running there");
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
        fail_errno(path + ": cannot remove stale socket");
}

UniqueFd bind_and_listen(const std::string& path)
{
    const sockaddr_un address = socket_address(path);
    UniqueFd fd = stream_socket();
    const ScopedUmask umask(0177);
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0)
        fail_errno(path + ": bind");
    if (::listen(fd.get(), listen_backlog) != 0) {
        const int saved = errno;
        ::unlink(path.c_str());
        errno = saved;
        fail_errno(path + ": listen");
    }
    return fd;
}

void make_directory_if_missing(const std::string& directory)
{
    if (::mkdir(directory.c_str(), 0700) != 0 && errno != EEXIST)
        fail_errno(directory + ": cannot create directory");
}

std::string make_private_directory(const std::string& parent)
{
    std::string directory = parent + "/latchkey-XXXXXX";
    if (::mkdtemp(directory.data()) == nullptr)
        fail_errno(parent + ": cannot create a private directory");
    return directory;
}

// Static copies of the paths the early signal handler removes: it may only make async-signal-safe calls.
std::array<char, sizeof(sockaddr_un::sun_path)> signal_socket_path {};
std::array<char, sizeof(sockaddr_un::sun_path)> signal_directory {};

extern "C" void remove_and_exit(int)
{
    ::unlink(signal_socket_path.data());
    if (signal_directory[0] != '\0')
        ::rmdir(signal_directory.data());
    ::_exit(0);
}

template <std::size_t N>
void copy_path(std::array<char, N>& target, const std::string& path)
{
    const std::size_t length = std::min(path.size(), N - 1);  // both fit: the socket path is checked
    std::memcpy(target.data(), path.data(), length);
    target[length] = '\0';
}

}  // namespace

AgentSocket::AgentSocket(UniqueFd listener, std::string path, std::string directory)
    : listener_(std::move(listener)), path_(std::move(path)), directory_(std::move(directory))
{
}

AgentSocket::AgentSocket(AgentSocket&& other) noexcept
    : listener_(std::move(other.listener_)),
      path_(std::move(other.path_)),
      directory_(std::move(other.directory_)),
      owns_entries_(std::exchange(other.owns_entries_, false))
{
}

AgentSocket::~AgentSocket()
{
    if (!owns_entries_)
        return;
    listener_.reset();
    ::unlink(path_.c_str());
    if (!directory_.empty())
        ::rmdir(directory_.c_str());
}

std::string private_directory_parent(const char* xdg_runtime_dir, const char* tmpdir)
{
    if (xdg_runtime_dir != nullptr && *xdg_runtime_dir != '\0')
        return std::string(xdg_runtime_dir) + "/latchkey";
    if (tmpdir != nullptr && *tmpdir != '\0')
        return tmpdir;
    return "/tmp";
}

void check_safe_directory(const std::string& directory)
{
    struct stat status {};
    if (::stat(directory.c_str(), &status) != 0)
        fail_errno(directory);
    if (!S_ISDIR(status.st_mode))
        fail(directory + ": not a directory");
    if (status.st_uid != ::getuid() && status.st_uid != 0)
        fail(directory + ": owned by uid " + std::to_string(status.st_uid) +
             ", who could replace the socket; use a directory of your own");
    if ((status.st_mode & (S_IWGRP | S_IWOTH)) != 0 && (status.st_mode & S_ISVTX) == 0)
        fail(directory + ": writable by group or others without the sticky bit, so they could replace the "
                         "socket; use a directory of your own");
}

AgentSocket listen_in_private_directory(const std::string& parent, int pid)
{
    make_directory_if_missing(parent);
    check_safe_directory(parent);
    std::string directory = make_private_directory(parent);
    std::string path = directory + "/agent." + std::to_string(pid);
    try {
        UniqueFd listener = bind_and_listen(path);
        return AgentSocket(std::move(listener), std::move(path), std::move(directory));
    } catch (const SocketSetupError&) {
        ::rmdir(directory.c_str());
        throw;
    }
}

AgentSocket listen_at(const std::string& path)
{
    if (path.empty())
        fail("the socket path is empty");
    std::filesystem::path absolute;
    try {
        absolute = std::filesystem::absolute(path);
    } catch (const std::filesystem::filesystem_error& error) {
        fail(path + ": " + error.code().message());
    }
    const std::string directory = absolute.parent_path().string();
    struct stat status {};
    if (::lstat(directory.c_str(), &status) == 0 && S_ISLNK(status.st_mode))
        fail(directory + ": the socket's directory is a symbolic link; latchkeyd does not follow links in its "
                         "socket path, so give the directory it points to");
    check_safe_directory(directory);
    clear_stale_socket(absolute.string());
    return AgentSocket(bind_and_listen(absolute.string()), absolute.string(), "");
}

void remove_on_termination_signal(const AgentSocket& socket)
{
    copy_path(signal_socket_path, socket.path());
    copy_path(signal_directory, socket.directory());
    struct sigaction action {};
    action.sa_handler = remove_and_exit;
    sigemptyset(&action.sa_mask);
    constexpr std::array termination_signals {SIGTERM, SIGINT, SIGHUP};
    for (int signal : termination_signals)
        sigaddset(&action.sa_mask, signal);
    for (int signal : termination_signals) {
        if (::sigaction(signal, &action, nullptr) != 0)
            throw std::system_error(errno, std::generic_category(), "sigaction");
    }
}

}  // namespace latchkey::platform
