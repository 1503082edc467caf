// Locked, non-dumpable memory for secrets: OpenSSL's secure heap, guarded so it never falls back
// to ordinary memory, and OpenSSL memory hooks that put a thread's secret work there and wipe every
// block OpenSSL frees.
#pragma once

#include <cstddef>
#include <stdexcept>

namespace latchkey::platform {

// Start-up failure of the locked heap; what() says how to fix it.
class SecureHeapError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Routes every OpenSSL allocation of this process through latchkey's hooks (CRYPTO_set_mem_functions):
// - on a thread inside a SecretAllocationScope, once init_secure_heap has succeeded, blocks come from
//   the secure heap; if it has no room the allocation fails (OpenSSL reports a malloc failure), it
//   never falls back to ordinary memory;
// - every other block comes from the ordinary heap;
// - every block is wiped when OpenSSL frees it, and a reallocation wipes and frees the old block
//   instead of leaving it behind.
// Limitation: the size of an ordinary block is known only on glibc (malloc_usable_size). Elsewhere
// ordinary blocks are freed unwiped and reallocated in place by the C library, and a reallocation
// inside a scope of a block that is not in the secure heap stays in ordinary memory.
// Must be the first OpenSSL call of the process: OpenSSL refuses new hooks after its first
// allocation, and then this throws SecureHeapError saying so. Calling it again is harmless.
void install_openssl_allocator();

// True once install_openssl_allocator has succeeded.
bool openssl_allocator_installed() noexcept;

// While an object of this type is alive on a thread, OpenSSL allocations made by that thread go to
// the secure heap (see install_openssl_allocator); without the hooks or a secure heap it changes
// nothing. Scopes nest. Wrap every OpenSSL call that builds, checks or uses private key material.
// Cannot fail.
class SecretAllocationScope {
public:
    [[nodiscard]] SecretAllocationScope() noexcept;
    ~SecretAllocationScope();
    SecretAllocationScope(const SecretAllocationScope&) = delete;
    SecretAllocationScope& operator=(const SecretAllocationScope&) = delete;
};

// Creates OpenSSL's secure heap of `size` bytes (rounded up to a power of two): mapped with guard
// pages, locked in RAM (mlock; VirtualLock on Windows, after make_room_to_lock) and excluded from core
// dumps (MADV_DONTDUMP). EVP keys place their private numbers there, and so does SecretBytes once agent/
// installs it. Call once at start-up, after install_openssl_allocator. Throws SecureHeapError if the memory cannot be locked (typically
// RLIMIT_MEMLOCK too low) or the heap already exists.
void init_secure_heap(std::size_t size);

// True once init_secure_heap has succeeded.
bool secure_heap_ready() noexcept;

// A block of n bytes from the secure heap, or nullptr if it has no room or is not initialised.
// Never returns ordinary memory.
void* secure_allocate(std::size_t n) noexcept;

// Returns a block from secure_allocate; OpenSSL wipes it.
void secure_release(void* p) noexcept;

// Bytes of the secure heap in use and in total (0 when not initialised).
std::size_t secure_heap_used() noexcept;
std::size_t secure_heap_size() noexcept;

}  // namespace latchkey::platform
