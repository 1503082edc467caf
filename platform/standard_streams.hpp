// Making a client program's standard streams safe to use before it writes to them.
#pragma once

namespace latchkey::platform {

// Unix: opens /dev/null on whichever of descriptors 0-2 is closed and ignores SIGPIPE (a closed pipe or
// socket is an error return, not death); throws std::system_error if /dev/null cannot be opened.
// Windows: console output as UTF-8 (comments and prompts may hold any character); never fails.
void prepare_standard_streams();

}  // namespace latchkey::platform
