// The id of the running process on Windows.
#include "platform/current_process.hpp"

#include <windows.h>

namespace latchkey::platform {

int current_pid() noexcept
{
    return static_cast<int>(GetCurrentProcessId());
}

}  // namespace latchkey::platform
