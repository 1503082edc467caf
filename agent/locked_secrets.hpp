// Puts every secret of the process — EVP keys, OpenSSL's work on them, and SecretBytes — into the
// locked secure heap.
#pragma once

#include <cstddef>

namespace latchkey::agent {

// Default size of the locked heap for keys and passphrases. Measured with OpenSSL 3.0.19 (x86_64), a
// key held and signed with once takes 544 bytes (Ed25519), 2160-2896 (ECDSA), 2016 (DSA), 6112
// (RSA-2048) or 10592 (RSA-4096); see agent/keys/secure_heap_guard.hpp. Filling a heap until keys
// are refused: 1 MiB holds 94 RSA-4096 or 1883 Ed25519 keys, 2 MiB holds 193 or 3811. So 2 MiB
// holds ~100 RSA-4096 or ~1000 Ed25519 keys with room to spare for OpenSSL's DRBGs (about 32 KiB
// once, and 5 KiB per signing thread), the 16 KiB key-shielding pre-key (shielded_key.hpp) and
// signatures in progress. Below 256 KiB not even one key fits: OpenSSL's first key build puts its
// method caches there too. Shielded keys need room only while they are clear. A power of two (OpenSSL rounds up to
// one) well within Debian's default RLIMIT_MEMLOCK of 8 MiB.
inline constexpr std::size_t default_locked_heap_size = 2 * 1024 * 1024;

// Installs OpenSSL's memory hooks (platform::install_openssl_allocator), initialises the secure heap
// and routes SecretBytes into it. Call first thing in main, before any other OpenSSL use and before
// any secret arrives. Throws platform::SecureHeapError with advice if OpenSSL has already allocated
// memory or the memory cannot be locked.
void use_locked_memory_for_secrets(std::size_t size = default_locked_heap_size);

}  // namespace latchkey::agent
