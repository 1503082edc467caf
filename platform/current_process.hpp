// The id of the running process, on every operating system (posix/process.cpp, windows/current_process.cpp).
#pragma once

namespace latchkey::platform {

// The calling process's id. Never fails.
int current_pid() noexcept;

}  // namespace latchkey::platform
