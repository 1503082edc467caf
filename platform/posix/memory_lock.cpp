// The locked heap's Unix half: RLIMIT_MEMLOCK advice and glibc's block sizes.
#include "platform/memory_lock.hpp"

#include <sys/resource.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace latchkey::platform {

bool make_room_to_lock(std::size_t) noexcept
{
    return true;  // RLIMIT_MEMLOCK is set by the shell or the service manager
}

std::string memlock_advice(std::size_t size)
{
    struct rlimit limit {};
    std::string current = "unknown";
    if (getrlimit(RLIMIT_MEMLOCK, &limit) == 0)
        current = limit.rlim_cur == RLIM_INFINITY ? "unlimited" : std::to_string(limit.rlim_cur / 1024) + " KiB";
    return "cannot lock " + std::to_string(size / 1024) + " KiB of memory for private keys (RLIMIT_MEMLOCK is " +
           current + "); raise it with `ulimit -l " + std::to_string(size / 1024 * 2) +
           "` in the shell, `LimitMEMLOCK=` in the systemd unit, or memlock in /etc/security/limits.conf";
}

std::optional<std::size_t> ordinary_block_size(void* p) noexcept
{
#if defined(__GLIBC__)
    return malloc_usable_size(p);
#else
    (void)p;
    return std::nullopt;
#endif
}

}  // namespace latchkey::platform
