// Locked, non-dumpable memory for secrets: latchkey's locked arena (platform/locked_arena.hpp), which
// never falls back to ordinary memory, and OpenSSL memory hooks that put a thread's secret work there
// and wipe every block OpenSSL frees.
#pragma once

#include <cstddef>
#include <stdexcept>

namespace latchkey::platform {

// Start-up failure of the locked memory; what() says how to fix it.
class SecureHeapError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Routes every OpenSSL allocation of this process through latchkey's hooks (CRYPTO_set_mem_functions):
// - on a thread inside a SecretAllocationScope, once init_secure_heap has succeeded, blocks come from
//   the locked arena; if it has no room the allocation fails (OpenSSL reports a malloc failure), it
//   never falls back to ordinary memory. OpenSSL's own secure heap is never initialised, so its
//   "secure" allocations (BN_secure_new, OPENSSL_secure_malloc) come through these hooks as well:
//   they are locked exactly when made inside a scope;
// - every other block comes from the ordinary heap;
// - every block is wiped when OpenSSL frees it, and a reallocation wipes and frees the old block
//   instead of leaving it behind.
// Limitation: the size of an ordinary block is known only on glibc (malloc_usable_size). Elsewhere
// ordinary blocks are freed unwiped and reallocated in place by the C library, and a reallocation
// inside a scope of a block that is not in the locked arena stays in ordinary memory.
// Must be the first OpenSSL call of the process: OpenSSL refuses new hooks after its first
// allocation, and then this throws SecureHeapError saying so. Calling it again is harmless.
void install_openssl_allocator();

// True once install_openssl_allocator has succeeded.
bool openssl_allocator_installed() noexcept;

// While an object of this type is alive on a thread, OpenSSL allocations made by that thread go to
// the locked arena (see install_openssl_allocator); without the hooks or an arena it changes
// nothing. Scopes nest. Wrap every OpenSSL call that builds, checks or uses private key material.
// Cannot fail.
class SecretAllocationScope {
public:
    [[nodiscard]] SecretAllocationScope() noexcept;
    ~SecretAllocationScope();
    SecretAllocationScope(const SecretAllocationScope&) = delete;
    SecretAllocationScope& operator=(const SecretAllocationScope&) = delete;
};

// Creates the process's locked arena (platform/locked_arena.hpp) with room for at most `size` bytes
// (rounded up to 64 KiB): address space reserved once with guard pages, excluded from core dumps
// (MADV_DONTDUMP), and locked in RAM (mlock; VirtualLock on Windows) a chunk at a time as secrets
// arrive, so the process's locked memory grows with the keys it holds. The first chunk is locked
// here, and the OS's locking limit must cover the whole maximum (make_room_to_lock), so that growth
// cannot fail later for that reason. EVP keys place their private numbers there, and so does
// SecretBytes once agent/ installs it. Call once at start-up, after install_openssl_allocator.
// Throws SecureHeapError, with advice, if RLIMIT_MEMLOCK (Windows: the working set) is too low for
// `size`, the memory cannot be locked, or the arena already exists.
void init_secure_heap(std::size_t size);

// True once init_secure_heap has succeeded.
bool secure_heap_ready() noexcept;

// Wipes the 32 KiB of this thread's stack below the caller's frame, where the functions it called had theirs:
// they may have left copies of secrets there (OpenSSL's temporaries, spilled registers). Call it after work
// with secrets, from the function that started that work. Never fails.
void wipe_stack_below() noexcept;

// A block of n bytes from the locked arena, or nullptr if it has no room or is not initialised.
// Never returns ordinary memory.
void* secure_allocate(std::size_t n) noexcept;

// Wipes and returns a block from secure_allocate; nullptr is ignored.
void secure_release(void* p) noexcept;

// True if p points into the locked arena. Lock-free; false before init_secure_heap.
bool in_locked_memory(const void* p) noexcept;

// Bytes of the locked arena in blocks handed out, its maximum, how much of it is locked so far, and
// how much is certainly still free for blocks of any size (LockedArena::available); 0 when not
// initialised. Cannot fail.
std::size_t secure_heap_used() noexcept;
std::size_t secure_heap_size() noexcept;
std::size_t secure_heap_locked() noexcept;
std::size_t secure_heap_available() noexcept;

}  // namespace latchkey::platform
