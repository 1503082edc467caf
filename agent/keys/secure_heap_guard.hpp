// Refuses a key, with advice, when the locked heap cannot hold it, instead of letting OpenSSL fail vaguely.
#pragma once

#include <cstddef>

#include "agent/error.hpp"
#include "protocol/result.hpp"

namespace latchkey::agent {

// Bytes of locked heap a key with `secret_size` bytes of private material is expected to need while it
// is built and used (a conservative estimate: OpenSSL's copies, buddy-allocator rounding, temporaries).
std::size_t locked_bytes_needed(std::size_t secret_size) noexcept;

// Fails with locked_memory_full, saying how to raise the locked heap size, when the secure heap is
// initialised and has less than locked_bytes_needed(secret_size) free. Succeeds when no secure heap
// is in use (tests, tools).
Result<void> reserve_locked_room(std::size_t secret_size);

// `failure` given the advice of a full locked heap when it is locked_memory_full, or when it is a
// crypto_failure and the secure heap is initialised and nearly full (less than twice
// locked_bytes_needed(secret_size) free, as the failed attempt has already returned its memory);
// otherwise unchanged.
Error explain_failure(Error failure, std::size_t secret_size);

// Builds a key with `build` (a callable returning Result<…>) after reserve_locked_room, passing its
// failures through explain_failure.
template <class Build>
auto build_in_locked_heap(std::size_t secret_size, Build&& build) -> decltype(build())
{
    LATCHKEY_CHECK(reserve_locked_room(secret_size));
    auto result = build();
    if (!result)
        return fail(explain_failure(result.error(), secret_size));
    return result;
}

}  // namespace latchkey::agent
