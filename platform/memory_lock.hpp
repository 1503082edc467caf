// The operating-system half of the locked heap (platform/secure_memory.cpp): making room to lock memory,
// advice when it cannot be locked, and the size of an ordinary heap block.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace latchkey::platform {

// Lets the process lock `size` more bytes where the OS needs telling first (Windows: the working set
// grows by that much); on Unix the limit is RLIMIT_MEMLOCK, set outside the process. Returns false
// if the OS refused; never throws.
bool make_room_to_lock(std::size_t size) noexcept;

// What to tell the user when `size` bytes could not be locked: the limit in force and how to raise it.
std::string memlock_advice(std::size_t size);

// The usable size of a block from std::malloc where the C library can tell (glibc, Windows' CRT), else
// nullopt. Never fails.
std::optional<std::size_t> ordinary_block_size(void* p) noexcept;

}  // namespace latchkey::platform
