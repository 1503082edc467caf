// The locked-arena room check shared by the key makers.
#include "agent/keys/secure_heap_guard.hpp"

#include <string>

#include "platform/secure_memory.hpp"

namespace latchkey::agent {

namespace {

std::size_t free_locked_bytes() noexcept
{
    const std::size_t size = platform::secure_heap_size();
    const std::size_t used = platform::secure_heap_used();
    return used < size ? size - used : 0;
}

bool lacks_room(std::size_t needed) noexcept
{
    return platform::secure_heap_ready() && free_locked_bytes() < needed;
}

std::string kib(std::size_t bytes)
{
    return std::to_string((bytes + 1023) / 1024) + " KiB";
}

Error heap_full(std::size_t needed)
{
    return Error(ErrorCode::locked_memory_full,
                 "the locked arena has " + kib(free_locked_bytes()) + " free of its " +
                     kib(platform::secure_heap_size()) + " maximum and this key needs about " + kib(needed) +
                     "; remove keys, or restart latchkeyd with a larger maximum (-O locked-memory=SIZE, "
                     "and a RLIMIT_MEMLOCK to match: `ulimit -l`, LimitMEMLOCK= in the systemd unit)");
}

}  // namespace

Result<void> reserve_locked_room(std::size_t needed)
{
    if (lacks_room(needed))
        return fail(heap_full(needed));
    return {};
}

Error explain_failure(Error failure, std::size_t needed)
{
    if (failure.code == ErrorCode::locked_memory_full ||
        (failure.code == ErrorCode::crypto_failure && lacks_room(2 * needed)))
        return heap_full(needed);
    return failure;
}

}  // namespace latchkey::agent
