// Which askpass program asks the user, what for, and who is asking: the parts of the askpass that are
// the same on every operating system (starting it is in platform/posix/askpass.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace latchkey::platform {

// What the askpass is asked for: a yes/no answer (its exit status; SSH_ASKPASS_PROMPT=confirm, as
// ssh-agent sets it) or a passphrase (its stdout; SSH_ASKPASS_PROMPT unset, as ssh-add leaves it).
enum class AskpassPurpose { confirm, passphrase };

// $SSH_ASKPASS if set and non-empty, else (on Unix) OpenSSH's default /usr/lib/ssh/x11-ssh-askpass if
// it is executable, else nullopt. Never fails.
std::optional<std::string> find_askpass_program();

// "git (pid 12) ← bash (pid 10) ← sshd (pid 3)": pid and up to five of its ancestors, from the
// process table (/proc on Linux, a Toolhelp snapshot on Windows), stopping before pid 1. Processes it
// cannot read appear as "? (pid N)" and end the chain; returns "an unknown process" for pid <= 0. Never throws except std::bad_alloc.
std::string process_ancestry(std::int64_t pid);

}  // namespace latchkey::platform
