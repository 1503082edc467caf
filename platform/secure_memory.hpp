// Locked, non-dumpable memory for secrets: OpenSSL's secure heap, guarded so it never falls back
// to ordinary memory.
#pragma once

#include <cstddef>
#include <stdexcept>

namespace latchkey::platform {

// Start-up failure of the locked heap; what() says how to fix it.
class SecureHeapError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Creates OpenSSL's secure heap of `size` bytes (rounded up to a power of two): mapped with guard
// pages, locked in RAM (mlock) and excluded from core dumps (MADV_DONTDUMP). EVP keys place their
// private numbers there, and so does SecretBytes once agent/ installs it. Call once at start-up.
// Throws SecureHeapError if the memory cannot be locked (typically RLIMIT_MEMLOCK too low).
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
