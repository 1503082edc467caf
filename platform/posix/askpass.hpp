// The askpass program (ssh-add -c confirmations): finding it, starting it, reaping it, and who asked.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "platform/askpass_program.hpp"
#include "platform/unique_fd.hpp"

namespace latchkey::platform {

// A started askpass: its process id (also its process group) and the read end of its stdout.
struct AskpassProcess {
    int pid = 0;
    UniqueFd output;
};

// Starts `program` (searched in PATH if it has no slash) with argv[1] = prompt, the caller's
// environment with SSH_ASKPASS_PROMPT set for `purpose`, stdin /dev/null, stdout a pipe, stderr inherited,
// no other descriptor, in a process group of its own, SIGPIPE at its default. Does not wait for it. Throws
// std::system_error "<program>" with the reason if it cannot be started.
AskpassProcess start_askpass(const std::string& program, const std::string& prompt,
                             AskpassPurpose purpose = AskpassPurpose::confirm);

// The exit status of child `pid` (128 + the signal number if a signal ended it), or nullopt while
// it is still running. Never blocks. Returns -1 if pid is not a child of this process (already
// reaped, or SIGCHLD ignored).
std::optional<int> reap(int pid) noexcept;

// Sends SIGKILL to the process group of a child started by start_askpass. Never fails: a group
// that has already gone needs no signal.
void kill(int pid) noexcept;

// The parent pid in the text of a /proc/PID/stat file, or nullopt if it does not parse. The command
// name in it may contain spaces and parentheses.
std::optional<std::int64_t> parent_pid_from_stat(std::string_view stat);

}  // namespace latchkey::platform
