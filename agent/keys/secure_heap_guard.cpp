// The locked-arena room check shared by the key makers.
#include "agent/keys/secure_heap_guard.hpp"

#include <string>

#include "platform/secure_memory.hpp"

namespace latchkey::agent {

namespace {

// Free blocks inside slabs of a size class are left out: they may not suit this key.
std::size_t free_locked_bytes() noexcept
{
    return platform::secure_heap_available();
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
                 "the locked arena (at most " + kib(platform::secure_heap_size()) +
                     ") has no room for this key, which needs about " + kib(needed) +
                     "; remove keys, or restart latchkeyd with a larger maximum (-O locked-memory=SIZE, "
                     "and a RLIMIT_MEMLOCK to match: `ulimit -l`, LimitMEMLOCK= in the systemd unit)");
}

}  // namespace

Result<void> reserve_locked_room(std::size_t needed)
{
    if (lacks_room(2 * needed))
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
