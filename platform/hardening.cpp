// Linux process hardening: non-dumpable, no core files.
#include "platform/hardening.hpp"

#include <sys/prctl.h>
#include <sys/resource.h>

#include <cerrno>
#include <system_error>

namespace latchkey::platform {

void harden_process()
{
    if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        throw std::system_error(errno, std::generic_category(), "prctl(PR_SET_DUMPABLE)");
    const struct rlimit no_core {};
    if (::setrlimit(RLIMIT_CORE, &no_core) != 0)
        throw std::system_error(errno, std::generic_category(), "setrlimit(RLIMIT_CORE)");
}

}  // namespace latchkey::platform
