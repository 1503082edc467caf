// The agent's listener on a Windows named pipe (OpenSSH's \\.\pipe\openssh-ssh-agent by default).
#pragma once

#include <string>

#include "platform/listener.hpp"

namespace latchkey::platform {

// The pipe Windows' OpenSSH (ssh, ssh-add) connects to.
inline constexpr const char* openssh_agent_pipe = R"(\\.\pipe\openssh-ssh-agent)";

// A factory for a listener on the byte-mode pipe `name`: overlapped I/O, many clients at once (the next
// instance exists before a connected one is handed over), remote clients rejected, a DACL granting only
// this process's user, and each client's process token checked to be that user before any byte is read
// (others are closed and logged). Making the listener throws std::system_error if the pipe exists
// already (another agent serves it: FILE_FLAG_FIRST_PIPE_INSTANCE) or cannot be created.
ListenerFactory named_pipe_listener(std::string name);

}  // namespace latchkey::platform
