// Refuses a key, with advice, when the locked arena cannot hold it, instead of letting OpenSSL fail
// vaguely; and builds keys inside a platform::SecretAllocationScope so that all of OpenSSL's copies of
// the private numbers are locked.
//
// What one key takes in the locked arena (platform/locked_arena.hpp), measured with OpenSSL 3.0.19 on
// x86_64 (tests/unit/secure_heap_guard_test.cpp prints the figures; blocks counted at their size
// class): with the OpenSSL allocator installed (platform::install_openssl_allocator), everything
// OpenSSL allocates while a key is built or signs is locked: the key object, the provider's key, the
// parameters it was imported from, and the caches RSA and DSA make at their first signature
// (Montgomery contexts of p and q, blinding).
//
//   key          held after build   held after 1st signature   free room needed to build + sign
//   Ed25519          1024                 1024                        11840
//   ECDSA P-256      2816                 2816                        11264
//   DSA 1024         1120                 1680                        11840
//   RSA 2048         1936                 5120                        23744
//   RSA 4096         3088                 8832                        42048
//
// The room needed (measured with OpenSSL's secure heap, before the arena; kept as the bound the key makers
// waste less than its buddy allocator did) is larger than what is held because building and signing
// use short-lived blocks (contexts of ~2.8 KiB, BN_CTX temporaries, the imported parameters). The
// first signature in the process also puts OpenSSL's private DRBG and some method caches in the
// arena (about 32 KiB, kept), and the first signature on another thread that thread's DRBGs (about
// 5 KiB, returned when the thread ends). Every size class in use also holds at least one slab of
// 4-12 KiB, so the arena needs about 256 KiB before the first key fits.
#pragma once

#include <cstddef>

#include "agent/error.hpp"
#include "platform/secure_memory.hpp"
#include "protocol/result.hpp"

namespace latchkey::agent {

// Free locked bytes that building an Ed25519, ECDSA (any curve) or DSA key and making its first
// signature needs (the table above, rounded up). Cannot fail.
inline constexpr std::size_t locked_bytes_for_small_key = 12 * 1024;

// The same for an RSA key whose modulus has `modulus_bytes` bytes (the table above: a little under
// 80 bytes per modulus byte, plus 4 KiB). Cannot fail.
constexpr std::size_t locked_bytes_for_rsa(std::size_t modulus_bytes) noexcept
{
    return 4 * 1024 + 80 * modulus_bytes;
}

// Fails with locked_memory_full, saying how to raise the locked arena's maximum, when the arena is
// initialised and has less than twice `needed` bytes certainly free: once to build the key and sign,
// and once more so that the keys already held (and this one) still have room to sign afterwards.
// Succeeds when no locked arena is in use (tests, tools).
Result<void> reserve_locked_room(std::size_t needed);

// `failure` given the advice of a full locked arena when it is locked_memory_full, or when it is a
// crypto_failure and the locked arena is initialised and nearly full (less than twice `needed` free,
// as the failed attempt has already returned its memory); otherwise unchanged.
Error explain_failure(Error failure, std::size_t needed);

// Builds a key with `build` (a callable returning Result<…>) after reserve_locked_room(needed),
// inside a platform::SecretAllocationScope so that everything OpenSSL allocates for it is locked,
// passing its failures through explain_failure. Then wipes the stack the building used: OpenSSL can
// leave copies of the key's numbers in its dead frames (seen: 16 bytes of an RSA key's p).
template <class Build>
auto build_in_locked_heap(std::size_t needed, Build&& build) -> decltype(build())
{
    LATCHKEY_CHECK(reserve_locked_room(needed));
    auto result = [&] {
        const platform::SecretAllocationScope locked;
        return build();
    }();
    platform::wipe_stack_below();
    if (!result)
        return fail(explain_failure(result.error(), needed));
    return result;
}

}  // namespace latchkey::agent
