// Built without libsystemd: no socket activation and no readiness notification.
#include "platform/posix/systemd.hpp"

namespace latchkey::platform {

std::optional<AgentSocket> socket_from_service_manager()
{
    return std::nullopt;
}

bool notify_service_manager(const std::string&) noexcept
{
    return false;
}

}  // namespace latchkey::platform
