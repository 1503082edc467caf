// The Unix client's standard descriptors opened and SIGPIPE ignored (platform/posix/process.hpp).
#include "platform/standard_streams.hpp"

#include "platform/posix/process.hpp"

namespace latchkey::platform {

void prepare_standard_streams()
{
    open_standard_descriptors();
    ignore_broken_pipes();
}

}  // namespace latchkey::platform
