// release_free_heap through HeapCompact on the process heap.
#include "platform/heap.hpp"

#include <windows.h>

namespace latchkey::platform {

void release_free_heap() noexcept
{
    ::HeapCompact(::GetProcessHeap(), 0);
}

}  // namespace latchkey::platform
