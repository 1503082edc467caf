// Puts every secret of the process — EVP keys and SecretBytes — into the locked secure heap.
#pragma once

#include <cstddef>

namespace latchkey::agent {

// Default size of the locked heap for keys and passphrases.
inline constexpr std::size_t default_locked_heap_size = 1024 * 1024;

// Initialises the secure heap and routes SecretBytes into it. Call once at start-up, before any
// secret arrives. Throws platform::SecureHeapError with advice if the memory cannot be locked.
void use_locked_memory_for_secrets(std::size_t size = default_locked_heap_size);

}  // namespace latchkey::agent
