// The locked arena's Windows half: reserving and locking memory, the working set grown for VirtualLock,
// and the CRT's block sizes.
#include "platform/memory_lock.hpp"

#include <malloc.h>
#include <windows.h>

namespace latchkey::platform {

bool make_room_to_lock(std::size_t size) noexcept
{
    // VirtualLock may lock only as much as the minimum working set holds, minus a few pages of its
    // own; grow both bounds by the arena's maximum and some slack, so that locking chunk by chunk up to
    // that maximum cannot fail for want of room.
    HANDLE process = GetCurrentProcess();
    SIZE_T minimum = 0;
    SIZE_T maximum = 0;
    if (!GetProcessWorkingSetSize(process, &minimum, &maximum))
        return false;
    const SIZE_T extra = size + 4 * 65536;
    return SetProcessWorkingSetSize(process, minimum + extra, maximum + extra) != 0;
}

std::size_t page_size() noexcept
{
    SYSTEM_INFO info;
    GetSystemInfo(&info);
    return info.dwPageSize;
}

void* reserve_address_space(std::size_t size) noexcept
{
    // Windows has no per-range MADV_DONTDUMP: platform/windows/hardening.cpp keeps the whole process
    // out of Windows Error Reporting's dumps instead.
    return VirtualAlloc(nullptr, size, MEM_RESERVE, PAGE_NOACCESS);
}

bool commit_locked(void* p, std::size_t size) noexcept
{
    if (VirtualAlloc(p, size, MEM_COMMIT, PAGE_READWRITE) == nullptr)
        return false;
    if (VirtualLock(p, size))
        return true;
    VirtualFree(p, size, MEM_DECOMMIT);
    return false;
}

void release_address_space(void* p, std::size_t) noexcept
{
    VirtualFree(p, 0, MEM_RELEASE);  // releasing unlocks
}

std::string memlock_advice(std::size_t size)
{
    return "cannot lock up to " + std::to_string(size / 1024) + " KiB of memory for private keys (VirtualLock or " +
           "SetProcessWorkingSetSize failed with error " + std::to_string(GetLastError()) +
           "); lower locked_memory in config.toml or free memory, then start latchkeyd again";
}

std::optional<std::size_t> ordinary_block_size(void* p) noexcept
{
    return _msize(p);
}

}  // namespace latchkey::platform
