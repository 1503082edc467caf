// Starting the askpass program on Windows: CreateProcess with its stdout on a pipe this process reads.
#pragma once

#include <windows.h>

#include <optional>
#include <string>

#include "platform/askpass_program.hpp"
#include "platform/windows/unique_handle.hpp"

namespace latchkey::platform {

// A started askpass: its process and the read end of its stdout.
struct AskpassProcess {
    UniqueHandle process;
    DWORD pid = 0;
    UniqueHandle output;
};

// Starts `program` (a path, or a name CreateProcess finds in PATH) with the command line `program "prompt"`,
// this process's environment with SSH_ASKPASS_PROMPT=confirm for a confirmation (removed for a passphrase),
// stdin NUL, stdout a pipe whose read end is returned (opened for overlapped I/O if `overlapped`), stderr
// this process's. The strings are UTF-8. Throws std::system_error "<program>" with the reason.
AskpassProcess start_askpass_process(const std::string& program, const std::string& prompt, AskpassPurpose purpose,
                                     bool overlapped);

// The exit code of `process`, or nullopt while it runs; -1 if it cannot be read. Never blocks.
std::optional<int> process_exit_code(HANDLE process) noexcept;

}  // namespace latchkey::platform
