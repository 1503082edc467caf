// The locked arena's Unix half: reserving and locking memory, RLIMIT_MEMLOCK and its advice, glibc's block sizes.
#include "platform/memory_lock.hpp"

#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace latchkey::platform {

namespace {

// True if the process may lock memory beyond RLIMIT_MEMLOCK (Linux: CAP_IPC_LOCK in CapEff).
bool may_lock_without_limit() noexcept
{
    std::ifstream status("/proc/self/status");  // absent outside Linux: the limit applies
    std::string line;
    while (std::getline(status, line))
        if (line.starts_with("CapEff:"))
            return ((std::strtoull(line.c_str() + 7, nullptr, 16) >> 14) & 1) != 0;  // bit 14: CAP_IPC_LOCK
    return false;
}

}  // namespace

bool make_room_to_lock(std::size_t size) noexcept
{
    struct rlimit limit {};
    if (getrlimit(RLIMIT_MEMLOCK, &limit) != 0)
        return false;
    return limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= size || may_lock_without_limit();
}

std::size_t page_size() noexcept
{
    return static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

void* reserve_address_space(std::size_t size) noexcept
{
    void* p = ::mmap(nullptr, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return nullptr;
#if defined(MADV_DONTDUMP)  // Linux; elsewhere RLIMIT_CORE 0 (platform/hardening) keeps it out of cores
    if (::madvise(p, size, MADV_DONTDUMP) != 0) {
        ::munmap(p, size);
        return nullptr;
    }
#endif
    return p;
}

bool commit_locked(void* p, std::size_t size) noexcept
{
    if (::mprotect(p, size, PROT_READ | PROT_WRITE) != 0)
        return false;
    if (::mlock(p, size) == 0)
        return true;
    ::mprotect(p, size, PROT_NONE);
    return false;
}

void release_address_space(void* p, std::size_t size) noexcept
{
    ::munlock(p, size);
    ::munmap(p, size);
}

std::string memlock_advice(std::size_t size)
{
    struct rlimit limit {};
    std::string current = "unknown";
    if (getrlimit(RLIMIT_MEMLOCK, &limit) == 0)
        current = limit.rlim_cur == RLIM_INFINITY ? "unlimited" : std::to_string(limit.rlim_cur / 1024) + " KiB";
    return "cannot lock up to " + std::to_string(size / 1024) + " KiB of memory for private keys (RLIMIT_MEMLOCK is " +
           current + "); raise it with `ulimit -l " + std::to_string(size / 1024 * 2) +
           "` in the shell, `LimitMEMLOCK=` in the systemd unit, or memlock in /etc/security/limits.conf; "
           "or lower the locked memory maximum (-O locked-memory=SIZE, locked_memory in config.toml)";
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
