// syslog through spdlog's syslog sink.
#include "platform/posix/system_log.hpp"

#include <spdlog/sinks/syslog_sink.h>
#include <syslog.h>

namespace latchkey::platform {

std::shared_ptr<spdlog::sinks::sink> system_log_sink(const std::string& ident)
{
    return std::make_shared<spdlog::sinks::syslog_sink_mt>(ident, LOG_PID, LOG_AUTH, false);
}

}  // namespace latchkey::platform
