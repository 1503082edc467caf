// The locked-heap room check shared by the key makers.
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

Error heap_full(std::size_t secret_size)
{
    return Error(ErrorCode::locked_memory_full,
                 "the locked heap has " + kib(free_locked_bytes()) + " free of " +
                     kib(platform::secure_heap_size()) + " and this key needs about " +
                     kib(locked_bytes_needed(secret_size)) +
                     "; remove keys, or restart latchkeyd with a larger locked heap size (and a "
                     "RLIMIT_MEMLOCK to match: `ulimit -l`, LimitMEMLOCK= in the systemd unit)");
}

}  // namespace

std::size_t locked_bytes_needed(std::size_t secret_size) noexcept
{
    // Each secret number is held about twice (the parameters and the key), rounded up to a power of
    // two by the buddy allocator, plus secure temporaries while building and signing.
    return 4 * secret_size + 4 * 1024;
}

Result<void> reserve_locked_room(std::size_t secret_size)
{
    if (lacks_room(locked_bytes_needed(secret_size)))
        return fail(heap_full(secret_size));
    return {};
}

Error explain_failure(Error failure, std::size_t secret_size)
{
    if (failure.code == ErrorCode::locked_memory_full ||
        (failure.code == ErrorCode::crypto_failure && lacks_room(2 * locked_bytes_needed(secret_size))))
        return heap_full(secret_size);
    return failure;
}

}  // namespace latchkey::agent
