// The system log (syslog, facility auth) as an spdlog sink, for a detached agent that has no stderr.
#pragma once

#include <spdlog/sinks/sink.h>

#include <memory>
#include <string>

namespace latchkey::platform {

// A thread-safe sink that writes to syslog under `ident`, with the pid, facility LOG_AUTH (as
// ssh-agent). Never fails; messages are lost if syslog is unavailable.
std::shared_ptr<spdlog::sinks::sink> system_log_sink(const std::string& ident);

}  // namespace latchkey::platform
