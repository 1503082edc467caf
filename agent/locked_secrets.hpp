// Puts every secret of the process — EVP keys, OpenSSL's work on them, and SecretBytes — into the
// locked arena (platform/locked_arena.hpp).
#pragma once

#include <cstddef>

namespace latchkey::agent {

// Default maximum of the locked arena for keys and passphrases. The arena locks memory 64 KiB at a
// time as secrets arrive, so the maximum costs no memory until it is used; the OS's locking limit
// (RLIMIT_MEMLOCK) must cover all of it. A key held and signed with once takes about 1 KiB (Ed25519),
// 2.8 KiB (ECDSA P-256), 1.7 KiB (DSA), 5 KiB (RSA-2048) or 9 KiB (RSA-4096); see
// agent/keys/secure_heap_guard.hpp. 2 MiB therefore holds the 1000 Ed25519 keys of the benchmark
// (issue #8) with half of it to spare, or (by the same figures) about 200 RSA-4096 keys. Besides the
// keys, the arena holds OpenSSL's DRBGs and method caches (about 32 KiB once, and 5 KiB per signing
// thread), the 16 KiB key-shielding pre-key (shielded_key.hpp), request buffers that carry keys, and
// signatures in progress. Shielded keys need room only while they are clear.
// 2 MiB is well within Debian's default RLIMIT_MEMLOCK of 8 MiB and the 4 MiB LimitMEMLOCK= of
// latchkeyd.service.
inline constexpr std::size_t default_locked_heap_size = 2 * 1024 * 1024;

// Installs OpenSSL's memory hooks (platform::install_openssl_allocator), creates the locked arena with
// room for `size` bytes and routes SecretBytes into it. Call first thing in main, before any other
// OpenSSL use and before any secret arrives. Throws platform::SecureHeapError with advice if OpenSSL
// has already allocated memory, RLIMIT_MEMLOCK is below `size`, or the memory cannot be locked.
void use_locked_memory_for_secrets(std::size_t size = default_locked_heap_size);

}  // namespace latchkey::agent
