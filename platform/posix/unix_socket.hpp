// The agent's listening Unix socket: where it goes, who may change that place, and its removal.
#pragma once

#include <stdexcept>
#include <string>

#include "platform/unique_fd.hpp"

namespace latchkey::platform {

// Start-up failure of the agent socket; what() names the path and what is wrong with it.
class SocketSetupError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A bound, listening, close-on-exec AF_UNIX stream socket with mode 0600, and the filesystem entries made
// for it: the socket file and, for a private directory, that directory. Destroying it removes them (errors
// ignored) unless it was disowned.
class AgentSocket {
public:
    // Takes the listening descriptor, the socket's path and the directory made for it ("" = none).
    AgentSocket(UniqueFd listener, std::string path, std::string directory);
    AgentSocket(AgentSocket&& other) noexcept;
    AgentSocket& operator=(AgentSocket&&) = delete;
    ~AgentSocket();

    // The absolute path clients connect to.
    const std::string& path() const noexcept { return path_; }
    // The private directory holding the socket, or "" if the path was given with -a.
    const std::string& directory() const noexcept { return directory_; }
    // Hands the listening descriptor over (to the server); an empty UniqueFd if already taken.
    UniqueFd take_listener() noexcept { return std::move(listener_); }
    // Leaves the entries in place when destroyed: after fork, the agent process owns them.
    void disown() noexcept { owns_entries_ = false; }

private:
    UniqueFd listener_;
    std::string path_;
    std::string directory_;
    bool owns_entries_ = true;
};

// Where private socket directories go: "$XDG_RUNTIME_DIR/latchkey" if XDG_RUNTIME_DIR is set and not empty,
// else $TMPDIR if set and not empty, else "/tmp". Arguments are the variables' values (null = unset).
// Never fails.
std::string private_directory_parent(const char* xdg_runtime_dir, const char* tmpdir);

// Throws SocketSetupError unless `directory` is a directory where only this user or root can add, remove
// or rename entries: owned by this user or root, and writable by group or others only with the sticky
// bit set (as /tmp is). Only `directory` itself is checked, not its ancestors.
void check_safe_directory(const std::string& directory);

// Listens on "<parent>/latchkey-XXXXXX/agent.<pid>" in a fresh 0700 directory, first creating `parent`
// (the last component only, mode 0700) if it is missing. Two agents never share a directory. Throws
// SocketSetupError if parent is unsafe (check_safe_directory) or the directory or socket cannot be made.
AgentSocket listen_in_private_directory(const std::string& parent, int pid);

// Listens exactly at `path` (made absolute against the current directory). A socket of this user on which
// nothing answers is stale and replaced. Throws SocketSetupError if the path or its directory is a symbolic
// link (neither is followed), if the directory is unsafe, if an agent answers on it ("already running"), if
// something else is there (not a socket, or another user's), or if the path is too long or bind/listen fails.
AgentSocket listen_at(const std::string& path);

// Until another handler replaces it (the server's), SIGTERM, SIGINT or SIGHUP removes socket's entries and
// ends the process with status 0: so a signal in the moment before the server starts leaves nothing
// behind. Throws std::system_error if sigaction fails.
void remove_on_termination_signal(const AgentSocket& socket);

}  // namespace latchkey::platform
