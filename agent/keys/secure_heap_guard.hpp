// Refuses a key, with advice, when the locked heap cannot hold it, instead of letting OpenSSL fail vaguely.
//
// What lives in the secure heap (measured with OpenSSL 3.0.19, tests/unit/secure_heap_guard_test.cpp):
// the numbers agent/keys computes with and the secure part of the parameters handed to
// EVP_PKEY_fromdata, always; the key OpenSSL builds from them only for ECDSA. OpenSSL 3.0's RSA, DSA
// and Ed25519 importers copy private numbers into ordinary memory (OSSL_PARAM_get_BN and
// OSSL_PARAM_get_octet_string allocate without the secure heap), wiped when the key is freed.
// The DER decoders would keep them in the secure heap but leave unwiped copies of the whole DER in
// freed ordinary memory, which is worse; so keys are built from parameters (EVP_PKEY_fromdata,
// EVP_PKEY_new_raw_private_key_ex).
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
