// Handing the heap's free pages back to the operating system, after a burst of connections has closed.
#pragma once

namespace latchkey::platform {

// Returns the pages the process heap holds free to the operating system where the allocator can (glibc's
// malloc_trim; HeapCompact on Windows), so that memory a burst of connections used does not stay resident.
// Walks the whole heap (tens of milliseconds on a fragmented one): call it rarely, off the threads that
// answer requests. Never fails.
void release_free_heap() noexcept;

}  // namespace latchkey::platform
