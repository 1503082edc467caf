// Refuses a key, with advice, when the locked heap cannot hold it, instead of letting OpenSSL fail
// vaguely; and builds keys inside a platform::SecretAllocationScope so that all of OpenSSL's copies of
// the private numbers are locked.
//
// What one key takes in the secure heap, measured with OpenSSL 3.0.19 on x86_64
// (tests/unit/secure_heap_guard_test.cpp prints the figures): with the OpenSSL allocator installed
// (platform::install_openssl_allocator), everything OpenSSL allocates while a key is built or signs
// is locked: the key object, the provider's key, the parameters it was imported from, and the
// caches RSA and DSA make at their first signature (Montgomery contexts of p and q, blinding).
//
//   key          held after build   held after 1st signature   free room needed to build + sign
//   Ed25519           544                  544                        11840
//   ECDSA P-256      2160                 2160                        11264
//   ECDSA P-384      2544                 2544                        11072
//   ECDSA P-521      2896                 2896                        11264
//   DSA 1024         1248                 2016                        11840
//   RSA 1024            -                 3872                        10816
//   RSA 2048         2064                 6112                        23744
//   RSA 3072            -                 8544                        27712
//   RSA 4096         3216                10592                        42048
//   RSA 8192            -                19552                        78976
//
// The room needed is larger than what is held because building and signing use short-lived blocks
// (contexts of ~2.8 KiB that the buddy allocator rounds to 4 KiB, BN_CTX temporaries, the imported
// parameters). The first signature in the process also puts OpenSSL's private DRBG and some method
// caches in the locked heap (about 32 KiB, kept), and the first signature on another thread that
// thread's DRBGs (about 5 KiB, returned when the thread ends).
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

// Fails with locked_memory_full, saying how to raise the locked heap size, when the secure heap is
// initialised and has less than `needed` bytes free. Succeeds when no secure heap is in use (tests,
// tools).
Result<void> reserve_locked_room(std::size_t needed);

// `failure` given the advice of a full locked heap when it is locked_memory_full, or when it is a
// crypto_failure and the secure heap is initialised and nearly full (less than twice `needed` free,
// as the failed attempt has already returned its memory); otherwise unchanged.
Error explain_failure(Error failure, std::size_t needed);

// Builds a key with `build` (a callable returning Result<…>) after reserve_locked_room(needed),
// inside a platform::SecretAllocationScope so that everything OpenSSL allocates for it is locked,
// passing its failures through explain_failure.
template <class Build>
auto build_in_locked_heap(std::size_t needed, Build&& build) -> decltype(build())
{
    LATCHKEY_CHECK(reserve_locked_room(needed));
    auto result = [&] {
        const platform::SecretAllocationScope locked;
        return build();
    }();
    if (!result)
        return fail(explain_failure(result.error(), needed));
    return result;
}

}  // namespace latchkey::agent
