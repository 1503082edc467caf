// The operating-system half of the locked arena (platform/locked_arena.cpp, platform/secure_memory.cpp):
// reserving address space and locking it in chunks, the locking limit and advice when it is too low, and
// the size of an ordinary heap block.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace latchkey::platform {

// Makes sure the process may lock `size` bytes in all, so that locking them chunk by chunk later
// cannot fail for want of permission: on Unix, RLIMIT_MEMLOCK covers them (or the process may lock
// without limit, CAP_IPC_LOCK); on Windows, the working set grows by that much. Returns false if
// not; never throws.
bool make_room_to_lock(std::size_t size) noexcept;

// The size of a memory page. Cannot fail.
std::size_t page_size() noexcept;

// Reserves `size` bytes (a multiple of page_size()) of address space: inaccessible, using no memory,
// and excluded from core dumps. Returns nullptr if the OS refuses.
void* reserve_address_space(std::size_t size) noexcept;

// Makes [p, p + size) — page-aligned, inside a reservation — readable and writable and locks it in
// RAM. Returns false, leaving the range inaccessible, if the OS refuses either.
bool commit_locked(void* p, std::size_t size) noexcept;

// Unlocks and gives back a whole reservation made by reserve_address_space. Cannot fail.
void release_address_space(void* p, std::size_t size) noexcept;

// What to tell the user when `size` bytes could not be locked: the limit in force and how to raise it.
std::string memlock_advice(std::size_t size);

// The usable size of a block from std::malloc where the C library can tell (glibc, Windows' CRT), else
// nullopt. Never fails.
std::optional<std::size_t> ordinary_block_size(void* p) noexcept;

}  // namespace latchkey::platform
