// The locked heap's Windows half: the working set grown for VirtualLock, and the CRT's block sizes.
#include "platform/memory_lock.hpp"

#include <malloc.h>
#include <windows.h>

namespace latchkey::platform {

bool make_room_to_lock(std::size_t size) noexcept
{
    // VirtualLock (which OpenSSL's secure heap uses on Windows) may lock only as much as the minimum
    // working set holds, minus a few pages of its own; grow both bounds by the arena and its guard pages.
    HANDLE process = GetCurrentProcess();
    SIZE_T minimum = 0;
    SIZE_T maximum = 0;
    if (!GetProcessWorkingSetSize(process, &minimum, &maximum))
        return false;
    const SIZE_T extra = size + 4 * 65536;
    return SetProcessWorkingSetSize(process, minimum + extra, maximum + extra) != 0;
}

std::string memlock_advice(std::size_t size)
{
    return "cannot lock " + std::to_string(size / 1024) + " KiB of memory for private keys (VirtualLock or " +
           "SetProcessWorkingSetSize failed with error " + std::to_string(GetLastError()) +
           "); lower locked_memory in config.toml or free memory, then start latchkeyd again";
}

std::optional<std::size_t> ordinary_block_size(void* p) noexcept
{
    return _msize(p);
}

}  // namespace latchkey::platform
