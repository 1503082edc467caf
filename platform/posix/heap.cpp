// release_free_heap through glibc's malloc_trim.
#include "platform/heap.hpp"

#include <malloc.h>

namespace latchkey::platform {

void release_free_heap() noexcept
{
    ::malloc_trim(0);
}

}  // namespace latchkey::platform
