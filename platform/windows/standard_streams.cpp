// The Windows console speaks UTF-8 to latchkey.exe.
#include "platform/standard_streams.hpp"

#include <windows.h>

namespace latchkey::platform {

void prepare_standard_streams()
{
    SetConsoleOutputCP(CP_UTF8);
}

}  // namespace latchkey::platform
